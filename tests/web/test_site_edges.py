"""The site's edges in-process: French error pages and JSON errors, the French OpenAPI document
and its API page, the legal pages, French figures, the accepted formats, the page of an import."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient

from jalon.indicators import Breakdown, Row
from jalon.sources import builtin_profiles
from jalon.web import rendering, schemas
from jalon.web.app import Settings, create_app
from jalon.web.rendering import afficher
from tests.web.conftest import WEB_DATA, csrf_of, sign_in

NNBSP = "\u202f"


def test_unknown_page_is_a_french_dsfr_page_and_unknown_api_a_french_json(
    client: TestClient,
) -> None:
    page = client.get("/pas/de/page/ici")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "<h1>Page introuvable</h1>" in page.text and "fr-footer" in page.text
    assert "Not Found" not in page.text
    for url in ("/api/rien", "/regions/76/rien.json", "/api/regions/99"):
        answer = client.get(url)
        assert answer.status_code == 404, url
        assert set(answer.json()) == {"erreur"} and "Not Found" not in answer.text, url
    assert "Région inconnue : 99" in client.get("/api/regions/99").json()["erreur"]
    wrong_method = client.delete("/api/national")
    assert wrong_method.status_code == 405
    assert wrong_method.json() == {"erreur": "Cette adresse n'accepte pas ce type de demande."}


def test_refused_region_and_bad_parameter_are_french(client: TestClient) -> None:
    sign_in(client, "occitanie")
    refused = client.get("/qualite", params={"region": "53"})
    assert refused.status_code == 403 and "<h1>Accès refusé</h1>" in refused.text
    assert "région 76 seulement" in refused.text
    bad = client.get("/api/imports/1?debut=abc")
    assert bad.status_code == 422
    assert bad.json()["erreur"] == "Requête invalide (paramètre « debut » : nombre entier attendu)."


def test_server_error_is_a_french_page_and_a_french_json(web_db: Any, tmp_path: Any) -> None:
    app = create_app(Settings(db_path=web_db, https_only=False, upload_dir=tmp_path))
    broken = APIRouter()

    @broken.get("/panne")
    @broken.get("/api/panne")
    def panne() -> None:
        raise RuntimeError("boom")

    app.include_router(broken)
    with TestClient(app, raise_server_exceptions=False) as client:
        page = client.get("/panne")
        assert page.status_code == 500 and "<h1>Erreur du serveur</h1>" in page.text
        assert "boom" not in page.text and "Traceback" not in page.text
        api = client.get("/api/panne")
        assert api.status_code == 500 and "erreur inattendue" in api.json()["erreur"]


def test_openapi_is_french_with_response_schemas(client: TestClient) -> None:
    document = client.get("/api/openapi.json").json()
    text = str(document)
    for english in ("Successful Response", "Validation Error", "HTTPValidationError"):
        assert english not in text
    components = document["components"]["schemas"]
    for name in ("National", "Region", "ImportDetail", "RejetLigne", "Erreur"):
        assert name in components
    national = document["paths"]["/api/national"]["get"]["responses"]
    assert national["200"]["content"]["application/json"]["schema"]["$ref"].endswith("National")
    assert national["200"]["description"] == "Réponse réussie."
    for item in document["paths"].values():
        for operation in item.values():
            assert operation["summary"], operation
            for code, answer in operation["responses"].items():
                if code.startswith("4"):
                    schema = answer["content"]["application/json"]["schema"]
                    assert schema["$ref"].endswith("Erreur"), (operation["summary"], code)


def test_json_answers_follow_their_documented_schemas(client: TestClient) -> None:
    schemas.National.model_validate(client.get("/api/national").json())
    schemas.Region.model_validate(client.get("/api/regions/76").json())
    sign_in(client, "national")
    schemas.Region.model_validate(client.get("/api/regions/76").json())
    for line in client.get("/api/imports").json():
        schemas.ImportLigne.model_validate(line)
    schemas.BilanDisponibilite.model_validate(client.get("/api/bilan").json())


def test_api_page_lists_every_documented_operation_without_a_cdn(client: TestClient) -> None:
    document = client.get("/api/openapi.json").json()
    page = client.get("/api")
    assert page.status_code == 200
    for path, item in document["paths"].items():
        for method in item:
            assert f"{method.upper()}</span> <code>{path}</code>" in page.text, path
    assert 'id="schema-ImportDetail"' in page.text
    assert "cdn" not in page.text.lower() and "swagger" not in page.text.lower()
    assert 'href="/api"' in client.get("/").text


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("/accessibilite", ("partiellement conforme", "RGAA", "Défenseur des droits")),
        ("/mentions-legales", ("Éditeur", "Hébergement", "cookie")),
        (
            "/donnees-personnelles",
            ("Base légale", "HMAC-SHA-256", "Durée de conservation", "jamais enregistrés"),
        ),
    ],
)
def test_legal_pages_are_linked_from_the_footer(
    client: TestClient, url: str, words: tuple[str, ...]
) -> None:
    footer = client.get("/indicateurs").text.split('id="pied-de-page"')[1]
    assert f'href="{url}"' in footer
    page = client.get(url)
    assert page.status_code == 200
    for word in words:
        assert word.lower() in page.text.lower(), word


def test_figures_are_written_as_in_the_pdf() -> None:
    assert afficher("part", 0.2712) == f"27,1{NNBSP}%"
    assert afficher("duree_moyenne", 486.9) == "487\u00a0h"
    assert afficher("entrees", 1453) == f"1{NNBSP}453"
    assert afficher("entrees_supplementaires", -1200) == f"−1{NNBSP}200"
    assert afficher("entrees", None, "secret statistique") == "secret"


def test_breakdown_tables_show_shares_as_right_aligned_percentages() -> None:
    table = Breakdown(
        "public",
        "Entrées par public prioritaire",
        "public",
        ("entrees", "part"),
        [Row("jeunes", "Jeunes de moins de 26 ans", {"entrees": 1453, "part": 0.2712})],
    )
    macro = rendering.environment().from_string(
        '{% from "macros.html" import table %}{{ table(b) }}'
    )
    html = macro.render(b=table)
    assert f'<td class="jalon-num">1{NNBSP}453</td>' in html
    assert f'<td class="jalon-num">27,1{NNBSP}%</td>' in html
    assert '<th scope="col" class="jalon-num">Part des entrées</th>' in html


def test_upload_hint_lists_every_profile(client: TestClient) -> None:
    sign_in(client, "national")
    page = client.get("/imports").text
    hint = page.split('id="formats-acceptes"')[1].split("</ul>")[0]
    for name, profile in builtin_profiles().items():
        assert f"({name})" in hint and profile.label.replace("'", "&#39;") in hint
    assert "texte délimité par « | »" in hint and "XML (.xml, .xml.gz)" in hint


def _import_with_rejects(client: TestClient) -> int:
    result = client.post(
        "/api/imports",
        data={"profil": "auto", "essai": "false", "csrf": csrf_of(client, "/imports")},
        files={"fichier": ("o.csv", (WEB_DATA / "occitanie-avec-rejets.csv").read_bytes())},
    ).json()
    return int(result["import"]["import_id"])


def test_page_of_a_past_import_lists_its_rejected_lines_with_values(client: TestClient) -> None:
    sign_in(client, "national")
    number = _import_with_rejects(client)
    answer = client.get(f"/api/imports/{number}").json()
    assert answer == client.get(f"/imports/{number}.json").json()
    assert answer["import"]["rejetees"] == 2 and answer["rejets_total"] == 2
    first, second = answer["rejets"]
    assert (first["ligne"], first["colonne"], first["motif"]) == (
        3,
        "dd_datedebutmodule",
        "date_invalide",
    )
    assert first["valeur"].startswith("2016-13-45") and first["libelle_motif"] == "date illisible"
    assert (second["ligne"], second["colonne"], second["valeur"]) == (
        5,
        "dn_individu_national",
        None,
    )
    page = client.get(f"/imports/{number}")
    assert page.status_code == 200 and "date illisible" in page.text
    assert "<code>2016-13-45" in page.text
    assert f'href="/imports/{number}"' in client.get("/imports").text


def test_an_import_outside_a_regional_account_is_not_found(client: TestClient) -> None:
    sign_in(client, "national")
    number = _import_with_rejects(client)
    client.post("/deconnexion", data={"csrf": csrf_of(client, "/imports")})
    sign_in(client, "bretagne")
    assert client.get(f"/imports/{number}").status_code == 404
    assert "Aucun import" in client.get(f"/api/imports/{number}").json()["erreur"]
    client.post("/deconnexion", data={"csrf": csrf_of(client, "/imports")})
    sign_in(client, "occitanie")
    assert client.get(f"/api/imports/{number}").json()["rejets_total"] == 2
