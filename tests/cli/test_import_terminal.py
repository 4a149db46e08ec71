"""`jalon import` of one file as a user runs it: on a terminal it draws each phase's bar, in a
pipe it prints the summary alone; both import the same lines."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import duckdb

from tests.conftest import DATA, TEST_KEY
from tests.helpers import on_a_terminal, terminal_output

FIXTURE = DATA / "pe-stagiaires" / "export-2016-occitanie.csv"
PHASES = ("Lecture et contrôle des lignes", "Écriture dans la base", "Entrées en formation")


def _command(db: Path) -> list[str]:
    return [sys.executable, "-m", "jalon", "import", "pe-stagiaires", str(FIXTURE), "--db", str(db)]


def _env() -> dict[str, str]:
    return {**os.environ, "JALON_SECRET": TEST_KEY, "COLUMNS": "200"}


def _on_a_terminal(db: Path) -> tuple[int, str]:
    child, master = on_a_terminal(_command(db), _env())
    try:
        drawn = terminal_output(master, child)
    finally:
        os.close(master)
    return child.wait(timeout=120), drawn


def _accepted(db: Path) -> int:
    con = duckdb.connect(str(db), read_only=True)
    try:
        row = con.execute("SELECT sum(accepted) FROM imports").fetchone()
    finally:
        con.close()
    assert row is not None
    return int(row[0])


def test_a_terminal_sees_the_bars_a_pipe_the_summary_alone(tmp_path: Path) -> None:
    code, drawn = _on_a_terminal(tmp_path / "terminal.duckdb")
    piped = subprocess.run(
        _command(tmp_path / "tube.duckdb"), capture_output=True, text=True, env=_env(), check=False
    )
    assert code == 0, drawn
    assert piped.returncode == 0, piped.stdout + piped.stderr
    for phase in PHASES:
        assert phase in drawn, drawn
        assert phase not in piped.stdout
    assert re.search(r"\d lignes", drawn)
    assert "Import n° 1 : export-2016-occitanie.csv" in drawn
    assert "Import n° 1 : export-2016-occitanie.csv" in piped.stdout
    assert _accepted(tmp_path / "terminal.duckdb") == _accepted(tmp_path / "tube.duckdb") > 0
