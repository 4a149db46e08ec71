"""Run the bilan's queries: the same Ibis definitions on any backend, fast on the embedded DuckDB.

`collect` returns every grouped result a bilan needs (`QueryResults`, plain rows), for a phase
as observed at its date d'arrêt des données (`jalon.indicators.arret.Arret`: the phase and its
reference window cut at the same point, the same days a year earlier). Every measure
reads the mart `entrees_marts` (one row per entry, the person's attributes and the outcome already
joined: `definitions.entrees_marts`). On DuckDB it is the table the importer keeps current
(`jalon.indicators.marts`; a stale or missing one is rebuilt as a temporary table for the call);
on a generic Ibis backend (Spark) the same expression is evaluated into an Ibis cached table, and so
are the phase's counted entries and leavers that several queries read. On DuckDB every query
reads the mart directly (sorted by entry date, a phase's filter skips most of it; copying the
phase's rows first costs more than it saves). Compiling the Ibis expressions costs more than
running them on small stores, so the SQL is compiled once per plan, phase, region and schema and
kept in memory (`_compiled`). Nothing is written to the database file.

The names of the training organisations in the by-organisation table are read at query time
from the import lines (`entree_lignes.organisme`, `organisme_names`): neither the entries nor
the mart carry them. A backend without the import tables (a Spark copy of the indicator tables)
gets no names, and the table shows the SIRET.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import duckdb
import ibis
import ibis.expr.types as ir
import pyarrow as pa
from ibis.backends import BaseBackend
from ibis.common.exceptions import TableNotFound

from jalon.indicators import definitions as d
from jalon.indicators import marts
from jalon.indicators.arret import Arret
from jalon.plan import Plan

ENTRY_DIMENSIONS = (
    "mois",
    "financeur_principal",
    "financeur",
    "departement",
    "domaine",
    "tranche_age",
    "niveau",
)
MONTH_FINANCEUR = "mois_financeur"  # the counts crossing month and financeur principal
TOP_ORGANISMES = 20
_MART = "jalon_marts_"

Rows = list[dict[str, Any]]


@dataclass
class QueryResults:
    """Query results, each a list of rows carrying a `region` column (NULL: unknown region)."""

    summary: Rows
    counts: dict[str, Rows]
    scope: Rows
    reference: Rows  # the reference window cut like the phase (like for like)
    reference_full: Rows  # the whole reference window (the pace and the projection)
    year_before: Rows  # the phase's observed days a year earlier (glissement annuel)
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
    organisme_names: Rows = field(default_factory=list)  # siret, organisme, lignes
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


def organisme_names(lines: ir.Table, imports: ir.Table, sirets: ir.Table) -> ir.Table:
    """How many lines of active imports give each name (`organisme`) to each SIRET of `sirets`
    (a table with a `key` column): `siret`, `organisme`, `lignes`. The bilan keeps the most
    frequent name once trimmed (`jalon.indicators.bilan.organisation_names`): trimming 10
    million strings in SQL would cost more than the whole bilan."""
    active = imports.filter(imports.status == "actif").select("import_id")
    named = lines.filter(lines.organisme.notnull() & (lines.organisme != ""))
    named = named.semi_join(sirets, named.siret == sirets.key).semi_join(active, "import_id")
    return named.group_by(["siret", "organisme"]).aggregate(lignes=named.count())


def _queries(
    t: d.Tables,
    plan: Plan,
    mart: ir.Table,
    arret: Arret,
    region: str | None,
    entries: ir.Table,
    leavers: ir.Table,
    lines: tuple[ir.Table, ir.Table] | None,
) -> dict[str, ir.Table]:
    """The bilan's queries; `lines` are the import lines and imports tables, when the backend
    has them (for the organisations' names). Every window is the phase cut at its date d'arrêt
    (`arret.window`)."""
    phase = arret.window
    full = arret.phase
    cut = arret.en_cours
    trainees = d.trainees(mart, phase.start, phase.end, region)
    queries = {
        "summary": d.summary(entries, phase),
        "scope": d.scope_counts(mart, phase, plan, region),
        "reference": d.month_counts(mart, phase.reference_start, phase.reference_end, region),
        "year_before": d.month_counts(mart, *arret.year_before, region),
        "stock": d.starts_and_ends(mart, phase, region),
        "outcomes": d.outcomes_by_region(leavers, phase, cut),
        "places": d.places_by_financeur(t, phase, region),
        "demandeurs": d.demandeurs_by_region(t, phase.start.year, region),
        "actions": d.actions_by_type(t, phase, region),
        "national_persons": entries.aggregate(personnes=d.distinct_persons(entries, phase)),
        "access_persons": d.persons_by_region(trainees, phase),
        "national_access_persons": trainees.aggregate(
            personnes=d.distinct_persons(trainees, phase, "acces")
        ),
        "national_outcomes": d.outcomes_national(leavers, phase, cut),
    }
    if cut:
        queries["reference_full"] = d.month_counts(
            mart, full.reference_start, full.reference_end, region
        )
    queries["counts:organisme"] = d.top_organismes(entries, TOP_ORGANISMES, by_region=True)
    queries["national_organismes"] = d.top_organismes(entries, TOP_ORGANISMES, by_region=False)
    if lines is not None:
        tops = queries["counts:organisme"].select("key")
        if region is None:
            tops = tops.union(queries["national_organismes"].select("key"))
        queries["organisme_names"] = organisme_names(*lines, tops)
    if region is not None:
        for name in (
            "national_persons",
            "national_outcomes",
            "national_organismes",
            "national_access_persons",
        ):
            del queries[name]
    for dimension in ENTRY_DIMENSIONS:
        queries[f"counts:{dimension}"] = d.counts_by(entries, dimension)
    queries[f"counts:{MONTH_FINANCEUR}"] = d.counts_by_month_and_financeur(entries)
    return queries


def _results(rows: dict[str, Rows]) -> QueryResults:
    counts = {k.split(":", 1)[1]: v for k, v in rows.items() if k.startswith("counts:")}
    return QueryResults(
        summary=rows["summary"],
        counts=counts,
        scope=rows["scope"],
        reference=rows["reference"],
        reference_full=rows.get("reference_full", rows["reference"]),
        year_before=rows["year_before"],
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
        organisme_names=rows.get("organisme_names", []),
    )


@contextmanager
def _cached(expr: ir.Table) -> Iterator[ir.Table]:
    table = expr.cache()
    try:
        yield table
    finally:
        table.release()


def collect_on(backend: BaseBackend, plan: Plan, arret: Arret, region: str | None) -> QueryResults:
    """Every query of a bilan run through Ibis on any backend."""
    t = d.Tables.of(backend)
    phase = arret.window
    with (
        _cached(d.entrees_marts(t, plan)) as mart,
        _cached(d.phase_entries(mart, phase, region)) as entries,
        _cached(d.leavers_outcomes(mart, phase, region)) as leavers,
    ):
        queries = _queries(t, plan, mart, arret, region, entries, leavers, _lines(backend))
        return _results({k: backend.to_pyarrow(q).to_pylist() for k, q in queries.items()})


def _lines(backend: BaseBackend) -> tuple[ir.Table, ir.Table] | None:
    try:
        return backend.table("entree_lignes"), backend.table("imports")
    except TableNotFound:
        return None


@dataclass(frozen=True)
class _Compiled:
    queries: dict[str, tuple[str, pa.Schema]]  # SQL and the result types Ibis declares


def _schema_fingerprint(con: duckdb.DuckDBPyConnection) -> str:
    rows = con.execute(
        "SELECT table_name, column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = 'main' ORDER BY table_name, ordinal_position"
    ).fetchall()
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def _compile(backend: BaseBackend, plan: Plan, arret: Arret, region: str | None) -> _Compiled:
    t = d.Tables.of(backend)
    mart = ibis.table(d.entrees_marts(t, plan).schema(), name=_MART)
    phase = arret.window
    entries = d.phase_entries(mart, phase, region)
    leavers = d.leavers_outcomes(mart, phase, region)
    queries = _queries(t, plan, mart, arret, region, entries, leavers, _lines(backend))
    return _Compiled(
        queries={
            k: (ibis.to_sql(q, dialect="duckdb"), q.schema().to_pyarrow())
            for k, q in queries.items()
        },
    )


_COMPILED: dict[tuple[str, str, str, str | None, str], _Compiled] = {}
_COMPILED_MAX = 64


def _fetch(con: duckdb.DuckDBPyConnection, text: str) -> pa.Table:
    return con.sql(text).to_arrow_table()


def collect_duckdb(
    con: duckdb.DuckDBPyConnection, plan: Plan, arret: Arret, region: str | None
) -> QueryResults:
    """Every query of a bilan on DuckDB, with the compiled SQL kept between calls."""
    cut = arret.end.isoformat() if arret.en_cours else ""
    key = (plan.model_dump_json(), arret.phase.code, cut, region, _schema_fingerprint(con))
    compiled = _COMPILED.get(key)
    if compiled is None:
        if len(_COMPILED) >= _COMPILED_MAX:
            _COMPILED.clear()
        compiled = _COMPILED[key] = _compile(ibis.duckdb.from_connection(con), plan, arret, region)
    mart, temporary = marts.mart_table(con, plan)
    try:
        rows = {
            k: _fetch(con, text.replace(f'"{_MART}"', f'"{mart}"')).cast(schema).to_pylist()
            for k, (text, schema) in compiled.queries.items()
        }
    finally:
        if temporary:
            con.execute(f'DROP TABLE IF EXISTS temp."{mart}"')
    return _results(rows)
