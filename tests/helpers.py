"""Helpers shared by the tests and the benches (which import them from the repository root).

`state_checksum(db, tables)` reads a closed store read-only and gives each table's row count and
an MD5 of its rows sorted as text: two equal results mean the tables hold the same rows, which is
how the kill -9 and refusal tests check that a failed or refused write left the store untouched.
`on_a_terminal(args, env)` runs a command on a pseudo-terminal (so Rich draws its bars) and
`terminal_output` reads what it wrote there until it ends.
"""

from __future__ import annotations

import os
import pty
import select
import subprocess
import time
from collections.abc import Iterable, Mapping, Sequence
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


def on_a_terminal(
    args: Sequence[str], env: Mapping[str, str]
) -> tuple[subprocess.Popen[bytes], int]:
    """The process started with a pseudo-terminal as its input and outputs, and that terminal."""
    master, slave = pty.openpty()
    child = subprocess.Popen(
        list(args), stdin=slave, stdout=slave, stderr=slave, env=dict(env), close_fds=True
    )
    os.close(slave)
    return child, master


def terminal_output(master: int, child: subprocess.Popen[bytes], timeout: float = 240) -> str:
    """All the process writes on its terminal until it closes it; fails past `timeout`."""
    seen = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if select.select([master], [], [], 0.5)[0]:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: every end of the terminal on the child's side is closed
                chunk = b""
            if not chunk:
                return seen.decode(errors="replace")
            seen += chunk
        elif child.poll() is not None:
            return seen.decode(errors="replace")
    child.kill()
    raise AssertionError(f"toujours en cours après {timeout} s :\n" + seen.decode(errors="replace"))
