"""Backtest of the forecast (issue 15, item 2): every finished phase of a store cut after each of
its months, every region's forecast compared with the entries it finally counted.

Reads the store given with `--db` (its plan beside it, as `jalon demo --db` writes it), or
simulates the demo's files (`jalon demo`'s scale and seed) and imports them into a temporary
store. Prints the section (`jalon.indicators.prevision_backtest`: coverage of the 80 % interval,
mean absolute percentage error of the projection, Brier score of the probability of reaching the
target, by phase and months observed) and, with `--doc` and `--resultats`, writes it between its
markers into `docs/indicateurs.md` and `bench/RESULTS.md` (section « Prévision : backtest »).
Run: `.venv/bin/python bench/backtest_prevision.py --db demo.duckdb --doc docs/indicateurs.md
--resultats bench/RESULTS.md`.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from pathlib import Path

from jalon.demo import DEMO_SCALE, DEMO_SEED
from jalon.formatting import nombre
from jalon.indicators.prevision_backtest import END, START, backtest_markdown
from jalon.ingest.batch import BatchFile, import_batch
from jalon.ingest.pseudonymise import generate_key
from jalon.plan import load_plan, write_scaled_plan
from jalon.simulate import simulate
from jalon.sources import builtin_profiles
from jalon.store import open_store

RESULTS_TITLE = "Prévision : backtest (`bench/backtest_prevision.py`)"


def section_of(db: Path) -> str:
    beside = Path(f"{db}.plan.toml")
    plan = load_plan(beside if beside.is_file() else None)
    con = open_store(db, read_only=True)
    try:
        return backtest_markdown(con, plan)
    finally:
        con.close()


def simulated_store(workdir: Path) -> Path:
    """The demo's files, simulated and imported as one series (without the demo's report)."""
    manifest = simulate(workdir / "fichiers", scale=DEMO_SCALE, seed=DEMO_SEED)
    path = workdir / "demo.duckdb"
    plan = write_scaled_plan(Path(f"{path}.plan.toml"), DEMO_SCALE)
    profiles = builtin_profiles()
    con = open_store(path)
    try:
        files = [BatchFile(f.path, profiles[f.profile], f.replaces) for f in manifest.files]
        import_batch(con, files, plan, generate_key().encode())
    finally:
        con.close()
    return path


def replace_section(path: Path, section: str, title: str | None) -> None:
    """Put `section` between its markers in `path`; without them, at the end (under `title`)."""
    text = path.read_text(encoding="utf-8")
    pattern = re.compile(re.escape(START) + ".*?" + re.escape(END) + "\n?", re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _m: section, text)
    else:
        text = text.rstrip("\n") + "\n\n" + (f"## {title}\n\n" if title else "") + section
    path.write_text(text, encoding="utf-8")


def for_results(section: str, note: str) -> str:
    """The section as a part of RESULTS.md: its headings two levels down, `note` first."""
    lines = section.splitlines()
    body = [f"##{line}" if line.startswith("#") else line for line in lines[1:-1]]
    return "\n".join([lines[0], note, "", *body, lines[-1]]) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="base à mesurer (défaut : la démo, simulée)")
    parser.add_argument("--doc", type=Path, help="écrire la section dans ce docs/indicateurs.md")
    parser.add_argument("--resultats", type=Path, help="écrire la section dans ce RESULTS.md")
    args = parser.parse_args()
    started = time.monotonic()
    if args.db is not None:
        section = section_of(args.db)
        base = f"la base {args.db.name}"
    else:
        with tempfile.TemporaryDirectory(prefix="jalon-backtest-") as tmp:
            section = section_of(simulated_store(Path(tmp)))
        base = (
            f"les fichiers de `jalon demo` (échelle {nombre(DEMO_SCALE, 2)}, graine "
            f"{DEMO_SEED}), simulés et importés par le banc"
        )
    note = f"Mesuré sur {base}, en {nombre(time.monotonic() - started, 1)} s."
    print(section)
    print(note, file=sys.stderr)
    if args.doc:
        replace_section(args.doc, section, None)
    if args.resultats:
        replace_section(args.resultats, for_results(section, note), RESULTS_TITLE)
    return 0


if __name__ == "__main__":
    sys.exit(main())
