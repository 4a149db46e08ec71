"""The store's marts: `entrees_marts`, une ligne par entrée en formation with the person's
attributes on the entry date and the outcome after the end (`jalon.indicators.definitions.
entrees_marts`, an Ibis expression compiled to DuckDB SQL), materialised once per import.

`refresh_marts` runs in its own transaction after an import (`jalon.ingest.importer`); it rebuilds
when its sources or the plan's rules changed, which a signature kept in `meta` records: row counts
and latest import of `entree_lignes`, `personnes` and `emplois`, the count of `entrees`, a digest
of the rules. `mart_table` is for readers (read-only connections included): the stored table when
its signature is current, else the same SQL into a temporary table private to the connection, so
that a bilan is never computed on a stale mart.
"""

from __future__ import annotations

import hashlib
import uuid

import duckdb
import ibis

from jalon.indicators import definitions as d
from jalon.plan import Plan

MART = "entrees_marts"
_META_KEY = "signature_entrees_marts"
_SOURCES = ("entree_lignes", "personnes", "emplois")


_SQL: dict[tuple[str, str], str] = {}


def _declared(plan: Plan) -> str:
    declared = plan.rules.model_dump_json() + repr([p.model_dump_json() for p in plan.phases])
    return hashlib.sha256(declared.encode()).hexdigest()


def mart_sql(con: duckdb.DuckDBPyConnection, plan: Plan) -> str:
    """The mart's SELECT, ordered by entry date so that a phase's filter skips row groups.

    Compiled once per plan and schema of the tables it reads (compiling costs ~0.4 s, more than
    a small import), and kept in memory."""
    columns = con.execute(
        "SELECT table_name, column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = 'main' AND table_name IN ({}) ORDER BY ALL".format(
            ", ".join(f"'{name}'" for name in d.TABLES)
        )
    ).fetchall()
    key = (_declared(plan), hashlib.sha256(repr(columns).encode()).hexdigest())
    if key not in _SQL:
        expr = d.entrees_marts(d.Tables.of(ibis.duckdb.from_connection(con)), plan)
        sql = ibis.to_sql(expr, dialect="duckdb")
        _SQL[key] = f"SELECT * FROM ({sql}) ORDER BY date_entree"
    return _SQL[key]


def signature(con: duckdb.DuckDBPyConnection, plan: Plan) -> str:
    parts = [
        f"(SELECT count(*) || ':' || coalesce(max(import_id), 0) FROM {table})"
        for table in _SOURCES
    ]
    # fetchall: DuckDB 2 keeps a half-read result open and refuses the next statement.
    rows = con.execute(
        f"SELECT concat_ws('/', {', '.join(parts)}, (SELECT count(*) FROM entrees))"
    ).fetchall()
    return f"{rows[0][0]}/{_declared(plan)}"


def _stored_signature(con: duckdb.DuckDBPyConnection) -> str | None:
    exists = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'main' AND table_name = ?",
        [MART],
    ).fetchall()
    if not exists[0][0]:
        return None
    rows = con.execute("SELECT value FROM meta WHERE key = ?", [_META_KEY]).fetchall()
    return str(rows[0][0]) if rows else None


def refresh_marts(con: duckdb.DuckDBPyConnection, plan: Plan) -> bool:
    """Rebuild the marts if their sources or rules changed; return whether it did."""
    current = signature(con, plan)
    if _stored_signature(con) == current:
        return False
    con.execute(f"CREATE OR REPLACE TABLE {MART} AS {mart_sql(con, plan)}")
    con.execute("DELETE FROM meta WHERE key = ?", [_META_KEY])
    con.execute("INSERT INTO meta VALUES (?, ?)", [_META_KEY, current])
    return True


def mart_table(con: duckdb.DuckDBPyConnection, plan: Plan) -> tuple[str, bool]:
    """The name of an up-to-date mart to read, and whether it is a temporary table that the
    caller must drop (`DROP TABLE temp."name"`)."""
    if _stored_signature(con) == signature(con, plan):
        return MART, False
    name = f"jalon_marts_{uuid.uuid4().hex[:12]}"
    con.execute(f'CREATE TEMP TABLE "{name}" AS {mart_sql(con, plan)}')
    return name, True
