"""Plans are data: no file of `src/jalon` outside the plan files (`jalon/plans/`) names a plan.

Searched: the names and codes of every shipped plan file, and the words that name the two plans
Jalon ships (« 500 000 » in any spacing, « PIC », « PRIC », « investissement dans les
compétences »). The bare word « compétences » is not searched: it is a training label of the
Formacode (« Savoirs de base et compétences clés »), not a plan's name.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import jalon

SRC = Path(jalon.__file__).parent
PLANS = SRC / "plans"
SKIPPED = (PLANS, SRC / "web" / "static" / "dsfr")  # the plan files; the DSFR's own assets
TEXT = {".py", ".html", ".sql", ".json", ".toml", ".md", ".txt", ".csv", ".js", ".css"}
WORDS = [
    r"500[\s\u00a0\u202f]?000",
    r"\bPIC\b",
    r"\bPRIC\b",
    r"investissement dans les comp[ée]tences",
]


def _patterns() -> list[re.Pattern[str]]:
    names = list(WORDS)
    for path in sorted(PLANS.glob("*.toml")):
        declared = tomllib.loads(path.read_text(encoding="utf-8"))
        names += [re.escape(declared["code"]), re.escape(declared["name"]), re.escape(path.name)]
    acronyms = (r"\bPIC\b", r"\bPRIC\b")
    return [re.compile(n, 0 if n in acronyms else re.IGNORECASE) for n in names]


def test_no_plan_is_named_in_the_code() -> None:
    patterns = _patterns()
    assert len(list(PLANS.glob("*.toml"))) >= 2
    hits = []
    for path in sorted(SRC.rglob("*")):
        if not path.is_file() or path.suffix not in TEXT:
            continue
        if any(path.is_relative_to(skipped) for skipped in SKIPPED):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            hits += [
                f"{path.relative_to(SRC)}:{number}: {line.strip()}"
                for pattern in patterns
                if pattern.search(line)
            ]
    assert hits == []
