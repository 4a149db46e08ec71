"""Accounts: argon2 hashes only, roles and region checked, French refusals, audit rows."""

from __future__ import annotations

import pytest

from jalon.web.accounts import AccountError, add_user, audit, authenticate, delete_user, list_users
from tests.web.conftest import PASSWORD


def test_password_is_stored_as_an_argon2_hash_only(con) -> None:
    add_user(con, "agent.occ", PASSWORD, "regional", "76")
    stored = con.execute("SELECT hash_mot_de_passe, region FROM utilisateurs").fetchone()
    assert stored[0].startswith("$argon2id$")
    assert PASSWORD not in stored[0]
    assert stored[1] == "76"


def test_authenticate_accepts_the_right_password_only(con) -> None:
    add_user(con, "agent.nat", PASSWORD, "national", None)
    user = authenticate(con, "agent.nat", PASSWORD)
    assert user is not None and user.role == "national" and user.can_see("53")
    assert authenticate(con, "agent.nat", PASSWORD + "x") is None
    assert authenticate(con, "inconnu", PASSWORD) is None


def test_regional_user_sees_its_region_only(con) -> None:
    user = add_user(con, "agent.bzh", PASSWORD, "regional", "53")
    assert user.can_see("53")
    assert not user.can_see("76")
    assert not user.can_see(None)


@pytest.mark.parametrize(
    ("identifiant", "password", "role", "region", "message"),
    [
        ("x", PASSWORD, "national", None, "identifiant « x » invalide"),
        ("agent", "court", "national", None, "mot de passe trop court"),
        ("agent", PASSWORD, "admin", None, "rôle « admin » inconnu"),
        ("agent", PASSWORD, "regional", None, "doit indiquer sa région"),
        ("agent", PASSWORD, "regional", "99", "région inconnue"),
        ("agent", PASSWORD, "national", "76", "ne porte pas de région"),
    ],
)
def test_invalid_accounts_are_refused_in_french(
    con, identifiant: str, password: str, role: str, region: str | None, message: str
) -> None:
    with pytest.raises(AccountError, match=message):
        add_user(con, identifiant, password, role, region)
    assert list_users(con) == []


def test_duplicate_and_delete(con) -> None:
    add_user(con, "agent", PASSWORD, "national", None)
    with pytest.raises(AccountError, match="existe déjà"):
        add_user(con, "agent", PASSWORD, "national", None)
    delete_user(con, "agent")
    assert list_users(con) == []
    with pytest.raises(AccountError, match="aucun compte « agent »"):
        delete_user(con, "agent")


def test_audit_rows_keep_who_what_and_where(con) -> None:
    user = add_user(con, "agent", PASSWORD, "regional", "76")
    audit(con, user, "import", "76", "import n° 3")
    audit(con, None, "connexion_refusee", None, "inconnu")
    rows = con.execute(
        "SELECT identifiant, action, region, detail FROM audit ORDER BY audit_id"
    ).fetchall()
    assert rows == [
        ("agent", "import", "76", "import n° 3"),
        (None, "connexion_refusee", None, "inconnu"),
    ]
