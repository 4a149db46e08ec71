"""Import a series of files as one unit: `jalon demo`, the calibration bench, a first load.

Every file goes through `import_file` (same checks, same accounting, one `imports` row each), but
inside one transaction for the whole series: `entrees` (une ligne par entrée en formation) and the
indicator marts are rebuilt once after the last file instead of after each one, which is what
costs most for hundreds of small monthly exports. All or nothing: if a file is refused whole, or
the process dies, the store is as it was before the series. A file may correct an earlier file of
the same series (`replaces`), as `jalon import --remplace` does.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from jalon.indicators.marts import refresh_marts
from jalon.ingest.errors import IngestError
from jalon.ingest.importer import ImportSummary, Step, configure, import_file, work_folder
from jalon.plan import Plan
from jalon.sources import Profile
from jalon.store.canonical import rebuild_entrees
from jalon.store.database import transaction


@dataclass(frozen=True)
class BatchFile:
    """One file of a series, with the profile that reads it and, for a corrected export, the
    earlier file of the series whose import it replaces."""

    path: Path
    profile: Profile
    replaces: Path | None = None


def import_batch(
    con: duckdb.DuckDBPyConnection,
    files: Sequence[BatchFile],
    plan: Plan,
    key: bytes,
    *,
    on_file: Callable[[BatchFile, ImportSummary], None] | None = None,
    step: Step | None = None,
) -> list[ImportSummary]:
    """Import `files` in order, in one transaction; return one summary per file.

    Raises `IngestError` (nothing written) if any file is refused whole.
    """
    say = step or (lambda _message: None)
    workdir = work_folder(con)
    configure(con, workdir)
    import_of: dict[Path, int] = {}
    summaries: list[ImportSummary] = []
    try:
        with transaction(con):
            for item in files:
                summary = import_file(
                    con,
                    item.path,
                    item.profile,
                    plan,
                    key,
                    replaces=_replaced(item, import_of),
                    in_batch=True,
                )
                if summary.import_id is not None:
                    import_of[item.path] = summary.import_id
                summaries.append(summary)
                if on_file is not None:
                    on_file(item, summary)
            say("Entrées en formation")
            rebuild_entrees(con, plan.rules)
            say("Tables des indicateurs")
            refresh_marts(con, plan)
    finally:
        with contextlib.suppress(OSError):
            workdir.rmdir()
    return summaries


def _replaced(item: BatchFile, import_of: dict[Path, int]) -> int | None:
    if item.replaces is None:
        return None
    if item.replaces not in import_of:
        raise IngestError(
            f"{item.path.name} corrige {item.replaces.name}, qui n'a pas été importé plus tôt "
            "dans la même série. Rien n'a été écrit."
        )
    return import_of[item.replaces]
