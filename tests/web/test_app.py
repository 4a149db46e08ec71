"""The web app in-process: pages and JSON twins, scope, secrecy, CSRF, imports, audit."""

from __future__ import annotations

import io
import re

import duckdb
from fastapi.testclient import TestClient
from pypdf import PdfReader

from jalon.indicators import compute_bilan
from jalon.plan import load_plan
from jalon.web.views import optional
from tests.web.conftest import WEB_DATA, csrf_of, sign_in


def _figures(payload: dict) -> dict:
    return {code: f["valeur"] for code, f in payload["bilan"]["indicateurs"].items()}


def test_every_public_page_and_its_json_twin_answer(client: TestClient) -> None:
    for page, twin in [
        ("/", "/api/national"),
        ("/regions/76", "/api/regions/76"),
        ("/regions/53?phase=2017S1", "/api/regions/53?phase=2017S1"),
        ("/indicateurs", "/api/indicateurs"),
    ]:
        html = client.get(page)
        assert html.status_code == 200, page
        assert html.headers["content-type"].startswith("text/html")
        assert '<html lang="fr"' in html.text and "République<br>Française" in html.text
        assert client.get(twin).status_code == 200, twin
    schema = client.get("/api/openapi.json").json()
    assert {"/api/national", "/api/regions/{code}", "/api/indicateurs", "/api/imports"} <= set(
        schema["paths"]
    )


def test_national_user_sees_the_figures_compute_bilan_gives(client: TestClient, web_db) -> None:
    sign_in(client, "national")
    shown = _figures(client.get("/api/regions/76").json())
    client.app.state.store.close()  # type: ignore[attr-defined]
    con = duckdb.connect(str(web_db), read_only=True)
    try:
        expected = compute_bilan(con, load_plan(), "2016", "76")
    finally:
        con.close()
    assert shown == {f.code: f.value for f in expected.figures}
    assert shown["entrees"] == 5


def test_anonymous_visitors_get_small_counts_hidden(client: TestClient) -> None:
    public = client.get("/api/regions/76").json()
    assert public["public"] is True
    figures = public["bilan"]["indicateurs"]
    assert figures["entrees"]["valeur"] is None
    assert figures["entrees"]["note"] == "secret statistique"
    assert figures["entrees_supplementaires"]["valeur"] is None
    assert figures["objectif_entrees"]["valeur"] == 90000
    page = client.get("/regions/76").text
    assert 'data-indicateur="entrees">secret<' in page
    assert "Version publique" in page


def test_regional_user_sees_another_region_as_any_visitor_does(client: TestClient) -> None:
    anonymous = {
        url: client.get(url).content
        for url in ["/api/regions/53", "/regions/53/ventilations/mois.csv"]
    }
    sign_in(client, "occitanie")
    assert client.get("/api/regions/76").json()["public"] is False
    assert client.get("/api/regions/76").json()["bilan"]["indicateurs"]["entrees"]["valeur"] == 5
    assert "autre-region" not in client.get("/regions/76").text
    for url, seen in anonymous.items():
        response = client.get(url)
        assert response.status_code == 200 and response.content == seen, url
    page = client.get("/regions/53").text
    assert "Version publique" in page and 'data-jalon="autre-region"' in page
    assert "données détaillées de la région Occitanie seulement" in page
    assert 'href="/regions/76?' in page
    national = client.get("/api/national").json()
    assert national["bilan"]["indicateurs"]["entrees"]["note"] == "secret statistique"


