"""The data version of a document: which imports and which plan file it was computed from.

`data_version` reads the `imports` table (read-only) and hashes, in a fixed order, the plan file's
SHA-256 and each import's id, file SHA-256 and status into a short version code. Two documents
with the same code were computed from the same data and plan, and Jalon renders them identically;
replacing, adding or withdrawing an import changes the code. The document's date is the end of the
last import, never the time of rendering, so that regenerating it gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

import duckdb

from jalon.plan import Plan

SHORT_LENGTH = 12
_EPOCH = dt.datetime(2016, 1, 1)


@dataclass(frozen=True)
class ImportInfo:
    import_id: int
    profile: str
    file_name: str
    sha256: str
    finished_at: dt.datetime
    lines_read: int
    accepted: int
    rejected: int
    duplicates: int
    status: str


@dataclass(frozen=True)
class SourceSummary:
    """The imports of one file format, added up (a national store holds hundreds of files)."""

    profile: str
    files: int
    first: dt.datetime
    last: dt.datetime
    lines_read: int
    accepted: int
    rejected: int
    duplicates: int
    replaced: int


@dataclass(frozen=True)
class DataVersion:
    plan_sha256: str
    imports: tuple[ImportInfo, ...]
    code: str

    @property
    def as_of(self) -> dt.datetime:
        """When the data were last changed (the end of the last import)."""
        return max((i.finished_at for i in self.imports), default=_EPOCH)

    @property
    def active_imports(self) -> tuple[ImportInfo, ...]:
        return tuple(i for i in self.imports if i.status == "actif")

    def by_profile(self) -> tuple[SourceSummary, ...]:
        groups: dict[str, list[ImportInfo]] = {}
        for info in self.imports:
            groups.setdefault(info.profile, []).append(info)
        return tuple(
            SourceSummary(
                profile,
                len(items),
                min(i.finished_at for i in items),
                max(i.finished_at for i in items),
                sum(i.lines_read for i in items),
                sum(i.accepted for i in items),
                sum(i.rejected for i in items),
                sum(i.duplicates for i in items),
                sum(i.status == "remplace" for i in items),
            )
            for profile, items in sorted(groups.items())
        )

    @property
    def active_ids(self) -> str:
        """The active import numbers as ranges: `1 à 40, 42, 45 à 47`."""
        ids = [i.import_id for i in self.active_imports]
        ranges: list[list[int]] = []
        for number in ids:
            if ranges and number == ranges[-1][1] + 1:
                ranges[-1][1] = number
            else:
                ranges.append([number, number])
        return ", ".join(
            str(a) if a == b else (f"{a}, {b}" if b == a + 1 else f"{a} à {b}") for a, b in ranges
        )


def version_code(plan_sha256: str, imports: tuple[ImportInfo, ...]) -> str:
    payload = json.dumps(
        {
            "plan": plan_sha256,
            "imports": [[i.import_id, i.sha256, i.status] for i in imports],
        },
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode()).hexdigest()[:SHORT_LENGTH]


def data_version(con: duckdb.DuckDBPyConnection, plan: Plan) -> DataVersion:
    rows = con.execute(
        "SELECT import_id, profile, file_name, sha256, finished_at, lines_read, accepted, "
        "rejected, duplicates, status FROM imports ORDER BY import_id"
    ).fetchall()
    imports = tuple(ImportInfo(*row) for row in rows)
    return DataVersion(plan.sha256, imports, version_code(plan.sha256, imports))
