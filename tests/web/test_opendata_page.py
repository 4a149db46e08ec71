"""The public page « Données » (`/donnees`), its JSON twin and the files it links to: the same
bytes as `jalon opendata`, the same for an anonymous visitor and a signed-in account."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from jalon.cli import app
from jalon.web.app import Settings, create_app
from tests.web.conftest import client, sign_in, web_db, web_template

__all__ = ["client", "web_db", "web_template"]


def test_page_lists_every_table_with_its_downloads(client: TestClient) -> None:
    page = client.get("/donnees?phase=2016")
    assert page.status_code == 200
    listing = client.get("/donnees.json?phase=2016").json()
    assert len(listing["tables"]) == 8
    for table in listing["tables"]:
        served = client.get(table["csv"]).content.decode("utf-8")
        assert table["lignes"] == len(list(csv.DictReader(io.StringIO(served)))) > 0
    for table in listing["tables"]:
        assert f'href="{table["csv"]}"' in page.text
        assert f'href="{table["parquet"]}"' in page.text
    assert "Licence Ouverte / Open Licence 2.0" in page.text
    assert 'href="/donnees">Données ouvertes</a>' in client.get("/indicateurs").text


def test_files_are_those_jalon_opendata_writes(web_db: Path, tmp_path: Path) -> None:
    with TestClient(create_app(Settings(db_path=web_db, https_only=False))) as server:
        listing = server.get("/donnees.json?phase=2016").json()
        served = {
            url.rsplit("/", 1)[1]: server.get(url)
            for t in listing["tables"]
            for url in (t["csv"], t["parquet"])
        }
        served["datapackage.json"] = server.get(listing["datapackage"])
    assert served["entrees-mois.csv"].headers["content-type"] == "text/csv; charset=utf-8"
    assert served["classement.csv"].headers["content-disposition"] == (
        'attachment; filename="jalon-2016-classement.csv"'
    )
    target = tmp_path / "jeu"
    args = ["opendata", "--phase", "2016", "--sortie", str(target), "--db", str(web_db)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert sorted(served) == sorted(p.name for p in target.iterdir())
    for name, response in served.items():
        assert response.status_code == 200, name
        assert response.content == (target / name).read_bytes(), name
    descriptor = json.loads(served["datapackage.json"].content)
    assert descriptor["jalon"]["secret_statistique"]["seuil"] == 11


def test_signed_in_accounts_get_the_public_set(client: TestClient) -> None:
    anonymous = client.get("/donnees/2016/indicateurs.csv").content
    sign_in(client, "occitanie")
    assert client.get("/donnees/2016/indicateurs.csv").content == anonymous


def test_unknown_file_or_phase_is_a_french_404(client: TestClient) -> None:
    missing = client.get("/donnees/2016/personnes.csv")
    assert missing.status_code == 404
    assert "Fichier inconnu" in missing.text
    assert client.get("/donnees/1999/indicateurs.csv").status_code == 404
