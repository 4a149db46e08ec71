"""LHEO memory stays bounded whatever the file holds: elements the reader does not use are freed
as the parser goes, wherever they are (beside `<offres>`, after the last formation, inside a
formation). One import of a ~40 MB catalogue, mostly a big unused element repeated, runs in a
child process that reports the growth of its peak resident memory over the import, after a
first import of a small catalogue has paid the fixed costs (DuckDB's staging tables…)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import TEST_KEY

# An extension block of a Carif feed (LHEO's <extras>): read by nobody.
UNUSED = (
    '<extras info="remplissage"><extra cle="a">' + "texte non lu " * 10 + "</extra>"
    '<extra cle="b"><valeur>1</valeur><valeur>2</valeur><valeur>3</valeur></extra></extras>\n'
)
REPEATS = 40_000


def _formation(number: int, inside: str) -> str:
    return (
        f'<formation numero="FO_{number}"><intitule-formation>Soudeur</intitule-formation>'
        f"{inside}"
        f'<action numero="AF_{number}"><lieu-de-formation><coordonnees><adresse>'
        "<code-INSEE-commune>31555</code-INSEE-commune></adresse></coordonnees>"
        "</lieu-de-formation><organisme-financeur><code-financeur>2</code-financeur>"
        "<nb-places-financees>12</nb-places-financees></organisme-financeur>"
        f'<session numero="SE_{number}"><periode><debut>20160912</debut></periode></session>'
        "</action></formation>\n"
    )


def _catalogue(path: Path, repeats: int = REPEATS) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n<lheo xmlns="http://www.lheo.org/2.2">')
        out.write(UNUSED * repeats)  # beside <offres>, before it
        out.write("<offres>\n")
        out.write(_formation(1, UNUSED * repeats))  # inside a formation, before its action
        out.write(_formation(2, ""))
        out.write(UNUSED * repeats)  # after the last formation
        out.write("</offres>\n")
        out.write(UNUSED * repeats)  # beside <offres>, after it
        out.write("</lheo>\n")


CHILD = """
import json, resource, sys
from pathlib import Path
from jalon.ingest.lheo import import_lheo
from jalon.plan import load_plan
from jalon.store import open_store
con = open_store(Path(sys.argv[3]))
plan = load_plan()
import_lheo(con, Path(sys.argv[2]), plan, dry_run=True)  # the fixed costs of a first import
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
summary = import_lheo(con, Path(sys.argv[1]), plan, dry_run=True)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps([summary.accepted, summary.rejected, (after - before) * 1024]))
"""


def test_unused_elements_are_freed_as_the_parser_goes(tmp_path: Path) -> None:
    path, small = tmp_path / "catalogue-extras.xml", tmp_path / "catalogue-petit.xml"
    _catalogue(path)
    _catalogue(small, repeats=1)
    size = path.stat().st_size
    assert size > 25 << 20
    env = {**os.environ, "JALON_SECRET": TEST_KEY}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), str(small), str(tmp_path / "base.duckdb")],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    accepted, rejected, growth = json.loads(done.stdout.strip().splitlines()[-1])
    assert (accepted, rejected) == (4, 0)  # two actions, two sessions
    # Kept as a tree, this file took 6 times its size (+250 Mio for 41 Mio); freed as it goes,
    # the import's peak grows by a small fraction of it.
    assert growth < size / 4, f"mémoire de pointe +{growth >> 20} Mio pour {size >> 20} Mio"
