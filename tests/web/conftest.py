"""Fixtures of the web tests: a small store from the hand-made fixture files, three accounts, an
in-process client (FastAPI's TestClient) that signs in through the real login form, and Debian's
Chromium (Playwright), started once per session for the browser tests."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, sync_playwright

from jalon.ingest import import_file
from jalon.plan import load_plan
from jalon.sources import builtin_profiles
from jalon.store import open_store
from jalon.web.accounts import add_user
from jalon.web.app import Settings, create_app
from tests.conftest import DATA, TEST_KEY
from tests.web.browser import CHROMIUM, CHROMIUM_ARGS

PASSWORD = "mot-de-passe-de-test-tres-long"
WEB_DATA = DATA / "web"
BASE_FILE = DATA / "pe-stagiaires" / "indicateurs-2016.csv"
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def build_store(path: Path) -> Path:
    """One pe-stagiaires import (Occitanie, Bretagne, Île-de-France lines) and three accounts."""
    con = open_store(path)
    try:
        import_file(
            con, BASE_FILE, builtin_profiles()["pe-stagiaires"], load_plan(), TEST_KEY.encode()
        )
        add_user(con, "national", PASSWORD, "national", None)
        add_user(con, "occitanie", PASSWORD, "regional", "76")
        add_user(con, "bretagne", PASSWORD, "regional", "53")
    finally:
        con.close()
    return path


@pytest.fixture(scope="session")
def web_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built once per session (an import and three argon2 hashes); each test gets a copy."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("JALON_SECRET", TEST_KEY)
        return build_store(tmp_path_factory.mktemp("modele") / "web.duckdb")


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One Chromium for the browser tests; each test opens its own context (cookies, storage)."""
    assert CHROMIUM.exists(), (
        "Chromium manque : « make test » l'installe (apt-get install chromium)"
    )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def web_db(web_template: Path, tmp_path: Path, key: bytes) -> Path:
    return Path(shutil.copy(web_template, tmp_path / "web.duckdb"))


@pytest.fixture
def client(web_db: Path, tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(
        Settings(
            db_path=web_db,
            https_only=False,
            max_upload_bytes=64 * 1024,
            upload_dir=tmp_path / "envois",
        )
    )
    with TestClient(app) as test_client:
        yield test_client


def csrf_of(client: TestClient, url: str = "/connexion") -> str:
    found = _CSRF.search(client.get(url).text)
    assert found, f"pas de jeton CSRF sur {url}"
    return found.group(1)


def sign_in(client: TestClient, identifiant: str, password: str = PASSWORD) -> None:
    response = client.post(
        "/connexion",
        data={"identifiant": identifiant, "mot_de_passe": password, "csrf": csrf_of(client)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
