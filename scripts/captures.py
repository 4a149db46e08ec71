"""Screenshots of the web app's main pages, written to `docs/captures/` (PNG).

Serves a copy of a Jalon base (default: the demo base `jalon-demo.duckdb` made by `make demo`) on
127.0.0.1 with a temporary national account, and photographs each page in Debian's Chromium
(Playwright, never a downloaded browser): national overview, region page, indicator
definitions, import screen with a file's rejected lines, bilan page, and a region page on a
phone-sized screen. The base given is never modified: the script works on a copy.

    .venv/bin/python scripts/captures.py [--db jalon-demo.duckdb] [--region 76]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.web.browser import CHROMIUM, CHROMIUM_ARGS, running_server  # noqa: E402

from jalon.store import open_store  # noqa: E402
from jalon.web.accounts import add_user  # noqa: E402

OUT = ROOT / "docs" / "captures"
SAMPLE = ROOT / "tests" / "data" / "web" / "occitanie-avec-rejets.csv"
ACCOUNT = "capture"
PASSWORD = "capture-mot-de-passe-temporaire"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=ROOT / "jalon-demo.duckdb")
    parser.add_argument("--region", default="76")
    args = parser.parse_args()
    if not args.db.exists():
        print(f"{args.db} introuvable : lancez d'abord « make demo ».", file=sys.stderr)
        return 2
    key_file = Path(f"{args.db}.cle")
    if "JALON_SECRET" not in os.environ and key_file.exists():
        os.environ["JALON_SECRET"] = key_file.read_text(encoding="utf-8").strip()
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "captures.duckdb"
        shutil.copy(args.db, copy)
        con = open_store(copy)
        try:
            con.execute("DELETE FROM utilisateurs WHERE identifiant = ?", [ACCOUNT])
            add_user(con, ACCOUNT, PASSWORD, "national", None)
        finally:
            con.close()
        with running_server(copy) as url, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="fr-FR")
            page.goto(f"{url}/", timeout=300_000)
            page.screenshot(path=OUT / "vue-nationale.png", full_page=True)
            page.goto(f"{url}/indicateurs")
            page.locator(".fr-accordion__btn").first.click()
            page.screenshot(path=OUT / "indicateurs.png")
            page.goto(f"{url}/connexion?suite=/regions/{args.region}")
            page.get_by_label("Identifiant").fill(ACCOUNT)
            page.get_by_label("Mot de passe").fill(PASSWORD)
            page.get_by_role("button", name="Se connecter").click()
            page.wait_for_url(f"**/regions/{args.region}", timeout=300_000)
            page.screenshot(path=OUT / "region.png", full_page=True)
            page.goto(f"{url}/imports")
            page.set_input_files("#fichier", str(SAMPLE))
            page.get_by_role("button", name="Contrôler le fichier").click()
            page.locator("#apercu").wait_for()
            page.screenshot(path=OUT / "imports.png", full_page=True)
            page.goto(f"{url}/bilan")
            page.screenshot(path=OUT / "bilan.png")
            phone = browser.new_page(viewport={"width": 390, "height": 844}, locale="fr-FR")
            phone.goto(f"{url}/regions/{args.region}")
            phone.screenshot(path=OUT / "region-mobile.png")
            browser.close()
    for picture in sorted(OUT.glob("*.png")):
        print(picture.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
