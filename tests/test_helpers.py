"""`tests.helpers.state_checksum`: what the kill -9 and refusal tests rely on to see a change."""

from __future__ import annotations

from pathlib import Path

import duckdb

from tests.helpers import state_checksum


def _store(path: Path, rows: list[tuple[int, str]]) -> Path:
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE t (n INTEGER, s VARCHAR)")
    con.execute("CREATE TABLE vide (n INTEGER)")
    con.executemany("INSERT INTO t VALUES (?, ?)", rows)
    con.close()
    return path


def test_same_rows_in_another_order_give_the_same_state(tmp_path: Path) -> None:
    one = _store(tmp_path / "a.duckdb", [(1, "x"), (2, "y")])
    other = _store(tmp_path / "b.duckdb", [(2, "y"), (1, "x")])
    assert state_checksum(one, ["t", "vide"]) == state_checksum(other, ["t", "vide"])
    assert state_checksum(one, ["t", "vide"])["t"][0] == 2
    assert state_checksum(one, ["vide"])["vide"][0] == 0


def test_one_changed_value_changes_the_state_at_the_same_count(tmp_path: Path) -> None:
    one = _store(tmp_path / "a.duckdb", [(1, "x"), (2, "y")])
    other = _store(tmp_path / "b.duckdb", [(1, "x"), (2, "z")])
    before, after = state_checksum(one, ["t"])["t"], state_checksum(other, ["t"])["t"]
    assert before[0] == after[0] == 2
    assert before[1] != after[1]
