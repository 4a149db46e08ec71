"""Import an LHEO 2.2/2.3 offer catalogue (profile `lheo`) into the offer tables of the store.

Runs on one XML file, plain or gzip (`.xml.gz`), of at most the declared size (2 Gio, also the
bound of a gzip file's decompressed content): the file is checked (size, SHA-256 of the file as
given not already imported, no entity declaration, root `<lheo>` in a known namespace), then
streamed by `jalon.ingest.lheo_xml`; rows are staged in batches in temporary tables (session
memory, never the database file) and copied, with the `imports` row, the `rejets` and the
`anomalies`, in one transaction. A refused file, a malformed XML or a dry run (`dry_run=True`)
writes nothing (a dry run still counts the anomalies).

Every `action` and `session` element is counted once, in `imports.lines_read`, as accepted,
rejected (in `rejets`, with the element's line and one row per reason) or duplicate. An accepted
element may carry anomalies (in `anomalies`, same shape: a value that failed a non-blocking
check, stored as missing); `imports.with_anomalies` counts the accepted elements with at least
one, an action counting its formation's. Tables
written: `offre_formations` (formations with at least one accepted action), `offre_actions`
(with the département and région of the place), `offre_sessions` and `places` (one row per
action and financeur; `places` is NULL when the file lists the financeur without a number).

"Places lancées" of a phase (DESIGN §3) is then one join of active imports:
`places p JOIN offre_actions a ON (a.import_id, a.numero) = (p.import_id, p.action)` restricted
to actions that have a row of `offre_sessions` (same `import_id`, `action = a.numero`) whose
`debut` falls in the phase, summed by `p.financeur` and grouped by `a.region`.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import Counter
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from jalon.indicators.marts import note_replaced
from jalon.ingest.errors import IngestError
from jalon.ingest.lheo_profile import LheoProfile, builtin_lheo_profile
from jalon.ingest.lheo_source import check_size
from jalon.ingest.lheo_xml import CatalogueReader, FormationRow, Outcome, open_catalogue
from jalon.ingest.records import (
    ImportSummary,
    Step,
    check_replaced,
    file_sha256,
    refuse_known_file,
)
from jalon.ingest.scope import Rows, check_scope, written_regions
from jalon.plan import Plan
from jalon.sources import builtin_profiles
from jalon.store.database import transaction

BATCH_ROWS = 50_000
_REJETS = ["line", "column_name", "reason", "message", "value"]


class _Staging:
    """Temporary copies of the target tables (without `import_id`), filled in batches."""

    def __init__(self, con: duckdb.DuckDBPyConnection, profile: LheoProfile) -> None:
        self.con = con
        fin = profile.action.financeurs
        assert fin is not None
        self.tables = {
            "formation": profile.formation.table,
            "action": profile.action.table,
            "session": profile.session.table,
            "places": fin.table,
            "rejets": "rejets",
            "anomalies": "anomalies",
        }
        self.rows: dict[str, list[dict[str, Any]]] = {kind: [] for kind in self.tables}
        for table in self.tables.values():
            con.execute(
                f"CREATE OR REPLACE TEMP TABLE _lheo_{table} AS "
                f"SELECT * EXCLUDE (import_id) FROM {table} LIMIT 0"
            )

    def add(self, kind: str, row: dict[str, Any]) -> None:
        rows = self.rows[kind]
        rows.append(row)
        if len(rows) >= BATCH_ROWS:
            self._flush(kind)

    def _flush(self, kind: str) -> None:
        rows = self.rows[kind]
        if not rows:
            return
        batch = pa.table({column: [row[column] for row in rows] for column in rows[0]})
        self.con.register("_lheo_batch", batch)
        try:
            self.con.execute(
                f"INSERT INTO _lheo_{self.tables[kind]} BY NAME SELECT * FROM _lheo_batch"
            )
        finally:
            self.con.unregister("_lheo_batch")
        rows.clear()

    def flush(self) -> None:
        for kind in self.tables:
            self._flush(kind)

    def copy(self, import_id: int) -> None:
        for table in self.tables.values():
            self.con.execute(
                f"INSERT INTO {table} BY NAME SELECT ? AS import_id, * FROM _lheo_{table}",
                [import_id],
            )

    def drop(self) -> None:
        for table in self.tables.values():
            self.con.execute(f"DROP TABLE IF EXISTS _lheo_{table}")


class _Tally:
    """The accounting of counted elements: read = accepted + rejected + duplicates."""

    def __init__(self) -> None:
        self.status: Counter[str] = Counter()
        self.reasons: Counter[str] = Counter()
        self.anomalies: Counter[str] = Counter()
        self.with_anomalies = 0

    def count(self, outcome: Outcome) -> None:
        self.status[outcome.status] += 1
        for reason in {r.reason for r in outcome.rejets}:
            self.reasons[reason] += 1
        if outcome.with_anomalies:
            self.with_anomalies += 1

    @property
    def read(self) -> int:
        return sum(self.status.values())

    def by_reason(self) -> dict[str, int]:
        return _by_count(self.reasons)

    def anomalies_by_reason(self) -> dict[str, int]:
        """Rows of `anomalies` per reason (one per element and value)."""
        return _by_count(self.anomalies)


def _by_count(counter: Counter[str]) -> dict[str, int]:
    return dict(sorted(counter.items(), key=lambda item: (-item[1], item[0])))


def _stage(reader: CatalogueReader, staging: _Staging, tally: _Tally) -> None:
    for item in reader:
        if isinstance(item, FormationRow):
            staging.add("formation", item.row)
            _anomalies(staging, tally, item.row["line"], item.anomalies)
            continue
        tally.count(item)
        if item.status == "accepte" and item.row is not None:
            staging.add(item.kind, item.row)
            for place in item.places:
                staging.add("places", place)
            _anomalies(staging, tally, item.line, item.anomalies)
        for rejet in item.rejets:
            staging.add("rejets", dict(zip(_REJETS, (item.line, *rejet), strict=True)))
    staging.flush()


def _anomalies(staging: _Staging, tally: _Tally, line: int, anomalies: list[Any]) -> None:
    for anomaly in anomalies:
        tally.anomalies[anomaly.reason] += 1
        staging.add("anomalies", dict(zip(_REJETS, (line, *anomaly), strict=True)))


def import_lheo(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    plan: Plan,
    *,
    dry_run: bool = False,
    step: Step | None = None,
    replaces: int | None = None,
    in_batch: bool = False,
    scope: str | None = None,
) -> ImportSummary:
    """Import the LHEO catalogue at `path`; raise `IngestError` (French) if it is refused whole.

    `in_batch`: the caller (`jalon.ingest.batch`) holds the transaction. `scope`: the region of
    a regional account, outside which no accepted action may be (`jalon.ingest.scope`; its
    sessions, places and formation follow the action).

    `replaces` names an active `lheo` import whose rows this one replaces, in the same
    transaction (the old import stays in `imports`, marked `remplace`, with its `rejets` and
    `anomalies`).
    `plan` is taken for the common import signature: an offer catalogue is stored whole, the
    plan's rules apply when indicators read it.
    """
    say = step or (lambda _message: None)
    profile = builtin_lheo_profile()
    if not path.is_file():
        raise IngestError(f"{path} : fichier introuvable.")
    check_size(path, profile)
    started = dt.datetime.now()
    say("Empreinte du fichier")
    sha = file_sha256(path)
    refuse_known_file(con, sha, path.name)
    if replaces is not None:
        check_replaced(con, replaces, builtin_profiles()[profile.name])
    catalogue = open_catalogue(path, profile)
    say(f"Lecture du catalogue ({catalogue.version})")
    reader = CatalogueReader(path, profile, catalogue)
    staging = _Staging(con, profile)
    tally = _Tally()
    import_id = None
    try:
        _stage(reader, staging, tally)
        if tally.read == 0:
            raise IngestError(
                f"{path.name} : aucune action ni session de formation dans "
                "<lheo><offres><formation>. Rien n'a été écrit."
            )
        written = _written_actions(profile)
        if scope is not None:
            check_scope(con, path.name, scope, written)
        regions = written_regions(con, written)
        if not dry_run:
            say("Écriture dans la base")
            described = (reader.encoding, catalogue.version, started)
            import_id = _write(
                con, staging, tally, path, sha, described, replaces, in_batch, regions
            )
    finally:
        staging.drop()
    return ImportSummary(
        import_id,
        path.name,
        profile.name,
        catalogue.version,
        reader.encoding,
        tally.read,
        tally.status["accepte"],
        tally.status["rejete"],
        tally.status["doublon"],
        tally.by_reason(),
        dry_run,
        replaces,
        "XML compressé (gzip)" if catalogue.compressed else "XML",
        with_anomalies=tally.with_anomalies,
        anomalies_by_reason=tally.anomalies_by_reason(),
        regions=regions,
    )


def _written_actions(profile: LheoProfile) -> Rows:
    geography = profile.action.geography
    return Rows(
        f"FROM _lheo_{profile.action.table}",
        "line",
        geography.region if geography is not None else "NULL",
        ("action", "actions"),
    )


def _write(
    con: duckdb.DuckDBPyConnection,
    staging: _Staging,
    tally: _Tally,
    path: Path,
    sha: str,
    described: tuple[str, str, dt.datetime],
    replaces: int | None,
    in_batch: bool,
    regions: list[str],
) -> int:
    encoding, version, started = described
    with transaction(con, own=not in_batch):
        row = con.execute("SELECT nextval('import_id_seq')").fetchone()
        assert row is not None
        import_id = int(row[0])
        if replaces is not None:
            con.execute("UPDATE imports SET status = 'remplace' WHERE import_id = ?", [replaces])
            note_replaced(con, replaces)
            for table in staging.tables.values():
                if table not in ("rejets", "anomalies"):
                    con.execute(f"DELETE FROM {table} WHERE import_id = ?", [replaces])
        con.execute(
            """
            INSERT INTO imports (import_id, profile, layout, file_name, sha256, encoding,
                                 started_at, finished_at, lines_read, accepted, rejected,
                                 duplicates, with_anomalies, status, replaces, imported_by,
                                 regions_ecrites)
            VALUES (?, 'lheo', ?, ?, ?, ?, ?, current_localtimestamp(), ?, ?, ?, ?, ?, 'actif',
                    ?, ?, ?)
            """,
            [
                import_id,
                version,
                path.name,
                sha,
                encoding,
                started,
                tally.read,
                tally.status["accepte"],
                tally.status["rejete"],
                tally.status["doublon"],
                tally.with_anomalies,
                replaces,
                os.environ.get("USER"),
                regions,
            ],
        )
        staging.copy(import_id)
    return import_id
