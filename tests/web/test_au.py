"""`?au=AAAA-MM-JJ` on the dashboards: the pages, their JSON, CSV and Excel twins and the PDF
bilan computed at an earlier date give the figures of `jalon bilan --au` for that date, say so,
keep the date in their links, never share a cache entry with the latest figures, and refuse a
malformed date in French.

The store is the web tests' hand-made one (`tests/web/conftest.py`): Occitanie (76) has, under the
plan's financeurs, entries on 4 January, 6 June, 12 September (two) and 31 December 2016, and on
2 March and 28 December 2015 (reference year); its files reach January 2017. At 15 June 2016
the phase 2016 is five months complete out of twelve, with 2 entries against 1 over the same days
of 2015.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from pypdf import PdfReader
from typer.testing import CliRunner

from jalon.cli import app as cli
from jalon.ingest import import_file
from jalon.plan import load_plan
from jalon.sources import builtin_profiles
from jalon.store import open_store
from jalon.web.app import Settings, create_app
from jalon.web.views import DATED_VIEWS, optional
from tests.web.conftest import BASE_FILE, csrf_of, sign_in

MID = "2016-06-15"
runner = CliRunner()


@pytest.fixture
def cli_db(web_template: Path, tmp_path: Path, key: bytes) -> Path:
    """The same store as the web app's, for the CLI (the app holds its own file open)."""
    return Path(shutil.copy(web_template, tmp_path / "cli.duckdb"))


def cli_bilan(db: Path, *options: str) -> dict[str, object]:
    result = runner.invoke(
        cli, ["bilan", "--phase", "2016", "--db", str(db), "--format", "json", *options]
    )
    assert result.exit_code == 0, result.output
    loaded: dict[str, object] = json.loads(result.output)
    return loaded


def figures(bilan: dict[str, object]) -> dict[str, object]:
    return {code: f["valeur"] for code, f in bilan["indicateurs"].items()}  # type: ignore[attr-defined]


def hrefs(html: str) -> list[str]:
    return [h.replace("&amp;", "&") for h in re.findall(r'href="([^"]+)"', html)]


def test_region_at_mid_phase_is_the_cli_bilan_at_that_date(
    client: TestClient, cli_db: Path
) -> None:
    expected_public = cli_bilan(cli_db, "--region", "76", "--au", MID, "--public")
    public = client.get(f"/api/regions/76?phase=2016&au={MID}").json()
    assert public["public"] is True and public["bilan"] == expected_public
    public_national = client.get(f"/api/national?phase=2016&au={MID}").json()
    assert public_national["bilan"] == cli_bilan(cli_db, "--national", "--au", MID, "--public")

    expected = cli_bilan(cli_db, "--region", "76", "--au", MID)
    sign_in(client, "national")
    data = client.get(f"/api/regions/76?phase=2016&au={MID}").json()
    assert data["bilan"] == expected
    bilan = data["bilan"]
    assert bilan["etat_phase"] == "phase en cours : 5 mois sur 12"
    assert (bilan["date_arret"], bilan["au"], bilan["date_arret_donnees"]) == (
        MID,
        MID,
        "2017-01-31",
    )
    # Like for like, by hand: 4 January and 6 June 2016 against 2 March 2015.
    values = figures(bilan)
    assert (values["entrees"], values["entrees_reference"]) == (2, 1)
    assert values["entrees_supplementaires"] == 1
    months = [row["cle"] for row in bilan["ventilations"]["mois"]["lignes"]]
    assert months == ["2016-01", "2016-02", "2016-03", "2016-04", "2016-05", "2016-06"]

    national = client.get(f"/api/national?phase=2016&au={MID}").json()
    assert national["bilan"] == cli_bilan(cli_db, "--national", "--au", MID)
    ranking = runner.invoke(
        cli, ["classement", "--phase", "2016", "--db", str(cli_db), "--format", "json", "--au", MID]
    )
    assert ranking.exit_code == 0, ranking.output
    expected_ranking = json.loads(ranking.output)
    assert expected_ranking["etat_phase"] == "phase en cours : 5 mois sur 12"
    assert national["classement"] == {
        k: v for k, v in expected_ranking.items() if k in national["classement"]
    }
    assert national["classement"]["regions"] == expected_ranking["regions"]

    page = client.get(f"/regions/76?phase=2016&au={MID}").text
    assert "Données arrêtées au 15 juin 2016" in page
    assert "phase en cours : 5 mois sur 12" in page
    assert 'id="notice-au"' in page and "Page calculée au 15 juin 2016" in page
    assert re.search(r'data-indicateur="entrees">\s*2\s*<', page)


