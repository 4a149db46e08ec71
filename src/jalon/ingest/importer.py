"""Import one file into the store: sniff → parse and validate → pseudonymise → load, atomically.

Every line of the file ends in exactly one of three states, counted and stored in `imports`:
accepted (a row of `entree_lignes`), rejected (rows of `rejets` with line, column, reason) or
duplicate (identical to an earlier line of the same file). The write is one DuckDB transaction:
if anything fails, or the process dies, the store is as it was before.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb

from jalon.ingest import delimited
from jalon.ingest.errors import IngestError
from jalon.ingest.pseudonymise import check_store_key, hmac_sql, record_store_key
from jalon.ingest.textfile import sniff
from jalon.plan import Plan
from jalon.sources import Profile
from jalon.store.canonical import rebuild_entrees

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

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 22):
            digest.update(chunk)
    return digest.hexdigest()


def _refuse_known_file(con: duckdb.DuckDBPyConnection, sha: str, name: str) -> None:
    row = con.execute(
        "SELECT import_id, file_name, finished_at FROM imports WHERE sha256 = ? ORDER BY import_id",
        [sha],
    ).fetchone()
    if row:
        raise IngestError(
            f"{name} : ce fichier (même empreinte SHA-256) a déjà été importé, import n° {row[0]} "
            f"({row[1]}, le {row[2]:%d/%m/%Y à %H:%M}). Rien n'a été écrit."
        )


def _layout_or_refuse(profile: Profile, header: list[str], name: str) -> str:
    layout = profile.match_layout(header)
    if layout:
        return layout.name
    best, unexpected, missing = profile.closest_layout(header)
    parts = [f"{name}, ligne 1 : en-tête inconnu pour le profil {profile.name}"]
    parts.append(f"(disposition la plus proche : {best.name}, {len(best.columns)} colonnes)")
    if unexpected:
        parts.append(f"; colonnes inattendues : {', '.join(unexpected)}")
    if missing:
        parts.append(f"; colonnes manquantes : {', '.join(missing)}")
    if not unexpected and not missing:
        parts.append("; colonnes dans un ordre inattendu")
    raise IngestError(" ".join(parts) + ". Rien n'a été écrit.")


def _counts(con: duckdb.DuckDBPyConnection) -> tuple[int, int, int, int]:
    row = con.execute(
        """
        SELECT count(*),
               count(*) FILTER (WHERE NOT is_duplicate AND len(errors) = 0),
               count(*) FILTER (WHERE NOT is_duplicate AND len(errors) > 0),
               count(*) FILTER (WHERE is_duplicate)
        FROM _parsed
        """
    ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1]), int(row[2]), int(row[3])


def _reasons(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    rows = con.execute(
        """
        SELECT e.reason, count(DISTINCT line) FROM (
            SELECT line, unnest(errors) AS e FROM _parsed WHERE NOT is_duplicate
        ) GROUP BY ALL ORDER BY 2 DESC, 1
        """
    ).fetchall()
    return {str(r[0]): int(r[1]) for r in rows}


def _write(con: duckdb.DuckDBPyConnection, key: bytes, import_row: list[object], plan: Plan) -> int:
    import_id = int(con.execute("SELECT nextval('import_id_seq')").fetchone()[0])  # type: ignore[index]
    con.execute(
        "INSERT INTO imports VALUES (?, ?, ?, ?, ?, ?, ?, current_localtimestamp(), ?, ?, ?, ?, "
        "'actif', NULL, ?)",
        [import_id, *import_row],
    )
    con.execute(
        """
        INSERT INTO rejets
        SELECT ?, line, e.column_name, e.reason, e.message, e.value
        FROM (SELECT line, unnest(errors) AS e FROM _parsed WHERE NOT is_duplicate)
        """,
        [import_id],
    )
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _persons AS
        SELECT id, {hmac_sql(key, "id")} AS hash_personne
        FROM (SELECT DISTINCT hash_personne AS id FROM _parsed
              WHERE NOT is_duplicate AND len(errors) = 0)
        """
    )
    con.execute(
        """
        INSERT INTO entree_lignes BY NAME
        SELECT ? AS import_id, p.line, h.hash_personne, p.* EXCLUDE (line, hash_personne,
               line_hash, errors, is_duplicate)
        FROM _parsed p JOIN _persons h ON h.id = p.hash_personne
        WHERE NOT p.is_duplicate AND len(p.errors) = 0
        """,
        [import_id],
    )
    rebuild_entrees(con, plan.rules)
    return import_id


def import_file(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    profile: Profile,
    plan: Plan,
    key: bytes,
    *,
    dry_run: bool = False,
    step: Step | None = None,
) -> ImportSummary:
    """Import `path` with `profile` into the open store; raise `IngestError` if refused whole."""
    say = step or (lambda _message: None)
    if not path.is_file():
        raise IngestError(f"{path} : fichier introuvable.")
    started = dt.datetime.now()
    say("Empreinte du fichier")
    new_key = check_store_key(con, key)
    sha = file_sha256(path)
    _refuse_known_file(con, sha, path.name)
    text = sniff(path, profile.delimiter)
    layout_name = _layout_or_refuse(profile, text.header, path.name)
    layout = next(lay for lay in profile.layouts if lay.name == layout_name)
    say("Lecture et contrôle des lignes")
    try:
        delimited.parse(con, path, text, profile, layout)
    except duckdb.Error as exc:
        raise IngestError(f"{path.name} : lecture impossible ({_first_line(exc)})") from None
    read, accepted, rejected, duplicates = _counts(con)
    reasons = _reasons(con)
    import_id = None
    if not dry_run:
        say("Écriture dans la base")
        row: list[object] = [
            profile.name,
            layout.name,
            path.name,
            sha,
            text.encoding_label,
            started,
            read,
            accepted,
            rejected,
            duplicates,
            os.environ.get("USER"),
        ]
        con.execute("BEGIN TRANSACTION")
        try:
            if new_key:
                record_store_key(con, key)
            import_id = _write(con, key, row, plan)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    con.execute("DROP TABLE IF EXISTS _parsed")
    con.execute("DROP TABLE IF EXISTS _persons")
    return ImportSummary(
        import_id,
        path.name,
        profile.name,
        layout.name,
        text.encoding_label,
        read,
        accepted,
        rejected,
        duplicates,
        reasons,
        dry_run,
    )


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0]
