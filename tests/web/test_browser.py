"""The web app in Debian's Chromium (Playwright): what users see matches the JSON API, the import
screen shows rejected lines, and a regional account cannot open another region."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from jalon.web.rendering import afficher
from tests.web.browser import running_server
from tests.web.conftest import PASSWORD, WEB_DATA

pytestmark = pytest.mark.slow
# The first page of a fresh server computes its views (a second or two on this machine).
expect.set_options(timeout=15_000)


@pytest.fixture
def server(web_db: Path) -> Iterator[str]:
    with running_server(web_db) as url:
        yield url


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


def sign_in(page: Page, server: str, identifiant: str) -> None:
    page.goto(f"{server}/connexion?suite=/indicateurs")
    page.get_by_label("Identifiant").fill(identifiant)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.locator(f'[data-compte="{identifiant}"]').first).to_be_visible()


def test_national_page_shows_the_api_totals_and_map(page: Page, server: str) -> None:
    page.goto(server + "/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Vue nationale")
    data = httpx.get(server + "/api/national").json()
    for code, figure in data["bilan"]["indicateurs"].items():
        tile = page.locator(f'#totaux [data-indicateur="{code}"]')
        if tile.count():
            expect(tile).to_have_text(afficher(code, figure["valeur"], figure["note"]))
    expect(page.locator("svg.jalon-carte path")).to_have_count(18)
    expect(page.locator("#classement tbody tr")).to_have_count(len(data["classement"]["regions"]))
    page.select_option("#phase", "2017S1")
    page.get_by_role("button", name="Afficher").click()
    expect(page).to_have_url(f"{server}/?phase=2017S1&au=")  # no date chosen: the latest
    expect(page.locator("#notice-au")).to_have_count(0)


def test_a_date_picked_in_the_form_recomputes_the_page(
    page: Page, server: str, tmp_path: Path
) -> None:
    page.goto(server + "/regions/76?phase=2016")
    expect(page.locator("#arret")).to_have_text("Données arrêtées au 31 janvier 2017.")
    page.get_by_label("Données au (facultatif)").fill("2016-06-15")
    page.get_by_role("button", name="Afficher").click()
    expect(page).to_have_url(f"{server}/regions/76?phase=2016&au=2016-06-15")
    notice = page.locator("#notice-au")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("Page calculée au 15 juin 2016")
    expect(page.locator("#arret")).to_contain_text("phase en cours : 5 mois sur 12")
    expect(page.get_by_label("Données au (facultatif)")).to_have_value("2016-06-15")
    page.screenshot(path=str(tmp_path / "region-au.png"), full_page=True)
    notice.get_by_role("link", name="Voir les données les plus récentes").click()
    expect(page).to_have_url(f"{server}/regions/76?phase=2016")
    expect(page.locator("#notice-au")).to_have_count(0)


def test_region_page_matches_its_json_for_a_regional_user(page: Page, server: str) -> None:
    sign_in(page, server, "occitanie")
    page.goto(server + "/regions/76")
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    data = httpx.get(server + "/api/regions/76", cookies=cookies).json()
    assert data["public"] is False
    figures = data["bilan"]["indicateurs"]
    assert figures["entrees"]["valeur"] == 5
    for code, figure in figures.items():
        expect(page.locator(f'main [data-indicateur="{code}"]')).to_have_text(
            afficher(code, figure["valeur"], figure["note"])
        )
    for code in data["bilan"]["ventilations"]:
        expect(page.locator(f'table[data-ventilation="{code}"]')).to_have_count(1)
    with page.expect_download() as download:
        page.locator('a[href*="/ventilations/"][download]').first.click()
    assert download.value.suggested_filename.startswith("jalon-76-2016-")


def test_regional_user_sees_another_region_in_its_public_version(page: Page, server: str) -> None:
    sign_in(page, server, "occitanie")
    response = page.goto(server + "/regions/53")
    assert response is not None and response.status == 200
    expect(page.locator('[data-jalon="autre-region"]')).to_contain_text(
        "région Occitanie seulement"
    )
    expect(page.get_by_text("Version publique", exact=False).first).to_be_visible()
    page.locator('[data-jalon="autre-region"] a').click()
    expect(page).to_have_url(re.compile(r"/regions/76\?"))
    expect(page.locator('[data-jalon="autre-region"]')).to_have_count(0)
    refused = page.goto(server + "/qualite?region=53")
    assert refused is not None and refused.status == 403
    expect(page.get_by_role("alert")).to_contain_text("région 76 seulement")


def test_upload_shows_rejected_lines_then_imports(page: Page, server: str) -> None:
    sign_in(page, server, "national")
    page.goto(server + "/imports")
    page.set_input_files("#fichier", str(WEB_DATA / "occitanie-avec-rejets.csv"))
    page.get_by_role("button", name="Contrôler le fichier").click()
    expect(page.locator('[data-compte="rejetees"]').first).to_have_text("2")
    rejected = page.locator("#rejets tbody tr")
    expect(rejected).to_have_count(2)
    expect(rejected.nth(0)).to_contain_text("dd_datedebutmodule")
    expect(rejected.nth(1)).to_contain_text("dn_individu_national")
    page.get_by_role("button", name="Confirmer l'import").click()
    expect(page.locator("#import-fait")).to_contain_text("occitanie-avec-rejets.csv")
    expect(page.locator("#historique tbody tr").first).to_contain_text("national")


def test_monthly_curve_keeps_readable_text_on_a_phone(page: Page, server: str) -> None:
    # The SVG's text is 12 px at its own size: drawn narrower for a phone rather than scaled down.
    for width, shown, hidden in ((390, "mobile", "ecran"), (1280, "ecran", "mobile")):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(server + "/regions/76?phase=2016")
        expect(page.locator(f".jalon-courbe__{hidden} svg")).to_be_hidden()
        curve = page.locator(f".jalon-courbe__{shown} svg")
        expect(curve).to_be_visible()
        drawn, own = curve.evaluate(
            "svg => [svg.getBoundingClientRect().width, svg.width.baseVal.value]"
        )
        assert drawn * 12 / own >= 10, (width, drawn, own)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