def test_the_cache_keeps_dates_apart(client: TestClient) -> None:
    sign_in(client, "national")
    latest = client.get("/api/regions/76?phase=2016").json()["bilan"]
    dated = client.get(f"/api/regions/76?phase=2016&au={MID}").json()["bilan"]
    again = client.get("/api/regions/76?phase=2016").json()["bilan"]
    assert figures(latest)["entrees"] == figures(again)["entrees"] == 5
    assert figures(dated)["entrees"] == 2
    assert latest["au"] is None and again == latest

    client.cookies.clear()  # anonymous: whole pages cached once per data version and date
    for _ in range(2):
        plain = client.get("/regions/76?phase=2016").text
        at = client.get(f"/regions/76?phase=2016&au={MID}").text
        assert 'id="arret">Données arrêtées au 31 janvier 2017.' in plain
        assert "notice-au" not in plain
        assert 'id="arret">Données arrêtées au 15 juin 2016 — ' in at
        home = client.get("/?phase=2016").text
        home_at = client.get(f"/?phase=2016&au={MID}").text
        assert 'id="arret">Données arrêtées au 31 janvier 2017.' in home
        assert "notice-au" not in home
        assert "Page calculée au 15 juin 2016" in home_at
        assert "phase en cours : 5 mois sur 12" in home_at


def test_dated_views_are_bounded(client: TestClient) -> None:
    store = client.app.state.store  # type: ignore[attr-defined]
    computed: list[int] = []

    def view(n: int) -> int:
        computed.append(n)
        return n

    first = dt.date(2016, 1, 1)
    store.cached(("essai", first), lambda: view(0))
    store.cached(("essai", first), lambda: view(0))
    assert computed == [0]
    for n in range(1, DATED_VIEWS + 1):
        store.cached(("essai", first + dt.timedelta(days=n)), lambda n=n: view(n))
    store.cached(("essai", first), lambda: view(0))  # dropped as the least recently used
    assert computed.count(0) == 2


def test_links_and_form_keep_the_date(client: TestClient) -> None:
    page = client.get(f"/regions/76?phase=2016&au={MID}").text
    links = hrefs(page)
    kept = [h for h in links if "/ventilations/" in h or "bilan.xlsx" in h or "/api/regions" in h]
    assert any(".csv" in h for h in kept) and any("bilan.xlsx" in h for h in kept)
    assert all(h.endswith(f"?phase=2016&au={MID}") for h in kept), kept
    assert f"/?phase=2016&au={MID}" in links  # breadcrumb back to the national view
    assert "/regions/76?phase=2016" in links  # the notice's way back to the latest data
    assert f'type="date" id="au" name="au" value="{MID}" max="2017-01-31"' in page

    home = client.get(f"/?phase=2016&au={MID}").text
    regions = [h for h in hrefs(home) if h.startswith("/regions/")]
    assert len(regions) >= 2 * 13  # the map and the ranking table, every region
    assert all(h.endswith(f"?phase=2016&au={MID}") for h in regions), regions
    for twin in ("/api/national", "/national.xlsx"):
        assert f"{twin}?phase=2016&au={MID}" in hrefs(home)
    assert "/?phase=2016" in hrefs(home)

    plain = client.get("/regions/76?phase=2016").text
    assert "au=" not in plain.replace('name="au"', "")
    assert 'type="date" id="au" name="au" value=""' in plain


