"""The indicators' mart: `entrees_marts`, une ligne par entrée en formation with the person's
attributes on the entry date and the outcome after the end (`jalon.indicators.definitions.
entrees_marts`, an Ibis expression compiled to DuckDB SQL), kept current after each import. It
lives with its definition rather than in `jalon.store`: the store holds the canonical tables and
knows nothing of the indicators (the importer calls `refresh_marts`, readers `mart_table`).

`refresh_marts` runs in its own transaction after an import (`jalon.ingest.importer`). A signature
kept in `meta` says what the mart reflects: row count and latest import of `entree_lignes`,
`personnes` and `emplois`, the count of `entrees`, a digest of the rules, of the mart's version
and of the source of its definition (so that editing the definition rebuilds the mart).
When it changed, the refresh is incremental if the imports since the last refresh only added rows:
every column of a mart row depends only on its person's entries, registrations and jobs (and the
plan), so the rows of the persons those imports touched are deleted and recomputed from their
rows alone; a replacement (`--remplace`) notes the persons of the rows it deletes
(`note_replaced`, table `lignes_retirees`), which are recomputed too. It rebuilds the whole
table instead when there is no mart yet, the plan's rules or phases or the mart's definition
changed, an import replaced another without noting its rows, rows disappeared unnoted or were
added by an older import, or the touched persons hold more than `FULL_SHARE` of the entries
(a rebuild is then cheaper).

`mart_table` is for readers (read-only connections included): the stored table when its
signature is current, else the same SQL into a temporary table private to the connection, so
that a bilan is never computed on a stale mart.

The mart's SQL is compiled from Ibis once per plan, definition and schema, and kept in `meta`:
an import in a new process (each `jalon import`) neither imports Ibis nor compiles. The compiled
SQL of the shipped plan's rules on the current schema also ships with the package
(`marts_compiled.json`, written by `scripts/compile_marts.py` and checked against the definitions
by a test), so that even the first import into a new store compiles nothing.
"""

from __future__ import annotations

import functools
import hashlib
import json
import uuid
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import duckdb

from jalon.formatting import nombre, pourcentage
from jalon.plan import Plan

MART = "entrees_marts"
#: Bumped whenever the mart's meaning changes outside `jalon.indicators.definitions` (whose
#: source text is part of the signature: editing it rebuilds the mart whole).
MART_VERSION = 2
#: Above this share of the entries belonging to touched persons, a full rebuild is cheaper.
FULL_SHARE = 0.3
_META_KEY = "signature_entrees_marts"
_STATE_KEY = "etat_entrees_marts"
_SQL_KEY = "sql_entrees_marts"
_SOURCES = ("entree_lignes", "personnes", "emplois")
#: The tables the mart's expression reads: only their columns key its compiled SQL (a migration
#: of another table leaves it as it is).
_READ = ("entrees", "personnes", "emplois")
_TOUCHED = "_marts_personnes"
_TOUCHED_ENTREES = "_marts_entrees"
_DEFINITIONS = Path(__file__).parent / "definitions.py"
SHIPPED = Path(__file__).parent / "marts_compiled.json"


@dataclass(frozen=True)
class Refresh:
    """What a refresh did: `mode` is `complet` or `incremental`; `reason` says why a full
    rebuild was needed; `persons` and `rows` are the touched persons and the mart rows written."""

    mode: str
    reason: str
    persons: int
    rows: int


_SQL: dict[str, tuple[str, list[str]]] = {}


@functools.cache
def _definition_digest() -> str:
    return hashlib.sha256(_DEFINITIONS.read_bytes()).hexdigest()


def _declared(plan: Plan) -> str:
    """Digest of what the mart's rows mean: the plan's rules and phases, the mart's version and
    the source of its definition."""
    declared = plan.rules.model_dump_json() + repr([p.model_dump_json() for p in plan.phases])
    text = f"{MART_VERSION}/{_definition_digest()}/{declared}"
    return hashlib.sha256(text.encode()).hexdigest()


