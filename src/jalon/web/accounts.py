"""Web accounts, their sessions and the audit log: tables `utilisateurs`, `audit` (migration 004)
and `sessions_web` (migration 007).

Passwords are hashed with argon2id (argon2-cffi) and never stored or logged in clear. A user is
`national` (every region) or `regional` (one region); anonymous visitors have no account. A
session is a random token given to the browser; the base keeps only its SHA-256, so signing out
(or deleting the account) ends it for every copy of the cookie. All
functions take an open connection and run on the caller's thread: the web app serialises them
behind its connection lock, the CLI calls them while it holds the database alone.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass
from typing import Literal

import duckdb
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from jalon.reference import region as region_of

Role = Literal["national", "regional"]
ROLES: tuple[Role, ...] = ("national", "regional")
MIN_PASSWORD = 12
SESSION_HOURS = 8
_IDENTIFIANT = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,63}$")
_hasher = PasswordHasher()
# Verifying against this hash when the account does not exist keeps the answer time the same, so
# timing does not tell which identifiers exist.
_DUMMY_HASH = _hasher.hash("compte-inexistant-jalon")


class AccountError(ValueError):
    """A user-management request that cannot be honoured; the message is French."""


@dataclass(frozen=True)
class User:
    identifiant: str
    role: Role
    region: str | None
    cree_le: dt.datetime | None = None

    def can_see(self, region: str | None) -> bool:
        """Whether this user may read micro-data aggregates of `region` (None: the nation)."""
        return self.role == "national" or (region is not None and region == self.region)

    @property
    def label(self) -> str:
        if self.role == "national":
            return f"{self.identifiant} (national)"
        return f"{self.identifiant} ({region_of(self.region or '').nom})"


def add_user(
    con: duckdb.DuckDBPyConnection, identifiant: str, password: str, role: str, region: str | None
) -> User:
    if not _IDENTIFIANT.match(identifiant):
        raise AccountError(
            f"identifiant « {identifiant} » invalide : 2 à 64 caractères parmi a-z, 0-9, . _ @ -"
        )
    if role not in ROLES:
        raise AccountError(f"rôle « {role} » inconnu (attendu : national ou regional)")
    if role == "regional":
        if not region:
            raise AccountError("un compte régional doit indiquer sa région (--region CODE)")
        try:
            region = region_of(region).code
        except KeyError as exc:
            raise AccountError(str(exc.args[0])) from None
    elif region:
        raise AccountError("un compte national ne porte pas de région")
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"mot de passe trop court : {MIN_PASSWORD} caractères au moins")
    exists = con.execute(
        "SELECT count(*) FROM utilisateurs WHERE identifiant = ?", [identifiant]
    ).fetchone()
    if exists and exists[0]:
        raise AccountError(f"le compte « {identifiant} » existe déjà")
    con.execute(
        "INSERT INTO utilisateurs VALUES (?, ?, ?, ?, current_localtimestamp())",
        [identifiant, _hasher.hash(password), role, region if role == "regional" else None],
    )
    return User(identifiant, role, region if role == "regional" else None)


def list_users(con: duckdb.DuckDBPyConnection) -> list[User]:
    rows = con.execute(
        "SELECT identifiant, role, region, cree_le FROM utilisateurs ORDER BY identifiant"
    ).fetchall()
    return [User(r[0], r[1], r[2], r[3]) for r in rows]


def delete_user(con: duckdb.DuckDBPyConnection, identifiant: str) -> None:
    found = con.execute(
        "SELECT count(*) FROM utilisateurs WHERE identifiant = ?", [identifiant]
    ).fetchone()
    if not found or not found[0]:
        raise AccountError(f"aucun compte « {identifiant} »")
    con.execute("DELETE FROM sessions_web WHERE identifiant = ?", [identifiant])
    con.execute("DELETE FROM utilisateurs WHERE identifiant = ?", [identifiant])


def authenticate(con: duckdb.DuckDBPyConnection, identifiant: str, password: str) -> User | None:
    row = con.execute(
        "SELECT hash_mot_de_passe, role, region FROM utilisateurs WHERE identifiant = ?",
        [identifiant],
    ).fetchone()
    try:
        _hasher.verify(row[0] if row else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    return User(identifiant, row[1], row[2]) if row else None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def open_session(con: duckdb.DuckDBPyConnection, user: User) -> str:
    """A new session token for `user`, valid `SESSION_HOURS`; expired sessions are purged."""
    token = secrets.token_urlsafe(32)
    con.execute("DELETE FROM sessions_web WHERE expire_le < current_localtimestamp()")
    con.execute(
        "INSERT INTO sessions_web VALUES (?, ?, current_localtimestamp(), "
        f"current_localtimestamp() + INTERVAL {SESSION_HOURS} HOUR)",
        [_digest(token), user.identifiant],
    )
    return token


def session_user(con: duckdb.DuckDBPyConnection, token: str) -> User | None:
    """The account of a live session, None if it was closed, has expired or lost its account."""
    row = con.execute(
        "SELECT u.identifiant, u.role, u.region FROM sessions_web s "
        "JOIN utilisateurs u USING (identifiant) "
        "WHERE s.empreinte = ? AND s.expire_le >= current_localtimestamp()",
        [_digest(token)],
    ).fetchone()
    return User(row[0], row[1], row[2]) if row else None


def close_session(con: duckdb.DuckDBPyConnection, token: str) -> None:
    con.execute("DELETE FROM sessions_web WHERE empreinte = ?", [_digest(token)])


def audit(
    con: duckdb.DuckDBPyConnection,
    user: User | None,
    action: str,
    region: str | None = None,
    detail: str | None = None,
) -> None:
    con.execute(
        "INSERT INTO audit (horodatage, identifiant, action, region, detail) "
        "VALUES (current_localtimestamp(), ?, ?, ?, ?)",
        [user.identifiant if user else None, action, region, detail],
    )
