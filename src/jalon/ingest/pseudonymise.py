"""Keyed pseudonymisation of person identifiers (HMAC-SHA-256), computed inside DuckDB.

The key comes from the `JALON_SECRET` environment variable and is never written anywhere; the
store keeps only a fingerprint of it, so that a second import with another key is refused (its
hashes would not join with the first). The SQL expression below is the textbook HMAC
construction, checked against Python's `hmac` in the tests. The store keeps the first 16 bytes
of the HMAC as a BLOB (128 bits: two distinct persons share one with a probability of about
n² / 2¹²⁹, under 10⁻²⁴ for ten million persons): a quarter of the bytes of the 64-character hex
digest, in every table that holds a person and in every join on one.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets

import duckdb

ENV_VAR = "JALON_SECRET"
MIN_KEY_LENGTH = 16
_FINGERPRINT_MESSAGE = b"jalon:empreinte-de-cle"
#: Bytes of the HMAC kept as a person's id.
PERSON_BYTES = 16


class SecretError(RuntimeError):
    """No usable key, or a key that differs from the one the store was built with."""


def key_from_env() -> bytes:
    value = os.environ.get(ENV_VAR, "")
    if not value:
        raise SecretError(
            f"La variable d'environnement {ENV_VAR} n'est pas définie : elle porte la clé secrète "
            "qui pseudonymise les identifiants des personnes. Définissez-la (au moins "
            f"{MIN_KEY_LENGTH} caractères, gardée hors du dépôt) avant d'importer."
        )
    if len(value) < MIN_KEY_LENGTH:
        raise SecretError(f"{ENV_VAR} est trop courte : au moins {MIN_KEY_LENGTH} caractères.")
    return value.encode("utf-8")


def generate_key() -> str:
    return secrets.token_urlsafe(32)


def fingerprint(key: bytes) -> str:
    return hmac.new(key, _FINGERPRINT_MESSAGE, hashlib.sha256).hexdigest()[:16]


def person_hash(key: bytes, value: str) -> bytes:
    """Reference implementation (Python) of the stored id: used by tests and single-value
    look-ups."""
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).digest()[:PERSON_BYTES]


def hmac_sql(key: bytes, column: str) -> str:
    """A DuckDB expression computing the stored id of `column` (VARCHAR) under `key`: the first
    `PERSON_BYTES` bytes of its HMAC-SHA-256, as a BLOB."""
    block = key if len(key) <= 64 else hashlib.sha256(key).digest()
    block = block.ljust(64, b"\0")
    ipad = bytes(b ^ 0x36 for b in block).hex()
    opad = bytes(b ^ 0x5C for b in block).hex()
    inner = f"unhex(sha256(unhex('{ipad}') || encode({column})))"
    return f"unhex(left(sha256(unhex('{opad}') || {inner}), {2 * PERSON_BYTES}))"


def check_store_key(con: duckdb.DuckDBPyConnection, key: bytes) -> bool:
    """Refuse a key other than the store's; return True when the store has none recorded yet."""
    row = con.execute("SELECT value FROM meta WHERE key = 'cle_empreinte'").fetchone()
    if row is not None and row[0] != fingerprint(key):
        raise SecretError(
            f"La clé {ENV_VAR} ne correspond pas à celle avec laquelle cette base a été "
            "construite : les personnes ne se rapprocheraient plus d'un import à l'autre. "
            "Import refusé."
        )
    return row is None


def record_store_key(con: duckdb.DuckDBPyConnection, key: bytes) -> None:
    """Store the key's fingerprint (call inside the import's transaction)."""
    con.execute("INSERT INTO meta VALUES ('cle_empreinte', ?)", [fingerprint(key)])