def _sql_key(con: duckdb.DuckDBPyConnection, plan: Plan, touched: bool) -> str:
    read = ", ".join(f"'{table}'" for table in _READ)
    columns = con.execute(
        "SELECT table_name, column_name, data_type FROM information_schema.columns "
        "WHERE table_catalog = current_database() AND table_schema = 'main' "
        f"AND table_name IN ({read}) ORDER BY ALL"
    ).fetchall()
    schema = hashlib.sha256(repr(columns).encode()).hexdigest()
    return f"{_declared(plan)}/{schema}/{'personnes' if touched else 'tout'}"


def _compiled(con: duckdb.DuckDBPyConnection, plan: Plan, touched: bool) -> tuple[str, list[str]]:
    """The mart's SELECT (when `touched`, of the persons of the temporary table `_TOUCHED`,
    whose entries are already in `_TOUCHED_ENTREES`), ordered by entry date so that a phase's
    filter skips row groups, and its column names.

    Compiled once per plan, definition and schema of the store: compiling (and importing Ibis)
    costs ~0.7 s, more than a small import. The result is kept in memory and, by `refresh`, in
    `meta`, so that an import in a new process finds it there."""
    key = _sql_key(con, plan, touched)
    if key not in _SQL:
        stored = json.loads(_meta(con, _SQL_KEY) or "{}").get(key) or _shipped().get(key)
        _SQL[key] = (stored[0], list(stored[1])) if stored else _compile(con, plan, touched)
    return _SQL[key]


@functools.cache
def _shipped() -> dict[str, Any]:
    return json.loads(SHIPPED.read_text(encoding="utf-8")) if SHIPPED.is_file() else {}


def compiled_for_package(con: duckdb.DuckDBPyConnection, plan: Plan) -> dict[str, list[object]]:
    """The compiled mart SQL (whole and by person) of `plan` on the schema of store `con`, keyed
    as `_compiled` looks it up: what `scripts/compile_marts.py` ships in `SHIPPED`."""
    return {
        _sql_key(con, plan, touched): list(_compile(con, plan, touched))
        for touched in (False, True)
    }


def _compile(con: duckdb.DuckDBPyConnection, plan: Plan, touched: bool) -> tuple[str, list[str]]:
    # Imported here: Ibis takes ~0.4 s to import, and an import whose compiled mart is already
    # in `meta` never needs it.
    import ibis

    from jalon.indicators import definitions as d

    tables = d.Tables.of(ibis.duckdb.from_connection(con))
    if touched:
        entrees = ibis.table(tables.entrees.schema(), name=_TOUCHED_ENTREES)
        tables = replace(tables, entrees=entrees).for_persons(
            ibis.table({"hash_personne": "binary"}, name=_TOUCHED)
        )
    expr = d.entrees_marts(tables, plan)
    sql = ibis.to_sql(expr, dialect="duckdb")
    return f"SELECT * FROM ({sql}) ORDER BY date_entree", list(expr.columns)


def _store_compiled(con: duckdb.DuckDBPyConnection, plan: Plan) -> None:
    """Keep in `meta` the compiled forms of the mart for this plan and schema that this process
    knows (never compiling one only to store it), and no other."""
    keys = [_sql_key(con, plan, touched) for touched in (False, True)]
    stored = json.loads(_meta(con, _SQL_KEY) or "{}")
    wanted = {key: stored.get(key) or _SQL.get(key) for key in keys}
    wanted = {key: list(value) for key, value in wanted.items() if value}
    if wanted == stored:
        return
    con.execute("DELETE FROM meta WHERE key = ?", [_SQL_KEY])
    con.execute("INSERT INTO meta VALUES (?, ?)", [_SQL_KEY, json.dumps(wanted)])


def mart_sql(con: duckdb.DuckDBPyConnection, plan: Plan) -> str:
    """The SELECT of the whole mart."""
    return _compiled(con, plan, touched=False)[0]


def _state(con: duckdb.DuckDBPyConnection) -> dict[str, list[int]]:
    """Row count and latest import of each source, the count of `entrees` and the latest
    import of all (`imports`)."""
    parts = [f"(SELECT [count(*), coalesce(max(import_id), 0)] FROM {table})" for table in _SOURCES]
    # fetchall: DuckDB 2 keeps a half-read result open and refuses the next statement.
    row = con.execute(
        f"SELECT {', '.join(parts)}, (SELECT count(*) FROM entrees), "
        "(SELECT coalesce(max(import_id), 0) FROM imports)"
    ).fetchall()[0]
    state = {table: list(row[i]) for i, table in enumerate(_SOURCES)}
    state["entrees"] = [row[-2]]
    state["imports"] = [row[-1]]
    return state


