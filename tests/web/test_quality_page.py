"""The « Qualité des données » page and its JSON twin: scope by account, coverage, missing months.

The store is the web tests' hand-made one: one Pôle emploi export with Occitanie lines in
January, May, June, September and December 2016 (two in September) and one Bretagne line in
October 2016, so the phase's expected months run to December and Occitanie lacks February.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, expect

from tests.web.browser import running_server
from tests.web.conftest import PASSWORD, sign_in

OCCITANIE_FEB = "Pôle emploi : aucune donnée pour Occitanie en février 2016"
BRETAGNE_JAN = "Pôle emploi : aucune donnée pour Bretagne en janvier 2016"


def _cells(data: dict) -> dict[tuple[str, str, str], int]:
    return {(c["source"], c["region"], c["mois"]): c["lignes"] for c in data["couverture"]}


def test_anonymous_visitor_must_sign_in(client: TestClient) -> None:
    api = client.get("/api/qualite")
    assert api.status_code == 401
    assert "Connectez-vous" in api.json()["erreur"]
    html = client.get("/qualite", follow_redirects=False)
    assert html.status_code == 303
    assert html.headers["location"] == "/connexion?suite=/qualite"
    assert 'href="/qualite"' not in client.get("/").text


def test_national_account_sees_every_region(client: TestClient) -> None:
    sign_in(client, "national")
    data = client.get("/api/qualite").json()
    assert data["region"] is None and data["phase"] == "2016"
    assert data["mois_attendus_jusqu_a"] == "2016-12"
    cells = _cells(data)
    assert cells[("pe-stagiaires", "76", "2016-09")] == 2
    assert cells[("pe-stagiaires", "53", "2016-10")] == 1
    messages = {m["message"] for m in data["manquants"]}
    assert {OCCITANIE_FEB, BRETAGNE_JAN} <= messages
    assert "Pôle emploi : aucune donnée pour Normandie sur toute la phase 2016" in messages
    # The 2015 line of Île-de-France is a received file's month, outside the phase's grid.
    assert not any(region == "11" for _, region, _ in cells)

    one = client.get("/api/qualite", params={"region": "53"}).json()
    assert one["region"] == "53"
    assert {region for _, region, _ in _cells(one)} == {"53"}
    page = client.get("/qualite")
    assert page.status_code == 200 and 'href="/qualite"' in page.text
    assert OCCITANIE_FEB in page.text
    # a handful of entries against targets of tens of thousands: no declaration to check
    assert data["declarations"] == []
    assert "Aucune convention dont l'objectif contredit les entrées mesurées." in page.text


def test_regional_account_sees_only_its_region(client: TestClient) -> None:
    sign_in(client, "occitanie")
    data = client.get("/api/qualite").json()
    assert data["region"] == "76" and data["regions"] == ["76"]
    assert {region for _, region, _ in _cells(data)} == {"76"}
    messages = {m["message"] for m in data["manquants"]}
    assert OCCITANIE_FEB in messages
    assert not any("Bretagne" in m for m in messages)
    refused = client.get("/api/qualite", params={"region": "53"})
    assert refused.status_code == 403
    assert "région 76 seulement" in refused.json()["erreur"]
    assert client.get("/qualite", params={"region": "53"}).status_code == 403


def test_unknown_phase_or_region_is_404(client: TestClient) -> None:
    sign_in(client, "national")
    assert client.get("/api/qualite", params={"phase": "1999"}).status_code == 404
    assert client.get("/api/qualite", params={"region": "99"}).status_code == 404


@pytest.mark.slow
def test_page_shows_coverage_and_a_missing_month(browser: Browser, web_db: Path) -> None:
    expect.set_options(timeout=15_000)
    with running_server(web_db) as server:
        context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.goto(f"{server}/connexion?suite=/qualite")
        page.get_by_label("Identifiant").fill("occitanie")
        page.get_by_label("Mot de passe").fill(PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Qualité des données")
        expect(page.get_by_role("link", name="Qualité des données")).to_have_attribute(
            "aria-current", "page"
        )
        grid = page.locator('table[data-source="pe-stagiaires"]')
        occitanie = grid.locator("tbody tr", has_text="Occitanie")
        expect(grid.locator("tbody tr")).to_have_count(1)
        # Columns: region, then January to December.
        expect(occitanie.locator("td").nth(8)).to_have_text("2")
        expect(occitanie.locator('td[data-manque="2016-02"]')).to_have_text("manque")
        expect(page.locator("#manquants li", has_text=OCCITANIE_FEB)).to_have_count(1)
        cookies = {c["name"]: c["value"] for c in context.cookies()}
        data = httpx.get(server + "/api/qualite", cookies=cookies).json()
        expect(page.locator("#manquants li")).to_have_count(len(data["manquants"]))
        context.close()
