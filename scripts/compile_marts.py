"""Write `src/jalon/indicators/marts_compiled.json`: the indicator mart's SQL compiled from its Ibis
definition for the shipped plan, on the schema of a new store. Run after changing
`jalon.indicators.definitions`, the plan's rules or phases, or a migration (a test says when):

    .venv/bin/python scripts/compile_marts.py
"""

from __future__ import annotations

import json
from pathlib import Path

from jalon.indicators.marts import SHIPPED, compiled_for_package
from jalon.plan import load_plan
from jalon.store import open_store


def main() -> None:
    con = open_store(Path(":memory:"))
    try:
        compiled = compiled_for_package(con, load_plan())
    finally:
        con.close()
    SHIPPED.write_text(json.dumps(compiled, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"{SHIPPED} : {len(compiled)} requêtes compilées.")


if __name__ == "__main__":
    main()