def _signature_of(state: dict[str, list[int]], plan: Plan) -> str:
    counts = [":".join(map(str, state[table])) for table in _SOURCES]
    return "/".join([*counts, str(state["entrees"][0]), _declared(plan)])


def signature(con: duckdb.DuckDBPyConnection, plan: Plan) -> str:
    return _signature_of(_state(con), plan)


def _mart_exists(con: duckdb.DuckDBPyConnection) -> bool:
    rows = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'main' AND table_name = ?",
        [MART],
    ).fetchall()
    return bool(rows[0][0])


def _meta(con: duckdb.DuckDBPyConnection, key: str) -> str | None:
    rows = con.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchall()
    return str(rows[0][0]) if rows else None


def _stored_signature(con: duckdb.DuckDBPyConnection) -> str | None:
    return _meta(con, _META_KEY) if _mart_exists(con) else None


def _why_not_incremental(
    con: duckdb.DuckDBPyConnection, plan: Plan, state: dict[str, list[int]]
) -> str | None:
    """Why the mart must be rebuilt whole from `state`, or None when the rows of the imports
    after the one it reflects can be applied person by person."""
    if not _mart_exists(con):
        return "pas encore de table"
    text = _meta(con, _STATE_KEY)
    if text is None:
        return "état du dernier calcul inconnu"
    stored = json.loads(text)
    if stored.get("declared") != _declared(plan):
        return "règles, phases du plan ou définition de la table modifiées"
    last = stored["imports"][0]
    unnoted = con.execute(
        "SELECT count(*) FROM imports WHERE import_id > ? AND replaces IS NOT NULL "
        "AND replaces NOT IN (SELECT import_id FROM lignes_retirees WHERE source IS NULL)",
        [last],
    ).fetchall()
    if unnoted[0][0]:
        return "un import en a remplacé un autre sans que ses lignes retirées soient notées"
    for table in _SOURCES:
        added, removed = con.execute(
            f"SELECT (SELECT count(*) FROM {table} WHERE import_id > $last), "
            "(SELECT count(*) FROM lignes_retirees WHERE source = $table "
            "AND import_id <= $last)",
            {"last": last, "table": table},
        ).fetchall()[0]
        # Rows added by an import numbered before the last one reflected (two imports
        # committed out of order), or removed unnoted, would be missed: the counts must add up.
        if state[table][0] - stored[table][0] != added - removed:
            return f"lignes de {table} retirées ou ajoutées hors ordre"
    columns = sorted(r[0] for r in con.execute(f"DESCRIBE {MART}").fetchall())
    if columns != sorted(_compiled(con, plan, touched=True)[1]):  # inserted BY NAME
        return "colonnes de la table modifiées"
    return None


def _rebuild(con: duckdb.DuckDBPyConnection, plan: Plan, reason: str) -> Refresh:
    con.execute(f"CREATE OR REPLACE TABLE {MART} AS {mart_sql(con, plan)}")
    rows = con.execute(f"SELECT count(*) FROM {MART}").fetchall()[0][0]
    return Refresh("complet", reason, 0, rows)


def _incremental(
    con: duckdb.DuckDBPyConnection, plan: Plan, last: int, entries: int
) -> Refresh | str:
    """Recompute the rows of the persons of the imports after `last` and of the rows a
    replacement removed since; or return why a full rebuild is better (too many entries
    touched)."""
    sources = " UNION ALL ".join(
        [
            *(f"SELECT hash_personne FROM {t} WHERE import_id > {int(last)}" for t in _SOURCES),
            "SELECT hash_personne FROM lignes_retirees WHERE source IS NOT NULL",
        ]
    )
    con.execute(f"CREATE OR REPLACE TEMP TABLE {_TOUCHED} AS SELECT DISTINCT * FROM ({sources})")
    # Their entries, found with one scan of `entrees` (the mart reads them twice), and no more
    # than the share past which the full rebuild is chosen.
    limit = max(0, int(FULL_SHARE * entries) + 1)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {_TOUCHED_ENTREES} AS SELECT * FROM entrees "
        f"WHERE hash_personne IN (SELECT hash_personne FROM {_TOUCHED}) LIMIT {limit}"
    )
    persons, touched = con.execute(
        f"SELECT (SELECT count(*) FROM {_TOUCHED}), (SELECT count(*) FROM {_TOUCHED_ENTREES})"
    ).fetchall()[0]
    if touched >= limit:
        return f"plus de {pourcentage(FULL_SHARE)} des {nombre(entries)} entrées concernées"
    con.execute(f"DELETE FROM {MART} WHERE hash_personne IN (SELECT hash_personne FROM {_TOUCHED})")
    sql, _columns = _compiled(con, plan, touched=True)
    con.execute(f"INSERT INTO {MART} BY NAME {sql}")
    return Refresh("incremental", "", persons, touched)