def test_downloads_at_a_date(client: TestClient, cli_db: Path) -> None:
    expected = cli_bilan(cli_db, "--region", "76", "--au", MID, "--public")
    csv = client.get(f"/regions/76/ventilations/mois.csv?phase=2016&au={MID}")
    assert csv.status_code == 200
    assert f"jalon-76-2016-au-{MID}-mois.csv" in csv.headers["content-disposition"]
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert len(lines) - 1 == len(expected["ventilations"]["mois"]["lignes"]) == 6  # type: ignore[index]
    latest_csv = client.get("/regions/76/ventilations/mois.csv?phase=2016").content
    assert len(latest_csv.decode("utf-8-sig").splitlines()) - 1 == 12

    dated = client.get(f"/regions/76/bilan.xlsx?phase=2016&au={MID}")
    latest = client.get("/regions/76/bilan.xlsx?phase=2016")
    assert dated.status_code == latest.status_code == 200
    assert f"jalon-76-2016-au-{MID}.xlsx" in dated.headers["content-disposition"]
    assert dated.content != latest.content
    for answer, day in ((dated, dt.date(2016, 6, 15)), (latest, dt.date(2017, 1, 31))):
        source = load_workbook(io.BytesIO(answer.content))["Source"]
        rows = {row[0]: row[1] for row in source.iter_rows(values_only=True)}
        assert rows["Date d'arrêt des données"] == dt.datetime.combine(day, dt.time())
    national = client.get(f"/national.xlsx?phase=2016&au={MID}")
    assert f"jalon-national-2016-au-{MID}.xlsx" in national.headers["content-disposition"]


def test_a_malformed_date_is_refused_in_french(client: TestClient) -> None:
    expected = (
        "Paramètre « au » : date d'arrêt « 15/06/2016 » illisible : attendu une date "
        "AAAA-MM-JJ, par exemple 2017-03-31."
    )
    for address in ("/api/regions/76", "/api/national", "/regions/76/ventilations/mois.csv"):
        answer = client.get(f"{address}?phase=2016&au=15/06/2016")
        assert answer.status_code == 400, address
        assert answer.json() == {"erreur": expected}, address
    for address in ("/regions/76", "/", "/national.xlsx", "/regions/76/bilan.xlsx"):
        answer = client.get(f"{address}?au=2016-13-01")
        assert answer.status_code == 400, address
        assert "text/html" in answer.headers["content-type"]
        assert "<h1>Demande incorrecte</h1>" in answer.text
        assert "Paramètre « au » : date d&#39;arrêt « 2016-13-01 » illisible" in answer.text
        assert "attendu une date AAAA-MM-JJ" in answer.text
    ancient = client.get("/api/regions/76?au=0001-01-01")
    assert ancient.status_code == 400 and "à partir du 1er janvier 1900" in ancient.json()["erreur"]
    assert client.get("/api/regions/76?au=").status_code == 200  # empty form field: latest


def test_dates_outside_the_data_are_taken_as_the_cli_takes_them(
    client: TestClient, cli_db: Path
) -> None:
    future = cli_bilan(cli_db, "--region", "76", "--au", "2999-01-01")
    before = cli_bilan(cli_db, "--region", "76", "--au", "2015-06-01")
    sign_in(client, "national")
    latest = client.get("/api/regions/76?phase=2016").json()["bilan"]
    late = client.get("/api/regions/76?phase=2016&au=2999-01-01").json()
    assert late["bilan"] == future
    assert late["bilan"]["date_arret"] == "2017-01-31" and late["bilan"]["au"] == "2999-01-01"
    assert figures(late["bilan"]) == figures(latest)
    page = client.get("/regions/76?phase=2016&au=2999-01-01").text
    assert "Date demandée : 1er janvier 2999, postérieure à la date d'arrêt des données " in page
    assert "Les chiffres sont ceux du 31 janvier 2017, les plus récents." in page

    early = client.get("/api/regions/76?phase=2016&au=2015-06-01").json()
    assert early["bilan"] == before and early["prevision"] is None
    assert early["bilan"]["etat_phase"] == "phase en cours : 0 mois sur 12"
    page = client.get("/regions/76?phase=2016&au=2015-06-01").text
    assert 'id="prevision-refus">Pas de prévision pour la phase 2016' in page
    assert "couvertes par le secret" not in page


