"""What a reader of the bilan sees is French words and names, never Jalon's internal names, raw
codes or cut labels: checked on the rendered HTML (regional, national, public, internal) and on
the text of the PDF."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest
from pypdf import PdfReader

from jalon.plan import Plan
from jalon.report import rendu
from jalon.report.document import Document, Valeur, build_document
from jalon.store import open_store

INTERNAL = ("dict-niveaux", "dict-financeurs", "rules.", "counted_financeurs", "plan_setting")


class _Visible(HTMLParser):
    """The text a reader sees: text nodes outside `<style>`, and images' `alt`."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._style = tag == "style"
        self.parts += [value or "" for name, value in attrs if name == "alt"]

    def handle_endtag(self, tag: str) -> None:
        self._style = False

    def handle_data(self, data: str) -> None:
        if not self._style:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Visible()
    parser.feed(html)
    return " ".join(parser.parts)


@pytest.fixture(scope="module")
def documents(store_path: Path, module_plan: Plan) -> dict[str, Document]:
    con = open_store(store_path, read_only=True)
    try:
        return {
            f"{territory}-{'interne' if interne else 'public'}": build_document(
                con, module_plan, "2016", region, interne=interne
            )
            for territory, region in (("occitanie", "76"), ("national", None))
            for interne in (False, True)
        }
    finally:
        con.close()


@pytest.mark.parametrize(
    "name", ["occitanie-public", "occitanie-interne", "national-public", "national-interne"]
)
def test_no_internal_name_or_raw_code_in_the_bilan(documents, name: str) -> None:
    text = visible_text(rendu.bilan_html(documents[name]))
    for internal in INTERNAL:
        assert internal not in text, internal
    assert not re.findall(r"\b[a-z]+(?:_[a-z0-9]+)+\b", text)  # identifiers such as taux_acces
    assert not re.findall(r"\b\d{14}\b", text)  # a SIRET is written in groups
    assert not re.findall(r"Formacode \d{2}\b", text)  # a domain is named
    assert "…" not in text
    # the tables that name what they count, with the code as a second column
    assert "<th>Organisme de formation</th><th>SIRET</th>" in rendu.bilan_html(documents[name])
    assert "Domaine de formation" in text and "Travaux publics, BTP conception" in text


def test_pdf_text_has_no_cut_label_and_no_label_run_into_its_value(documents) -> None:
    doc = documents["national-interne"]  # unmasked: it has the forecast of the phase
    # The next phase's forecast as the demo's national bilan words it: a label that fills its
    # half of the line (it used to run into its value, « entrées observées9 138 »).
    forecast = next(s for s in doc.sections if s.code == "prevision")
    longer = Valeur("prevision_observe", "Premier semestre 2017 : entrées observées", "9\u202f138")
    sections = tuple(
        replace(s, valeurs=(*s.valeurs, longer)) if s is forecast else s for s in doc.sections
    )
    doc = replace(doc, sections=sections)
    pdf = rendu.pdf(rendu.bilan_html(doc))
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "…" not in text
    assert "Premier semestre 2017\u202f: entrées observées" in text and "9\u202f138" in text
    # A figure's label and value are apart in the text (as on the page): no letter glued to a
    # figure that follows it ("observées9 138"), no figure glued to the next label ("138Premier").
    text = text.replace(doc.version.code, "").replace(doc.version.plan_sha256, "")
    assert not re.findall(r".{0,20}(?:[a-zà-ÿ)]\d|\d[A-ZÀ-Þ]).{0,20}", text)
