"""An import killed with SIGKILL at any stage leaves the store exactly as it was before.

A child process imports a large generated `pe-stagiaires` file and reports each phase on its
standard output; the test kills it (`kill -9`) as soon as the chosen phase starts — while lines
are parsed, while rows are written inside the transaction, or while `entrees` is rebuilt — then
reopens the database and compares every table's row count and content checksum with the state
before the import.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from jalon.ingest import import_file
from jalon.simulate.pe_stagiaires import write_pe_stagiaires
from jalon.sources import builtin_profiles
from jalon.store import open_store
from tests.conftest import DATA, TEST_KEY
from tests.helpers import state_checksum

TABLES = ("meta", "imports", "rejets", "entree_lignes", "entrees", "personnes", "demandeurs")
LINES = 100_000

CHILD = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from jalon.ingest import import_file
    from jalon.plan import load_plan
    from jalon.sources import builtin_profiles
    from jalon.store import open_store

    def report(phase, fraction, lines):
        print(phase, flush=True)

    con = open_store(Path(sys.argv[1]))
    import_file(con, Path(sys.argv[2]), builtin_profiles()["pe-stagiaires"], load_plan(),
                sys.argv[3].encode(), report=report)
    print("FINI", flush=True)
    """
)


@pytest.fixture(scope="module")
def big_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("gros") / "export-national.csv"
    write_pe_stagiaires(path, LINES, seed=7)
    return path


@pytest.mark.slow
@pytest.mark.parametrize(
    "phase", ["Lecture et contrôle des lignes", "Écriture dans la base", "Entrées en formation"]
)
def test_kill_9_mid_import_leaves_the_store_unchanged(plan, key, tmp_path, big_file, phase):
    db = tmp_path / "jalon.duckdb"
    con = open_store(db)
    import_file(
        con,
        DATA / "pe-stagiaires" / "export-2016-occitanie.csv",
        builtin_profiles()["pe-stagiaires"],
        plan,
        key,
    )
    con.close()
    before = state_checksum(db, TABLES)
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(db), str(big_file), TEST_KEY],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert child.stdout is not None
    seen = []
    for line in child.stdout:
        seen.append(line.strip())
        if line.strip() == phase:
            child.send_signal(signal.SIGKILL)
            break
    child.wait(timeout=120)
    assert child.returncode == -signal.SIGKILL, seen
    assert "FINI" not in seen
    assert state_checksum(db, TABLES) == before
    reopened = open_store(db)
    try:
        summary = import_file(
            reopened,
            DATA / "pe-stagiaires" / "indicateurs-2016.csv",
            builtin_profiles()["pe-stagiaires"],
            plan,
            key,
        )
        assert summary.import_id == 2
    finally:
        reopened.close()