def test_region_breakdown_downloads_as_french_csv(client: TestClient) -> None:
    sign_in(client, "occitanie")
    payload = client.get("/api/regions/76").json()["bilan"]["ventilations"]
    code = next(iter(payload))
    response = client.get(f"/regions/76/ventilations/{code}.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith(payload[code]["dimension"] + ";libellé;")
    assert len(lines) == 1 + len(payload[code]["lignes"])
    assert client.get("/regions/76/ventilations/inconnue.csv").status_code == 404


def test_unknown_region_and_phase_are_french_404s(client: TestClient) -> None:
    assert client.get("/api/regions/99").json() == {"erreur": "Région inconnue : 99."}
    page = client.get("/?phase=2030")
    assert page.status_code == 404 and "phase inconnue « 2030 »" in page.text


def test_session_cookie_is_http_only_and_login_needs_csrf(client: TestClient) -> None:
    refused = client.post(
        "/connexion", data={"identifiant": "national", "mot_de_passe": "x"}, follow_redirects=False
    )
    assert refused.status_code == 403 and "Jeton de sécurité" in refused.text
    wrong = client.post(
        "/connexion",
        data={"identifiant": "national", "mot_de_passe": "faux", "csrf": csrf_of(client)},
    )
    assert wrong.status_code == 401 and "Identifiant ou mot de passe incorrect" in wrong.text
    response = client.post(
        "/connexion",
        data={"identifiant": "national", "mot_de_passe": "mot-de-passe-de-test-tres-long",
              "csrf": csrf_of(client), "suite": "//ailleurs.example/"},
        follow_redirects=False,
    )  # fmt: skip
    assert response.headers["location"] == "/"
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    assert response.headers["x-frame-options"] == "DENY"


def test_pages_behind_login_redirect_and_their_json_says_401(client: TestClient) -> None:
    for url in ["/imports", "/bilan"]:
        response = client.get(url, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/connexion")
    assert client.get("/api/imports").status_code == 401


def _upload(client: TestClient, name: str, profil: str = "auto"):
    path = WEB_DATA / name
    return client.post(
        "/imports",
        data={"profil": profil, "csrf": csrf_of(client, "/imports")},
        files={"fichier": (path.name, path.read_bytes(), "text/csv")},
    )


def test_upload_preview_shows_rejected_lines_then_confirm_imports(client: TestClient) -> None:
    sign_in(client, "occitanie")
    before = client.get("/api/regions/76").json()["bilan"]["indicateurs"]["entrees"]["valeur"]
    preview = _upload(client, "occitanie-avec-rejets.csv")
    assert preview.status_code == 200
    assert 'data-compte="lues">5<' in preview.text
    assert 'data-compte="rejetees">2<' in preview.text
    assert 'data-ligne="3"' in preview.text and "date illisible" in preview.text
    assert 'data-ligne="5"' in preview.text and "valeur obligatoire absente" in preview.text
    assert client.get("/api/imports").json() == []
    token = preview.text.split('action="/imports/')[1].split("/confirmer")[0]
    done = client.post(f"/imports/{token}/confirmer", data={"csrf": csrf_of(client, "/imports")})
    assert done.status_code == 200 and "enregistré" in done.text
    history = client.get("/api/imports").json()
    assert history[0]["fichier"] == "occitanie-avec-rejets.csv"
    assert history[0]["importe_par"] == "occitanie"
    assert (history[0]["lues"], history[0]["acceptees"], history[0]["rejetees"]) == (5, 3, 2)
    after = client.get("/api/regions/76").json()["bilan"]["indicateurs"]["entrees"]["valeur"]
    assert after == before + 3
    audit = client.app.state.store.query(  # type: ignore[attr-defined]
        "SELECT identifiant, action, region FROM audit WHERE action = 'import'"
    )
    assert audit == [("occitanie", "import", "76")]


def test_regional_user_cannot_import_another_regions_entries(client: TestClient) -> None:
    sign_in(client, "occitanie")
    preview = _upload(client, "bretagne.csv", "pe-stagiaires")
    assert "hors de votre région" in preview.text
    assert 'id="confirmer"' not in preview.text
    api = client.post(
        "/api/imports",
        data={"profil": "pe-stagiaires", "essai": "false", "csrf": csrf_of(client, "/imports")},
        files={"fichier": ("bretagne.csv", (WEB_DATA / "bretagne.csv").read_bytes())},
    )
    assert api.status_code == 422 and "hors de votre région" in api.json()["erreur"]


def test_known_file_too_large_file_and_bad_header_are_refused(client: TestClient) -> None:
    sign_in(client, "national")
    again = client.post(
        "/imports",
        data={"profil": "pe-stagiaires", "csrf": csrf_of(client, "/imports")},
        files={"fichier": ("x.csv", (WEB_DATA.parent / "pe-stagiaires" / "indicateurs-2016.csv")
                           .read_bytes())},
    )  # fmt: skip
    assert again.status_code == 422 and "déjà été importé" in again.text
    big = client.post(
        "/imports",
        data={"profil": "auto", "csrf": csrf_of(client, "/imports")},
        files={"fichier": ("gros.csv", b"x" * (65 * 1024))},
    )
    assert big.status_code == 422 and "trop volumineux" in big.text
    huge = client.post(
        "/imports",
        data={"profil": "auto", "csrf": csrf_of(client, "/imports")},
        files={"fichier": ("enorme.csv", b"x" * (2 << 20))},
    )
    assert huge.status_code == 413
    odd = client.post(
        "/imports",
        data={"profil": "auto", "csrf": csrf_of(client, "/imports")},
        files={"fichier": ("autre.csv", b"a;b;c\n1;2;3\n")},
    )
    assert odd.status_code == 422 and "aucun profil ne reconnaît ce fichier" in odd.text


def test_api_dry_run_reports_without_writing(client: TestClient) -> None:
    sign_in(client, "national")
    result = client.post(
        "/api/imports",
        data={"profil": "auto", "csrf": csrf_of(client, "/imports")},
        files={"fichier": ("o.csv", (WEB_DATA / "occitanie-avec-rejets.csv").read_bytes())},
    ).json()
    assert result["essai"]["rejected"] == 2 and result["regions"] == {"76": 3}
    assert [r["line"] for r in result["rejets"]] == [3, 5]
    assert "import" not in result
    assert len(client.get("/api/imports").json()) == 1


def test_bilan_pdf_page_and_audit(client: TestClient) -> None:
    sign_in(client, "occitanie")
    page = client.get("/bilan")
    assert page.status_code == 200 and 'value="76" selected' in page.text
    assert 'name="version" value="public" checked' in page.text
    assert "votre région (Occitanie) seulement" in page.text
    token = csrf_of(client, "/bilan")
    refused = client.post(
        "/bilan/pdf", data={"phase": "2016", "region": "53", "version": "interne", "csrf": token}
    )
    assert refused.status_code == 403 and "Bretagne" in refused.text
    assert "version publique reste disponible" in refused.text
    national = client.post(
        "/bilan/pdf", data={"phase": "2016", "version": "interne", "csrf": token}
    )
    assert national.status_code == 403
    answer = client.get("/api/bilan").json()
    assert answer["regions"] == ["76"] and answer["versions"] == ["public", "interne"]
    available = answer["pdf_disponible"]
    assert available == (optional("jalon.report.document", "build_document") is not None)
    response = client.post(
        "/bilan/pdf", data={"phase": "2016", "region": "76", "version": "interne", "csrf": token}
    )
    if not available:
        assert response.status_code == 503 and "pas encore disponible" in response.text
        return
    assert response.status_code == 200, response.text
    assert 'filename="bilan-76-2016-interne.pdf"' in response.headers["content-disposition"]
    assert "Diffusion restreinte" in _pdf_text(response.content)
    public = client.post("/bilan/pdf", data={"phase": "2016", "region": "53", "csrf": token})
    assert public.status_code == 200
    text = _pdf_text(public.content)
    assert "Document public" in text and "Diffusion restreinte" not in text
    rows = client.app.state.store.query(  # type: ignore[attr-defined]
        "SELECT identifiant, action, region, detail FROM audit WHERE action = 'bilan_pdf' "
        "ORDER BY horodatage"
    )
    assert rows == [
        ("occitanie", "bilan_pdf", "76", "phase 2016, version interne"),
        ("occitanie", "bilan_pdf", "53", "phase 2016, version public"),
    ]


def _pdf_text(content: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_public_csv_marks_secret_cells_and_public_pages_set_no_cookie(client: TestClient) -> None:
    response = client.get("/regions/76/ventilations/departement.csv")
    assert response.status_code == 200
    rows = [line.split(";") for line in response.content.decode("utf-8-sig").splitlines()[1:]]
    assert rows and all(row[2] == "secret" for row in rows)
    page = client.get("/regions/76")
    assert "set-cookie" not in page.headers
    assert 'data-indicateur="entrees">secret<' in page.text
    assert page.content == client.get("/regions/76").content


def test_pages_name_organisations_domains_and_plan_settings_in_french(client: TestClient) -> None:
    page = client.get("/regions/76").text
    organisations = page[page.index('data-ventilation="organisme"') :]
    organisations = organisations[: organisations.index("</table>")]
    assert '<th scope="col">Organisme de formation</th>' in organisations
    assert '<th scope="col">SIRET</th>' in organisations
    assert re.search(r'<td class="jalon-code">\d{3}\u00a0\d{3}\u00a0\d{3}\u00a0\d{5}</td>', page)
    assert "Formacode 2" not in page and "dict-niveaux" not in page
    definitions = client.get("/indicateurs").text
    assert "Réglage du plan : les financeurs comptés par le plan" in definitions
    assert "rules." not in definitions and "counted_financeurs" not in definitions


def test_preview_shows_anomalies_and_ignored_columns(client: TestClient) -> None:
    sign_in(client, "national")
    path = WEB_DATA.parent / "pe-stagiaires" / "export-2019-colonnes-inconnues.csv"
    page = client.post(
        "/imports",
        data={"profil": "auto", "csrf": csrf_of(client, "/imports")},
        files={"fichier": ("inconnues.csv", path.read_bytes())},
    )
    assert page.status_code == 200, page.text
    assert "3 colonnes non reconnues, ignorées sans être lues : dc_siret_cofinanceur" in page.text
    assert "COFIN-7Q3ZK" not in page.text
    flawed = WEB_DATA.parent / "pe-stagiaires" / "export-2017-34-colonnes.csv"
    checked = client.post(
        "/imports",
        data={"profil": "auto", "csrf": csrf_of(client, "/imports")},
        files={"fichier": ("34.csv", flawed.read_bytes())},
    )
    assert 'dont <span data-compte="anomalies">2</span> avec anomalies' in checked.text
