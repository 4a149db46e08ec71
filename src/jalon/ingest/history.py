"""Read the import history and the rejected lines back from the store (read-only queries).

`imports` lists every import, replaced ones included; `rejections` returns the rejected lines of
one import in file order (or its anomalies: values dropped from the lines it kept), and
`write_rejections_csv` exports them for the funder who must fix the
file (`;`-separated, UTF-8 with BOM so that a spreadsheet opens it with its accents).
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import duckdb

from jalon.ingest.errors import IngestError


@dataclass(frozen=True)
class ImportRecord:
    import_id: int
    profile: str
    layout: str | None
    file_name: str
    encoding: str | None
    finished_at: dt.datetime
    lines_read: int
    accepted: int
    rejected: int
    duplicates: int
    status: str
    replaces: int | None
    replaced_by: int | None


@dataclass(frozen=True)
class Rejection:
    line: int
    column: str | None
    reason: str
    message: str
    value: str | None


def imports(con: duckdb.DuckDBPyConnection) -> list[ImportRecord]:
    rows = con.execute(
        """
        SELECT i.import_id, i.profile, i.layout, i.file_name, i.encoding, i.finished_at,
               i.lines_read, i.accepted, i.rejected, i.duplicates, i.status, i.replaces,
               (SELECT min(n.import_id) FROM imports n WHERE n.replaces = i.import_id)
        FROM imports i ORDER BY i.import_id
        """
    ).fetchall()
    return [ImportRecord(*row) for row in rows]


def get_import(con: duckdb.DuckDBPyConnection, import_id: int) -> ImportRecord:
    found = [r for r in imports(con) if r.import_id == import_id]
    if not found:
        raise IngestError(f"aucun import n° {import_id} dans cette base (voir « jalon imports »).")
    return found[0]


#: The two tables of faulty values: the lines lost (`rejets`) and the values dropped from kept
#: lines (`anomalies`); they have the same columns.
FAULT_TABLES = ("rejets", "anomalies")


def rejections(
    con: duckdb.DuckDBPyConnection,
    import_id: int,
    limit: int | None = None,
    *,
    table: str = "rejets",
) -> list[Rejection]:
    """The rejected lines (or, with `table="anomalies"`, the anomalies) of one import."""
    assert table in FAULT_TABLES
    get_import(con, import_id)
    sql = (
        f"SELECT line, column_name, reason, message, value FROM {table} WHERE import_id = ? "
        "ORDER BY line, column_name NULLS FIRST, reason"
    )
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    return [Rejection(*row) for row in con.execute(sql, [import_id]).fetchall()]


def count_rejections(
    con: duckdb.DuckDBPyConnection, import_id: int, *, table: str = "rejets"
) -> int:
    assert table in FAULT_TABLES
    row = con.execute(f"SELECT count(*) FROM {table} WHERE import_id = ?", [import_id]).fetchone()
    return int(row[0]) if row else 0


CSV_HEADER = ("ligne", "colonne", "motif", "message", "valeur")


def write_rejections_csv(
    con: duckdb.DuckDBPyConnection, import_id: int, path: Path, *, table: str = "rejets"
) -> int:
    """Write every rejection (or anomaly) of `import_id` to `path`; return how many."""
    rows = rejections(con, import_id, table=table)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(CSV_HEADER)
        for r in rows:
            writer.writerow([r.line, r.column or "", r.reason, r.message, r.value or ""])
    return len(rows)
