"""Migration 009 on a store written before it: every person id, the hex HMAC-SHA-256 that earlier
versions stored, becomes the 16-byte binary id the importer now writes for the same person."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from pathlib import Path

import duckdb

from jalon.ingest.pseudonymise import PERSON_BYTES, person_hash
from jalon.store.database import _migrations, migrate

KEY = b"cle-de-test-migration-0123456789"


def _old_store(path: Path) -> duckdb.DuckDBPyConnection:
    """A store at schema 8, as the previous version of Jalon left it."""
    con = duckdb.connect(str(path))
    con.execute(
        "CREATE TABLE schema_version "
        "(version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)"
    )
    for number, name, sql in _migrations():
        if number <= 8:
            con.execute(sql)
            con.execute(
                "INSERT INTO schema_version VALUES (?, ?, current_localtimestamp())", [number, name]
            )
    return con


def test_hex_ids_become_the_binary_ids_of_the_same_persons(tmp_path: Path) -> None:
    con = _old_store(tmp_path / "ancienne.duckdb")
    old = {p: hmac.new(KEY, p.encode(), hashlib.sha256).hexdigest() for p in ("1000001A", "2B")}
    day = dt.date(2016, 3, 1)
    for line, hex_id in enumerate(old.values(), start=2):
        con.execute(
            "INSERT INTO entree_lignes (import_id, line, hash_personne, date_entree, financeurs) "
            "VALUES (1, ?, ?, ?, [4])",
            [line, hex_id, day],
        )
        con.execute(
            "INSERT INTO personnes (import_id, line, hash_personne, date_inscription) "
            "VALUES (2, ?, ?, ?)",
            [line, hex_id, day],
        )
        con.execute(
            "INSERT INTO emplois (import_id, line, hash_personne, date_debut, type_contrat) "
            "VALUES (3, ?, ?, ?, 'CDI')",
            [line, hex_id, day],
        )
        con.execute(
            "INSERT INTO entrees VALUES "
            "(?, 'IC:S1', ?, NULL, [4], 4, NULL, false, NULL, '31', '76', NULL, [1], false)",
            [hex_id, day],
        )
        con.execute("INSERT INTO lignes_retirees VALUES (1, 'entree_lignes', ?)", [hex_id])
    con.execute("CREATE TABLE entrees_marts AS SELECT hash_personne FROM entree_lignes")

    assert migrate(con) == [9]

    expected = sorted(person_hash(KEY, p) for p in old)
    assert all(len(h) == PERSON_BYTES for h in expected)
    for table in ("entree_lignes", "entrees", "personnes", "emplois", "lignes_retirees"):
        rows = con.execute(f"SELECT hash_personne FROM {table} ORDER BY 1").fetchall()
        assert [r[0] for r in rows] == expected, table
    # The derived mart, written with the old ids, is gone: the next refresh rebuilds it.
    tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    assert "entrees_marts" not in tables
    con.close()
