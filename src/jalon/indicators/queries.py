"""Run the bilan's queries: the same Ibis definitions on any backend, fast on the embedded DuckDB.

`collect` returns every grouped result a bilan needs (`QueryResults`, plain rows). Two tables are
materialised once per call and read by several queries: the phase's entries with their persons'
attributes, and the phase's leavers with their outcomes. On a generic Ibis backend (Spark) they
are Ibis cached tables. On DuckDB, compiling the Ibis expressions costs more than running them on
small stores, so the SQL is compiled once per plan, phase, region and schema and kept in memory
(`_compiled`); each call then only creates its two temporary tables (allowed on a read-only
connection, private to it) and runs the SQL. Nothing is written to the database file.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import duckdb
import ibis
import ibis.expr.types as ir
import pyarrow as pa
from ibis.backends import BaseBackend

from jalon.indicators import definitions as d
from jalon.plan import Phase, Plan

ENTRY_DIMENSIONS = (
    "mois",
    "financeur_principal",
    "financeur",
    "departement",
    "domaine",
    "tranche_age",
    "niveau",
)
TOP_ORGANISMES = 20
_ENTRIES = "jalon_entrees_phase_"
_LEAVERS = "jalon_sortants_phase_"

Rows = list[dict[str, Any]]


@dataclass
class QueryResults:
    """Query results, each a list of rows carrying a `region` column (NULL: unknown region)."""

    summary: Rows
    counts: dict[str, Rows]
    reference: Rows
    stock: Rows
    outcomes: Rows
    places: Rows
    demandeurs: Rows
    actions: Rows
    national_persons: Rows
    national_outcomes: Rows
    national_organismes: Rows
    access_persons: Rows
    national_access_persons: Rows
    _index: dict[int, dict[str | None, Rows]] = field(default_factory=dict, repr=False)

    def of(self, rows: Rows, region: str | None) -> Rows:
        """The rows of one region (all rows, for the nation), indexed on first use."""
        if region is None:
            return rows
        index = self._index.get(id(rows))
        if index is None:
            index = self._index[id(rows)] = {}
            for row in rows:
                index.setdefault(row["region"], []).append(row)
        return index.get(region, [])


def _queries(
    t: d.Tables,
    plan: Plan,
    phase: Phase,
    region: str | None,
    entries: ir.Table,
    leavers: ir.Table,
) -> dict[str, ir.Table]:
    trainees = d.trainees(t, phase.start, phase.end, region)
    queries = {
        "summary": d.summary(entries),
        "reference": d.entries_by_month(
            t, plan, phase.reference_start, phase.reference_end, region
        ),
        "stock": d.starts_and_ends(t, plan, phase, region),
        "outcomes": d.outcomes_by_region(leavers),
        "places": d.places_by_financeur(t, phase, region),
        "demandeurs": d.demandeurs_by_region(t, phase.start.year, region),
        "actions": d.actions_by_type(t, phase, region),
        "national_persons": entries.aggregate(personnes=d.distinct_persons(entries)),
        "access_persons": d.persons_by_region(trainees),
        "national_access_persons": trainees.aggregate(personnes=d.distinct_persons(trainees)),
        "national_outcomes": d.outcomes_national(leavers),
    }
    queries["counts:organisme"] = d.top_organismes(entries, TOP_ORGANISMES, by_region=True)
    queries["national_organismes"] = d.top_organismes(entries, TOP_ORGANISMES, by_region=False)
    if region is not None:
        for name in (
            "national_persons",
            "national_outcomes",
            "national_organismes",
            "national_access_persons",
        ):
            del queries[name]
    for dimension in ENTRY_DIMENSIONS:
        queries[f"counts:{dimension}"] = d.counts_by(entries, dimension, plan)
    return queries


def _results(rows: dict[str, Rows]) -> QueryResults:
    counts = {k.split(":", 1)[1]: v for k, v in rows.items() if k.startswith("counts:")}
    return QueryResults(
        summary=rows["summary"],
        counts=counts,
        reference=rows["reference"],
        stock=rows["stock"],
        outcomes=rows["outcomes"],
        places=rows["places"],
        demandeurs=rows["demandeurs"],
        actions=rows["actions"],
        national_persons=rows.get("national_persons", []),
        national_outcomes=rows.get("national_outcomes", []),
        national_organismes=rows.get("national_organismes", []),
        access_persons=rows["access_persons"],
        national_access_persons=rows.get("national_access_persons", []),
    )


@contextmanager
def _cached(expr: ir.Table) -> Iterator[ir.Table]:
    table = expr.cache()
    try:
        yield table
    finally:
        table.release()


def collect_on(backend: BaseBackend, plan: Plan, phase: Phase, region: str | None) -> QueryResults:
    """Every query of a bilan run through Ibis on any backend."""
    t = d.Tables.of(backend)
    with (
        _cached(d.phase_entries(t, plan, phase, region)) as entries,
        _cached(d.leavers_outcomes(t, plan, phase, region)) as leavers,
    ):
        queries = _queries(t, plan, phase, region, entries, leavers)
        return _results({k: backend.to_pyarrow(q).to_pylist() for k, q in queries.items()})


@dataclass(frozen=True)
class _Compiled:
    entries: str
    leavers: str
    queries: dict[str, tuple[str, pa.Schema]]  # SQL and the result types Ibis declares


def _schema_fingerprint(con: duckdb.DuckDBPyConnection) -> str:
    rows = con.execute(
        "SELECT table_name, column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = 'main' ORDER BY table_name, ordinal_position"
    ).fetchall()
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def _compile(backend: BaseBackend, plan: Plan, phase: Phase, region: str | None) -> _Compiled:
    t = d.Tables.of(backend)
    entries_expr = d.phase_entries(t, plan, phase, region)
    leavers_expr = d.leavers_outcomes(t, plan, phase, region)
    entries = ibis.table(entries_expr.schema(), name=_ENTRIES)
    leavers = ibis.table(leavers_expr.schema(), name=_LEAVERS)
    queries = _queries(t, plan, phase, region, entries, leavers)
    return _Compiled(
        entries=ibis.to_sql(entries_expr, dialect="duckdb"),
        leavers=ibis.to_sql(leavers_expr, dialect="duckdb"),
        queries={
            k: (ibis.to_sql(q, dialect="duckdb"), q.schema().to_pyarrow())
            for k, q in queries.items()
        },
    )


_COMPILED: dict[tuple[str, str, str | None, str], _Compiled] = {}
_COMPILED_MAX = 64


def _fetch(con: duckdb.DuckDBPyConnection, text: str) -> pa.Table:
    return con.sql(text).to_arrow_table()


def collect_duckdb(
    con: duckdb.DuckDBPyConnection, plan: Plan, phase: Phase, region: str | None
) -> QueryResults:
    """Every query of a bilan on DuckDB, with the compiled SQL kept between calls."""
    key = (plan.model_dump_json(), phase.code, region, _schema_fingerprint(con))
    compiled = _COMPILED.get(key)
    if compiled is None:
        if len(_COMPILED) >= _COMPILED_MAX:
            _COMPILED.clear()
        compiled = _COMPILED[key] = _compile(ibis.duckdb.from_connection(con), plan, phase, region)
    token = uuid.uuid4().hex[:12]
    names = {_ENTRIES: f"{_ENTRIES}{token}", _LEAVERS: f"{_LEAVERS}{token}"}

    def sql(text: str) -> str:
        for placeholder, name in names.items():
            text = text.replace(f'"{placeholder}"', f'"{name}"')
        return text

    try:
        con.execute(f'CREATE TEMP TABLE "{names[_ENTRIES]}" AS {compiled.entries}')
        con.execute(f'CREATE TEMP TABLE "{names[_LEAVERS]}" AS {compiled.leavers}')
        rows = {
            k: _fetch(con, sql(text)).cast(schema).to_pylist()
            for k, (text, schema) in compiled.queries.items()
        }
    finally:
        for name in names.values():
            con.execute(f'DROP TABLE IF EXISTS temp."{name}"')
    return _results(rows)
