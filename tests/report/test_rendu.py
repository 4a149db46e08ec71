"""The bilan as HTML and PDF: reproducible to the byte, secret in public, complete annexes."""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

import pytest
from pypdf import PdfReader
from weasyprint import HTML

from jalon.indicators import INDICATORS
from jalon.plan import Plan
from jalon.report import rendu
from jalon.report.document import Document, build_document
from jalon.report.typographie import typographie


@pytest.fixture
def html(public_doc: Document) -> str:
    return rendu.bilan_html(public_doc)


def test_same_data_version_gives_byte_identical_html(ro, module_plan: Plan, html: str) -> None:
    again = rendu.bilan_html(build_document(ro, module_plan, "2016", "76"))
    assert again == html


def test_html_carries_version_definitions_sources_and_typography(
    public_doc: Document, module_plan: Plan, html: str
) -> None:
    doc = public_doc
    assert f'Version des données\u202f: <strong class="version">{doc.version.code}' in html
    assert module_plan.sha256 in html
    for indicator in INDICATORS:
        assert f"<dt>{typographie(indicator.label)}</dt>" in html
    assert "export-2016-occitanie.csv" in html and "indicateurs-2016.csv" in html
    assert "Diffusion restreinte" not in html
    assert "Sommaire" in html and 'href="#classement"' in html
    assert "du 1<sup>er</sup> janvier 2016 au 31 décembre 2016" in html
    assert re.search(r"Secret statistique\u202f: les effectifs", html)
    assert '<img src="data:image/svg+xml;base64,' in html
    assert "http://" not in html.replace("http://www.w3.org", "")


def test_internal_cover_says_restricted(internal_doc: Document) -> None:
    html = rendu.bilan_html(internal_doc)
    assert '<span class="diffusion restreinte">Diffusion restreinte<' in html


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_pdf_is_reproducible_a4_and_dated_from_the_data(public_doc: Document, html: str) -> None:
    first, second = rendu.pdf(html), rendu.pdf(html)
    assert _text(first) == _text(second)
    assert first == second  # WeasyPrint's dates come from the data, its ids from the content
    reader = PdfReader(io.BytesIO(first))
    assert "/StructTreeRoot" in reader.trailer["/Root"]  # tagged for screen readers
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    assert reader.metadata is not None
    assert reader.metadata["/CreationDate"] == public_doc.created.strftime("D:%Y%m%d%H%M%SZ")
    text = _text(first)
    assert f"Page 1 sur {len(reader.pages)}" in text
    assert "Le rythme des entrées" in text and "Définitions des indicateurs" in text


def test_documents_cannot_load_files_or_urls(tmp_path) -> None:
    picture = tmp_path / "image.png"
    picture.write_bytes(
        base64.b64decode(
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYPgPAAEDAQAIicLsAAAAAElFTkSuQmCC"
        )
    )
    html = f'<html><body><p>x</p><img src="{picture.as_uri()}"></body></html>'
    assert b"/Image" in HTML(string=html).write_pdf()  # control: WeasyPrint alone loads it
    assert b"/Image" not in rendu.pdf(html)


def test_every_text_follows_french_typography(html: str, internal_doc: Document) -> None:
    for page in (html, rendu.bilan_html(internal_doc)):
        text = re.sub(r"<style>.*?</style>|<[^>]+>", "", page, flags=re.S)
        assert not re.findall(r"\S.{0,20} [;:!?%](?=\s)", text)
        assert "« " not in text and " »" not in text
        assert not re.findall(r"\d \d{3}\b", text)  # thousands: narrow no-break spaces only


def test_html_bilan_in_a_browser_has_margins_and_fits_a_phone(html: str, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    from tests.web.browser import CHROMIUM, CHROMIUM_ARGS

    page_file = tmp_path / "bilan.html"
    page_file.write_text(html, encoding="utf-8")
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            for width in (390, 1280):
                page = browser.new_page(viewport={"width": width, "height": 800})
                page.goto(page_file.as_uri())
                assert page.evaluate("document.documentElement.scrollWidth") <= width
                left = page.evaluate("document.querySelector('h1').getBoundingClientRect().left")
                assert left >= 12, (width, left)
                page.close()
        finally:
            browser.close()
