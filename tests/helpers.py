"""Helpers shared by the tests and the benches (which import them from the repository root).

`state_checksum(db, tables)` reads a closed store read-only and gives each table's row count and
an MD5 of its rows sorted as text: two equal results mean the tables hold the same rows, which is
how the kill -9 and refusal tests check that a failed or refused write left the store untouched.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import duckdb


def state_checksum(db: Path, tables: Iterable[str]) -> dict[str, tuple[int, str]]:
    """Each table's (row count, MD5 of its rows as sorted text) in the store at `db`."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        state: dict[str, tuple[int, str]] = {}
        for table in tables:
            row = con.execute(
                f"SELECT count(*), md5(coalesce(string_agg(t::VARCHAR, chr(10) "
                f"ORDER BY t::VARCHAR), '')) FROM {table} t"
            ).fetchone()
            assert row is not None
            state[table] = (int(row[0]), str(row[1]))
        return state
    finally:
        con.close()