def test_etag_varies_with_the_date(client: TestClient) -> None:
    latest = client.get("/api/regions/76?phase=2016")
    dated = client.get(f"/api/regions/76?phase=2016&au={MID}")
    assert latest.headers["etag"] != dated.headers["etag"]
    cross = client.get(
        f"/api/regions/76?phase=2016&au={MID}", headers={"If-None-Match": latest.headers["etag"]}
    )
    assert cross.status_code == 200 and cross.json()["bilan"]["au"] == MID
    same = client.get(
        f"/api/regions/76?phase=2016&au={MID}", headers={"If-None-Match": dated.headers["etag"]}
    )
    assert same.status_code == 304


def test_openapi_documents_au_in_french(client: TestClient) -> None:
    paths = client.get("/api/openapi.json").json()["paths"]
    for path in (
        "/",
        "/api/national",
        "/national.xlsx",
        "/regions/{code}",
        "/api/regions/{code}",
        "/regions/{code}/bilan.xlsx",
        "/regions/{code}/ventilations/{ventilation}.csv",
    ):
        found = [p for p in paths[path]["get"]["parameters"] if p["name"] == "au"]
        assert len(found) == 1, path
        assert found[0]["in"] == "query" and not found[0].get("required", False)
        assert "Date d'arrêt demandée (AAAA-MM-JJ)" in found[0]["description"]
        assert "date" in json.dumps(found[0]["schema"])
    assert "400" in paths["/api/regions/{code}"]["get"]["responses"]


@pytest.fixture
def pdf_client(web_db: Path, tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(db_path=web_db, https_only=False, upload_dir=tmp_path / "envois")
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.mark.slow
def test_pdf_bilan_at_a_date(pdf_client: TestClient) -> None:
    assert optional("jalon.report.document", "build_document") is not None
    sign_in(pdf_client, "occitanie")
    token = csrf_of(pdf_client, "/bilan")
    assert 'type="date" id="au" name="au"' in pdf_client.get("/bilan").text
    refused = pdf_client.post(
        "/bilan/pdf", data={"phase": "2016", "region": "76", "au": "juin", "csrf": token}
    )
    assert refused.status_code == 400 and "Paramètre « au »" in refused.text
    answer = pdf_client.post(
        "/bilan/pdf", data={"phase": "2016", "region": "76", "au": MID, "csrf": token}
    )
    assert answer.status_code == 200, answer.text
    assert f'filename="bilan-76-2016-au-{MID}-public.pdf"' in answer.headers["content-disposition"]
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(answer.content)).pages)
    assert "15 juin 2016" in re.sub(r"\s+", " ", text)
    assert "5 mois sur 12" in re.sub(r"\s+", " ", text)


def _pe_line(n: int, start: str, end: str, insee: str) -> str:
    """One line of the Pôle emploi trainee export (38 columns, `|`, NULL for empty), funded by
    Pôle emploi (financeur 4), as the fixture files of `tests/data/pe-stagiaires` are written."""
    person = f"{3000000 + n}A"
    cells = ["NULL"] * 38
    cells[:4] = ["Fictif", "Personne", f"p{person}@exemple.test", "0500000000"]
    cells[6], cells[13] = person, "Formation fictive"
    cells[14], cells[15] = f"{start} 00:00:00.0", f"{end} 00:00:00.0"
    cells[18], cells[20], cells[23] = insee, "22854", "31234567800014"
    cells[26], cells[33], cells[34], cells[37] = insee[:2], "400", f"SE_{n}", "4"
    return "|".join(cells)


def _imported(lines: list[str], db: Path, key: bytes) -> Path:
    """A store holding the Pôle emploi export made of the fixture file's header and `lines`."""
    header = BASE_FILE.read_text(encoding="utf-8").splitlines()[0]
    source = db.with_suffix(".csv")
    source.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    con = open_store(db)
    try:
        import_file(con, source, builtin_profiles()["pe-stagiaires"], load_plan(), key)
    finally:
        con.close()
    return db


