"""Progress of a long DuckDB statement, polled from a helper thread.

`watch(con, phase, report, lines)` runs `report(phase, fraction, lines)` about five times a second
while the block runs, with DuckDB's own estimate of the running query's progress
(`query_progress()`, safe to call from another thread) and the estimated number of lines of the
file (0 when unknown). The thread only reads; it stops when the block ends, even on error.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import duckdb

Report = Callable[[str, float, int], None]
POLL_SECONDS = 0.2


def enable(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        "SET enable_progress_bar = true; SET enable_progress_bar_print = false; "
        "SET progress_bar_time = 0"
    )


@contextmanager
def watch(
    con: duckdb.DuckDBPyConnection, phase: str, report: Report | None, lines: int = 0
) -> Iterator[None]:
    if report is None:
        yield
        return
    stop = threading.Event()

    def poll() -> None:
        while not stop.wait(POLL_SECONDS):
            try:
                value = con.query_progress()
            except duckdb.Error:
                return
            if value >= 0:
                report(phase, min(value, 100.0) / 100.0, lines)

    thread = threading.Thread(target=poll, name="jalon-progress", daemon=True)
    report(phase, 0.0, lines)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
        report(phase, 1.0, lines)
