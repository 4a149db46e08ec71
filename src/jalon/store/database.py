"""Open the DuckDB store and bring its schema up to date.

`open_store` runs the numbered SQL files of `jalon/store/migrations/` that the `schema_version`
table does not list yet, each in its own transaction, so running it twice is a no-op. Safe to call
from any command. DuckDB's rule: one process holds the file read-write, or several hold it
read-only, never both; a refused opening raises `StoreLocked`. While `jalon serveur` holds the
base, other commands go through it (`jalon.web.admin_client`).
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import duckdb

DEFAULT_DB = "jalon.duckdb"
_MIGRATION = re.compile(r"^(\d{3})_([a-z0-9_]+)\.sql$")


class StoreError(RuntimeError):
    """The database cannot be opened or migrated (locked, unreadable, newer than this Jalon)."""


class StoreLocked(StoreError):
    """Another process holds the database (DuckDB's lock)."""


def default_db_path() -> Path:
    return Path(os.environ.get("JALON_DB", DEFAULT_DB))


def connect(path: Path, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the database file, turning DuckDB's lock and I/O errors into a French `StoreError`."""
    if read_only and not path.exists():
        raise StoreError(f"Base introuvable : {path} (créez-la avec « jalon init »)")
    try:
        return duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise StoreLocked(
                f"La base {path} est ouverte par un autre processus (serveur Jalon ou import en "
                "cours) : réessayez quand il aura fini."
            ) from None
        raise StoreError(f"Base illisible : {path} ({exc})") from None


def _migrations() -> list[tuple[int, str, str]]:
    folder = resources.files("jalon.store.migrations")
    found = []
    for entry in folder.iterdir():
        match = _MIGRATION.match(entry.name)
        if match:
            found.append((int(match.group(1)), match.group(2), entry.read_text(encoding="utf-8")))
    return sorted(found)


def current_version(con: duckdb.DuckDBPyConnection) -> int:
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'"
    ).fetchone()
    if not exists or exists[0] == 0:
        return 0
    row = con.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()
    return int(row[0]) if row else 0


def migrate(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Apply the missing migrations in order; return the versions applied."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_version "
        "(version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)"
    )
    version = current_version(con)
    known = _migrations()
    if known and version > known[-1][0]:
        raise StoreError(
            f"La base est au schéma {version}, plus récent que ce Jalon ({known[-1][0]}) : "
            "mettez Jalon à jour."
        )
    applied = []
    for number, name, sql in known:
        if number <= version:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(sql)
            con.execute(
                "INSERT INTO schema_version VALUES (?, ?, current_localtimestamp())", [number, name]
            )
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        applied.append(number)
    return applied


def open_store(path: Path, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open (and, unless read-only, create or migrate) the store at `path`."""
    con = connect(path, read_only=read_only)
    if not read_only:
        migrate(con)
    elif current_version(con) == 0:
        con.close()
        raise StoreError(f"{path} n'est pas une base Jalon (créez-la avec « jalon init »)")
    return con


@contextlib.contextmanager
def transaction(con: duckdb.DuckDBPyConnection, *, own: bool = True) -> Iterator[None]:
    """Run the block in a transaction: committed at its end, rolled back if it raises (or the
    process dies). `own=False` runs it inside the caller's transaction instead."""
    if not own:
        yield
        return
    con.execute("BEGIN TRANSACTION")
    try:
        yield
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
