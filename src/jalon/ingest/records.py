"""The accounting shared by every import path (tabular and LHEO): the summary, the timed steps,
the file's SHA-256 and the two refusals made before anything is written (a file already imported,
a `--remplace` that names no active import of the same profile). Pure bookkeeping: reads the
`imports` table, writes nothing.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb

from jalon.ingest.errors import IngestError
from jalon.sources import Profile

Step = Callable[[str], None]


@dataclass(frozen=True)
class ImportSummary:
    import_id: int | None
    file_name: str
    profile: str
    layout: str
    encoding: str
    lines_read: int
    accepted: int
    rejected: int
    duplicates: int
    rejects_by_reason: dict[str, int]
    dry_run: bool = False
    replaces: int | None = None
    input_kind: str = "CSV"
    #: Wall-clock seconds of each step, in order (`Steps`); not stored, only reported.
    durations: dict[str, float] = field(default_factory=dict)
    #: Accepted lines (or elements) carrying at least one anomaly, and anomalies per reason.
    with_anomalies: int = 0
    anomalies_by_reason: dict[str, int] = field(default_factory=dict)
    #: Columns of the file that no profile declares: dropped unread, named as a warning.
    ignored_columns: list[str] = field(default_factory=list)
    #: The regions (INSEE codes) of the rows written, as `imports.regions_ecrites` keeps them.
    regions: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


class Steps:
    """Announce each step of an import (to `step`, e.g. a progress line) and time it."""

    def __init__(self, step: Step | None) -> None:
        self._step = step
        self._current: str | None = None
        self._started = 0.0
        self.durations: dict[str, float] = {}

    def __call__(self, name: str) -> None:
        self.stop()
        self._current, self._started = name, time.perf_counter()
        if self._step is not None:
            self._step(name)

    def stop(self) -> None:
        if self._current is not None:
            spent = time.perf_counter() - self._started
            self.durations[self._current] = self.durations.get(self._current, 0.0) + spent
            self._current = None


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 22):
            digest.update(chunk)
    return digest.hexdigest()


def refuse_known_file(con: duckdb.DuckDBPyConnection, sha: str, name: str) -> None:
    """Refuse a file already imported. A header-only file (a month without entries) adds
    nothing, so the same empty export of two funders is not a repeat."""
    row = con.execute(
        "SELECT import_id, file_name, finished_at FROM imports WHERE sha256 = ? "
        "AND lines_read > 0 ORDER BY import_id",
        [sha],
    ).fetchone()
    if row:
        raise IngestError(
            f"{name} : ce fichier (même empreinte SHA-256) a déjà été importé, import n° {row[0]} "
            f"({row[1]}, le {row[2]:%d/%m/%Y à %H:%M}). Rien n'a été écrit."
        )


def check_replaced(con: duckdb.DuckDBPyConnection, replaces: int, profile: Profile) -> None:
    row = con.execute(
        "SELECT profile, status, file_name FROM imports WHERE import_id = ?", [replaces]
    ).fetchone()
    if row is None:
        raise IngestError(
            f"--remplace {replaces} : aucun import n° {replaces}. Rien n'a été écrit."
        )
    if row[1] != "actif":
        raise IngestError(
            f"--remplace {replaces} : l'import n° {replaces} ({row[2]}) a déjà été remplacé. "
            "Rien n'a été écrit."
        )
    if row[0] != profile.name:
        raise IngestError(
            f"--remplace {replaces} : l'import n° {replaces} ({row[2]}) est du profil {row[0]}, "
            f"pas {profile.name}. Rien n'a été écrit."
        )
