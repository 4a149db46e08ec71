"""Scope on every write, through the web upload: a regional account's file with rows of another
region is refused at the preview and by the API, for the tables counted by region and the LHEO
catalogue as for trainee exports; a national account's import records the regions it wrote."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from jalon.web.app import Settings, create_app
from tests.conftest import DATA
from tests.web.conftest import csrf_of, sign_in

PORTEE = DATA / "portee"


def _api(client: TestClient, path: Path, profil: str, essai: bool):
    return client.post(
        "/api/imports",
        data={"profil": profil, "essai": str(essai).lower(), "csrf": csrf_of(client, "/imports")},
        files={"fichier": (path.name, path.read_bytes())},
    )


def _counts(client: TestClient) -> tuple[int, ...]:
    store = client.app.state.store  # type: ignore[attr-defined]
    tables = ("imports", "demandeurs", "actions_agregees", "personnes", "emplois", "offre_actions")
    return tuple(store.query(f"SELECT count(*) FROM {t}")[0][0] for t in tables)


OUTSIDE = [
    ("demandeurs", PORTEE / "demandeurs-trois-regions.csv", "2 lignes hors de votre région"),
    ("actions-agregees", PORTEE / "actions-deux-regions.csv", "1 ligne hors de votre région"),
    ("personnes", PORTEE / "personnes-trois-lieux.csv", "ligne 4 (région non indiquée)"),
    ("emplois", DATA / "emplois" / "emplois-2017.csv", "seul un compte national peut l"),
    ("lheo", PORTEE / "catalogue-deux-regions.xml", "2 actions hors de votre région"),
]


@pytest.mark.parametrize(("profil", "path", "said"), OUTSIDE, ids=[o[0] for o in OUTSIDE])
def test_a_regional_account_cannot_write_another_regions_rows(
    client: TestClient, profil: str, path: Path, said: str
) -> None:
    sign_in(client, "occitanie")
    before = _counts(client)
    preview = client.post(
        "/imports",
        data={"profil": profil, "csrf": csrf_of(client, "/imports")},
        files={"fichier": (path.name, path.read_bytes())},
    )
    assert preview.status_code == 422 and said in preview.text
    assert 'id="confirmer"' not in preview.text
    api = _api(client, path, profil, essai=False)
    assert api.status_code == 422 and said in api.json()["erreur"]
    assert "(Occitanie, 76)" in api.json()["erreur"]
    assert _counts(client) == before


def test_a_national_import_names_the_regions_it_wrote(client: TestClient) -> None:
    sign_in(client, "national")
    done = _api(client, PORTEE / "demandeurs-trois-regions.csv", "demandeurs", essai=False)
    assert done.status_code == 200, done.text
    assert done.json()["import"]["regions"] == ["53", "76", "84"]
    store = client.app.state.store  # type: ignore[attr-defined]
    assert store.query(
        "SELECT regions_ecrites FROM imports WHERE file_name = 'demandeurs-trois-regions.csv'"
    ) == [(["53", "76", "84"],)]


def test_a_regional_account_imports_its_own_regions_catalogue(client: TestClient) -> None:
    sign_in(client, "occitanie")
    done = _api(client, DATA / "lheo" / "catalogue-2.2-occitanie.xml", "lheo", essai=False)
    assert done.status_code == 200, done.text
    store = client.app.state.store  # type: ignore[attr-defined]
    assert store.query(
        "SELECT imported_by, regions_ecrites FROM imports WHERE profile = 'lheo'"
    ) == [("occitanie", ["76"])]
    assert store.query("SELECT region FROM audit WHERE action = 'import'") == [("76",)]


def test_a_server_removes_the_uploads_a_dead_server_left_and_its_own_on_exit(
    web_db: Path, tmp_path: Path
) -> None:
    pid_max = int(Path("/proc/sys/kernel/pid_max").read_text())
    dead = tmp_path / f"jalon-envois-{pid_max + 1}-abc"
    alive = tmp_path / f"jalon-envois-{os.getpid()}-def"
    foreign = tmp_path / "jalon-envois-notes"
    for folder in (dead, alive, foreign):
        folder.mkdir()
        (folder / "envoi.csv").write_text("dn_individu_national;nom\n1234567A;Martin\n")
    app = create_app(Settings(db_path=web_db, https_only=False, upload_dir=tmp_path))
    assert not dead.exists()
    assert (alive / "envoi.csv").exists() and (foreign / "envoi.csv").exists()
    own = [p for p in tmp_path.glob(f"jalon-envois-{os.getpid()}-*") if p != alive]
    assert len(own) == 1 and not any(own[0].iterdir())
    with TestClient(app):
        pass
    assert not own[0].exists()