@pytest.fixture
def secret_dbs(tmp_path: Path, key: bytes) -> tuple[Path, Path]:
    """Occitanie: 8 entries in the first half of 2016 and 8 in the second; Bretagne: 14 in the
    first half. At the end of 2016 both regions pass the threshold (11); at 15 June 2016
    Occitanie (8) does not, and Bretagne's 14 and the nation's 22 would give it back."""
    lines: list[str] = []
    days = [f"2016-0{m}-0{d}" for m in (1, 2, 3, 4) for d in (4, 5)]
    lines += [_pe_line(i, day, "2016-12-16", "31555") for i, day in enumerate(days)]
    late = [f"2016-{m}-0{d}" for m in (10, 11, 12) for d in (3, 4, 5)][:8]
    lines += [_pe_line(10 + i, day, "2017-01-27", "31555") for i, day in enumerate(late)]
    lines += [
        _pe_line(20 + i, f"2016-0{1 + i % 5}-1{i % 9}", "2016-12-16", "35238") for i in range(14)
    ]
    db = _imported(lines, tmp_path / "secret.duckdb", key)
    return db, Path(shutil.copy(db, tmp_path / "secret-cli.duckdb"))


def test_the_public_pattern_at_a_date_is_that_dates(secret_dbs: tuple[Path, Path]) -> None:
    web_db, cli_db = secret_dbs
    latest = cli_bilan(cli_db, "--national", "--public")
    dated = cli_bilan(cli_db, "--national", "--au", MID, "--public")
    assert latest["ventilations"] != dated["ventilations"]
    with TestClient(create_app(Settings(db_path=web_db, https_only=False))) as client:
        for options, query in (((), ""), (("--au", MID), f"&au={MID}")):
            national = client.get(f"/api/national?phase=2016{query}").json()["bilan"]
            assert national == cli_bilan(cli_db, "--national", "--public", *options)
            for region in ("76", "53"):
                shown = client.get(f"/api/regions/{region}?phase=2016{query}").json()["bilan"]
                assert shown == cli_bilan(cli_db, "--region", region, "--public", *options)


def test_the_forecast_block_says_what_is_known_at_the_date(client: TestClient) -> None:
    sign_in(client, "national")
    mid = client.get(f"/api/regions/76?phase=2016&au={MID}").json()["prevision"]
    # The plan's first phase: no finished phase calibrates a probability.
    assert mid["months_observed"] < mid["months_total"] and mid["probability"] is None
    page = client.get(f"/regions/76?phase=2016&au={MID}").text
    block = page[page.index('id="prevision"') :]
    assert (
        "fourchette du modèle, non calibrée : " in block and "intervalle à 80\u00a0% :" not in block
    )
    assert 'data-prevision="probabilite">non estimée</p>' in block
    assert "total définitif" not in block

    done = client.get("/api/regions/76?phase=2016").json()["prevision"]
    assert done["months_observed"] == done["months_total"]
    block = client.get("/regions/76?phase=2016").text
    block = block[block.index('id="prevision"') :]
    assert "phase terminée : total définitif" in block and "fourchette" not in block
    assert 'data-prevision="probabilite">sans objet</p>' in block


def test_the_ranking_marks_the_estimated_targets(tmp_path: Path, key: bytes) -> None:
    """Provence-Alpes-Côte d'Azur's additional target is an estimate in the shipped plan,
    Occitanie's is published (its convention of 25 April 2016)."""
    lines = [_pe_line(i, "2016-03-07", "2016-09-30", "31555") for i in range(12)]
    lines += [_pe_line(100 + i, "2016-03-07", "2016-09-30", "13055") for i in range(12)]
    db = _imported(lines, tmp_path / "estimes.duckdb", key)
    with TestClient(create_app(Settings(db_path=db, https_only=False))) as client:
        page = client.get("/?phase=2016").text
    rows = {
        r: page[page.index(f'<tr data-region="{r}">') :].split("</tr>")[0] for r in ("76", "93")
    }
    assert "(estimé)</abbr>" in rows["93"] and "(estimé)" not in rows["76"]
    assert "« (estimé) » : objectif supplémentaire estimé" in page


def test_the_forecast_tile_says_when_its_target_is_estimated(client: TestClient) -> None:
    """Bretagne's total target rests on an estimated base (only its additional target is
    published); Occitanie's is published whole."""
    sign_in(client, "national")
    for region, wording in (("53", "objectif estimé : "), ("76", "objectif : ")):
        page = client.get(f"/regions/{region}?phase=2016&au={MID}").text
        block = page[page.index('id="prevision"') :]
        assert f'<p class="jalon-chiffre__note">{wording}' in block, region
