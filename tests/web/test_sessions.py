"""Sessions held by the server (sign-out ends every copy of the cookie) and sign-in throttling
per account and per address."""

from __future__ import annotations

from fastapi.testclient import TestClient

from jalon.web.accounts import delete_user
from tests.web.conftest import PASSWORD, csrf_of, sign_in

WINDOW = 15 * 60


def _try(client: TestClient, identifiant: str, password: str):
    return client.post(
        "/connexion",
        data={"identifiant": identifiant, "mot_de_passe": password, "csrf": csrf_of(client)},
        follow_redirects=False,
    )


def _fake_clock(client: TestClient) -> list[float]:
    now = [1000.0]
    client.app.state.login_throttle.clock = lambda: now[0]  # type: ignore[attr-defined]
    return now


def test_sign_out_revokes_the_session_for_a_copied_cookie(client: TestClient) -> None:
    sign_in(client, "national")
    copied = client.cookies["jalon_session"]
    assert client.get("/api/imports").status_code == 200
    out = client.post("/deconnexion", data={"csrf": csrf_of(client, "/imports")})
    assert out.status_code == 200
    replay = TestClient(client.app, cookies={"jalon_session": copied})
    assert replay.get("/api/imports").status_code == 401
    page = replay.get("/imports", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/connexion?suite=/imports"


def test_the_base_keeps_no_session_token_in_clear(client: TestClient) -> None:
    sign_in(client, "occitanie")
    rows = client.app.state.store.query(  # type: ignore[attr-defined]
        "SELECT empreinte, identifiant FROM sessions_web"
    )
    assert [r[1] for r in rows] == ["occitanie"]
    assert len(rows[0][0]) == 64
    assert rows[0][0] not in client.cookies["jalon_session"]


def test_deleting_an_account_ends_its_sessions(client: TestClient) -> None:
    sign_in(client, "bretagne")
    assert client.get("/api/imports").status_code == 200
    store = client.app.state.store  # type: ignore[attr-defined]
    with store.lock:
        delete_user(store.con, "bretagne")
    assert client.get("/api/imports").status_code == 401
    assert store.query("SELECT count(*) FROM sessions_web WHERE identifiant = 'bretagne'") == [(0,)]


def test_sign_in_is_throttled_per_account_even_with_the_right_password(
    client: TestClient,
) -> None:
    now = _fake_clock(client)
    for _ in range(5):
        assert _try(client, "occitanie", "mauvais-mot-de-passe").status_code == 401
    blocked = _try(client, "occitanie", PASSWORD)
    assert blocked.status_code == 429
    assert "Trop de tentatives de connexion refusées pour ce compte" in blocked.text
    assert "bloquée pendant 15 minutes" in blocked.text
    assert client.get("/api/imports").status_code == 401
    now[0] += 10 * 60
    assert "bloquée pendant 5 minutes" in _try(client, "occitanie", PASSWORD).text
    # Another account from the same address is not held back by this one.
    sign_in(client, "bretagne")
    now[0] += 5 * 60 + 1
    assert _try(client, "occitanie", PASSWORD).status_code == 303
    audit = client.app.state.store.query(  # type: ignore[attr-defined]
        "SELECT count(*) FROM audit WHERE action = 'connexion_bloquee'"
    )
    assert audit == [(2,)]


def test_sign_in_is_throttled_per_address(client: TestClient) -> None:
    _fake_clock(client)
    for n in range(20):
        assert _try(client, f"inconnu{n % 5}", "n-importe-quoi").status_code == 401
    blocked = _try(client, "national", PASSWORD)
    assert blocked.status_code == 429
    assert "pour votre adresse réseau" in blocked.text
    elsewhere = TestClient(client.app, client=("192.0.2.7", 50000))
    sign_in(elsewhere, "national")
    assert elsewhere.get("/api/imports").status_code == 200


def test_the_throttling_message_is_one_minute_when_one_is_left(client: TestClient) -> None:
    now = _fake_clock(client)
    for _ in range(5):
        _try(client, "national", "faux-mot-de-passe")
    now[0] += WINDOW - 30
    assert "bloquée pendant 1 minute." in _try(client, "national", PASSWORD).text