def _record(
    con: duckdb.DuckDBPyConnection, plan: Plan, state: dict[str, list[int]], done: Refresh | None
) -> None:
    current = _signature_of(state, plan)
    text = json.dumps({**state, "declared": _declared(plan), "dernier": done and asdict(done)})
    con.execute("DELETE FROM meta WHERE key IN (?, ?)", [_META_KEY, _STATE_KEY])
    con.execute("DELETE FROM lignes_retirees")
    con.execute("INSERT INTO meta VALUES (?, ?), (?, ?)", [_META_KEY, current, _STATE_KEY, text])
    _store_compiled(con, plan)


def note_replaced(con: duckdb.DuckDBPyConnection, import_id: int) -> None:
    """Note the persons of the rows of `import_id` that a replacement is about to delete (call
    in the replacing import's transaction, before the deletion): the next refresh recomputes
    them alone instead of rebuilding the whole mart."""
    con.execute("INSERT INTO lignes_retirees VALUES (?, NULL, NULL)", [import_id])
    for table in _SOURCES:
        con.execute(
            f"INSERT INTO lignes_retirees SELECT import_id, '{table}', hash_personne "
            f"FROM {table} WHERE import_id = ?",
            [import_id],
        )


def refresh(con: duckdb.DuckDBPyConnection, plan: Plan) -> Refresh | None:
    """Bring the mart up to date, incrementally when it can; None when it already was."""
    state = _state(con)
    if _stored_signature(con) == _signature_of(state, plan):
        stored = json.loads(_meta(con, _STATE_KEY) or "{}")
        if stored.get("imports", state["imports"]) != state["imports"]:
            # Imports of other tables since (a replacement among them included) left every
            # source row as it was, or the signature would differ: the mart reflects them too.
            _record(con, plan, state, last_refresh(con))
        return None
    reason = _why_not_incremental(con, plan, state)
    done: Refresh | str = reason or ""
    if reason is None:
        stored = json.loads(_meta(con, _STATE_KEY) or "{}")
        done = _incremental(con, plan, stored["imports"][0], state["entrees"][0])
        for table in (_TOUCHED, _TOUCHED_ENTREES):
            con.execute(f"DROP TABLE IF EXISTS {table}")
    if isinstance(done, str):
        done = _rebuild(con, plan, done)
    _record(con, plan, state, done)
    return done


def last_refresh(con: duckdb.DuckDBPyConnection) -> Refresh | None:
    """What the last refresh that changed the mart did (None before the first one)."""
    text = _meta(con, _STATE_KEY)
    last = json.loads(text).get("dernier") if text else None
    return Refresh(**last) if last else None


def refresh_marts(con: duckdb.DuckDBPyConnection, plan: Plan) -> bool:
    """Bring the marts up to date if their sources or rules changed; return whether it did."""
    return refresh(con, plan) is not None


def mart_table(con: duckdb.DuckDBPyConnection, plan: Plan) -> tuple[str, bool]:
    """The name of an up-to-date mart to read, and whether it is a temporary table that the
    caller must drop (`DROP TABLE temp."name"`)."""
    if _stored_signature(con) == signature(con, plan):
        return MART, False
    name = f"jalon_marts_{uuid.uuid4().hex[:12]}"
    con.execute(f'CREATE TEMP TABLE "{name}" AS {mart_sql(con, plan)}')
    return name, True
