"""axe-core (npm package, installed by `make assets`) on every page of the site, in Debian's
Chromium: a serious or critical finding fails the test, with the rule and the elements named."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from jalon.web.context import STATIC
from tests.web.browser import running_server
from tests.web.test_browser import sign_in

pytestmark = pytest.mark.slow
AXE = STATIC / "axe" / "axe.min.js"
PUBLIC_PAGES = (
    "/",
    "/?phase=2017S1",
    "/regions/76",
    "/regions/53",
    "/regions/76?phase=2016&au=2016-06-15",
    "/?au=2999-01-01",
    "/regions/76?au=2016-13-01",
    "/indicateurs",
    "/connexion",
    "/accessibilite",
    "/mentions-legales",
    "/donnees-personnelles",
    "/api",
    "/page-qui-n-existe-pas",
)
SIGNED_IN_PAGES = ("/", "/regions/76", "/imports", "/imports/1", "/bilan", "/qualite")
BLOCKING = ("serious", "critical")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, web_template: Path) -> Iterator[str]:
    db = Path(shutil.copy(web_template, tmp_path_factory.mktemp("axe") / "web.duckdb"))
    with running_server(db) as url:
        yield url


def audit(page: Page, server: str, path: str) -> list[dict[str, Any]]:
    page.goto(server + path)
    # Served by the app itself: the page's CSP (script-src 'self') would refuse an inline copy.
    page.add_script_tag(url=server + "/static/axe/axe.min.js")
    found: list[dict[str, Any]] = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    )
    return [v for v in found if v.get("impact") in BLOCKING]


def described(url: str, findings: list[dict[str, Any]]) -> list[str]:
    return [
        f"{url} : {v['id']} ({v['impact']}) sur {[n['target'] for n in v['nodes']][:3]}"
        for v in findings
    ]


def test_every_page_passes_axe(browser: Browser, server: str) -> None:
    assert AXE.is_file(), "axe-core manque : lancez « make assets »"
    problems: list[str] = []
    for signed_in, paths in ((False, PUBLIC_PAGES), (True, SIGNED_IN_PAGES)):
        context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
        page = context.new_page()
        if signed_in:
            sign_in(page, server, "national")
        for path in paths:
            problems += described(
                path + (" (connecté)" if signed_in else ""), audit(page, server, path)
            )
        context.close()
    assert not problems, "\n".join(problems)
