"""The web server's edges: uploads refused before their body, long names, huge spreadsheets,
caching and HSTS headers, the favicon, the import page without the pseudonymisation key."""

from __future__ import annotations

import socket
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from jalon.web.rendering import accord
from tests.ingest.bombs import write_xlsx_bomb
from tests.web.browser import running_server
from tests.web.conftest import WEB_DATA, csrf_of, sign_in

DECLARED = 100 << 20  # bytes announced, far more than the test ever sends


def _post_headers_only(url: str, path: str) -> bytes:
    """Announce a 100 MiB multipart upload, send 64 KiB of it, and read what the server says."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        conn.sendall(
            f"POST {path} HTTP/1.1\r\nHost: {host}\r\n"
            "Content-Type: multipart/form-data; boundary=limite\r\n"
            f"Content-Length: {DECLARED}\r\n\r\n".encode()
            + b"--limite\r\n"
            b'Content-Disposition: form-data; name="fichier"; filename="gros.csv"\r\n'
            b"Content-Type: text/csv\r\n\r\n" + b"x" * (64 * 1024)
        )  # fmt: skip
        conn.settimeout(10)  # a server reading the whole body first would never answer in time
        return conn.recv(4096)


def test_anonymous_upload_is_answered_before_its_body_is_read(web_db: Path) -> None:
    with running_server(web_db, max_upload_bytes=200 << 20) as url:
        page = _post_headers_only(url, "/imports")
        api = _post_headers_only(url, "/api/imports")
        assert httpx.get(f"{url}/sante").json()["ok"] is True
    assert page.startswith(b"HTTP/1.1 303"), page[:200]
    assert b"location: /connexion?suite=/imports" in page.lower()
    assert api.startswith(b"HTTP/1.1 401"), api[:200]
    assert b"Connectez-vous pour envoyer un fichier" in api


def test_long_file_name_gets_a_french_422(client: TestClient) -> None:
    sign_in(client, "national")
    name = "export-pole-emploi-" + "tres-long-" * 30 + ".csv"
    body = (WEB_DATA / "occitanie-avec-rejets.csv").read_bytes()
    page = client.post(
        "/imports",
        data={"profil": "auto", "csrf": csrf_of(client, "/imports")},
        files={"fichier": (name, body, "text/csv")},
    )
    assert page.status_code == 422
    assert f"nom de fichier trop long ({len(name)} caractères)" in page.text
    assert "renommez le fichier" in page.text
    api = client.post(
        "/api/imports",
        data={"profil": "auto", "csrf": csrf_of(client, "/imports")},
        files={"fichier": (name, body, "text/csv")},
    )
    assert api.status_code == 422 and "nom de fichier trop long" in api.json()["erreur"]


@pytest.mark.parametrize("profil", ["pe-stagiaires", "auto"])
def test_spreadsheet_bomb_upload_is_refused_and_the_server_keeps_answering(
    client: TestClient, tmp_path: Path, profil: str
) -> None:
    sign_in(client, "national")
    bomb = write_xlsx_bomb(tmp_path / "bombe.xlsx").read_bytes()
    page = client.post(
        "/imports",
        data={"profil": profil, "csrf": csrf_of(client, "/imports")},
        files={"fichier": ("bombe.xlsx", bomb)},
    )
    assert page.status_code == 422
    assert "Fichier refusé" in page.text
    assert "bombe.xlsx : la première feuille déclare la plage A1:XFD1048576" in page.text
    assert client.get("/sante").json()["ok"] is True
    assert client.get("/api/imports").status_code == 200


def test_signed_in_answers_are_no_store_and_public_ones_are_not(client: TestClient) -> None:
    for url in ["/api/national", "/api/regions/76", "/", "/regions/76"]:
        assert "cache-control" not in client.get(url).headers, url
    sign_in(client, "occitanie")
    for url in ["/api/national", "/api/regions/76", "/api/imports", "/api/bilan", "/imports"]:
        assert client.get(url).headers["cache-control"] == "no-store", url


def test_hsts_only_over_https(client: TestClient, web_db: Path) -> None:
    assert "strict-transport-security" not in client.get("/").headers
    secure = TestClient(client.app, base_url="https://testserver")
    assert secure.get("/").headers["strict-transport-security"].startswith("max-age=31536000")
    # Behind a proxy on the machine, uvicorn takes the scheme from X-Forwarded-Proto.
    client.app.state.store.close()  # type: ignore[attr-defined]
    with running_server(web_db) as url:
        proxied = httpx.get(f"{url}/indicateurs", headers={"X-Forwarded-Proto": "https"})
        plain = httpx.get(f"{url}/indicateurs")
    assert "max-age=31536000" in proxied.headers["strict-transport-security"]
    assert "strict-transport-security" not in plain.headers


def test_favicon_is_served(client: TestClient) -> None:
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.headers["content-type"] == "image/x-icon"
    assert icon.content[:4] == b"\x00\x00\x01\x00"  # the ICO signature
    assert 'href="/static/dsfr/favicon/favicon.svg"' in client.get("/").text
    assert client.get("/static/dsfr/favicon/favicon.svg").status_code == 200


def test_import_page_says_uploads_are_off_without_the_key(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    sign_in(client, "national")
    monkeypatch.delenv("JALON_SECRET")
    page = client.get("/imports")
    assert 'id="envois-desactives"' in page.text
    assert "L&#39;envoi de fichiers est désactivé sur ce serveur" in page.text
    assert "JALON_SECRET" in page.text and "redémarrer avec cette clé" in page.text
    assert 'id="controler" disabled' in page.text
    upload = client.post(
        "/imports",
        data={"profil": "auto", "csrf": csrf_of(client, "/imports")},
        files={"fichier": ("o.csv", (WEB_DATA / "occitanie-avec-rejets.csv").read_bytes())},
        follow_redirects=False,
    )
    assert upload.status_code == 303 and upload.headers["location"] == "/imports"
    api = client.post(
        "/api/imports",
        data={"csrf": csrf_of(client, "/imports")},
        files={"fichier": ("o.csv", b"a;b\n")},
    )
    assert api.status_code == 503 and "JALON_SECRET" in api.json()["erreur"]
    monkeypatch.setenv("JALON_SECRET", "cle-de-test-jalon-0123456789")
    assert 'id="envois-desactives"' not in client.get("/imports").text


def test_import_counts_agree_in_number(client: TestClient) -> None:
    sign_in(client, "national")
    preview = client.post(
        "/imports",
        data={"profil": "auto", "csrf": csrf_of(client, "/imports")},
        files={"fichier": ("o.csv", (WEB_DATA / "occitanie-avec-rejets.csv").read_bytes())},
    )
    assert '<span data-compte="rejetees">2</span> rejetées' in preview.text
    assert '<span data-compte="doublons">0</span> doublon</li>' in preview.text
    assert [accord(n, "doublon") for n in (0, 1, 2, 1000)] == [
        "doublon", "doublon", "doublons", "doublons"
    ]  # fmt: skip
    assert accord(1, "ligne lue", "lignes lues") == "ligne lue"
