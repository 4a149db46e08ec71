"""The « Exporter (Excel) » links of the region and national pages: the workbook of what the
visitor may see (public for anonymous visitors, full for the region's account)."""

from __future__ import annotations

import io

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from tests.web.conftest import client, sign_in, web_db, web_template

__all__ = ["client", "web_db", "web_template"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _book(client: TestClient, url: str):
    response = client.get(url)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == XLSX
    assert response.headers["content-disposition"].startswith("attachment;")
    return load_workbook(io.BytesIO(response.content))


def _source(book) -> dict[str, str]:
    return {r[0].value: r[1].value for r in book["Source"].iter_rows(min_row=2)}


def test_region_page_links_to_its_workbook(client: TestClient) -> None:
    page = client.get("/regions/76?phase=2016").text
    assert 'href="/regions/76/bilan.xlsx?phase=2016">Exporter (Excel)</a>' in page
    anonymous = _book(client, "/regions/76/bilan.xlsx?phase=2016")
    assert _source(anonymous)["Secret statistique"].startswith("appliqué")
    public = client.get("/api/regions/76?phase=2016").json()["bilan"]
    values = {r[0].value: r[2].value for r in anonymous["Indicateurs"].iter_rows(min_row=2)}
    for code, figure in public["indicateurs"].items():
        shown = "secret" if figure["note"] == "secret statistique" else figure["valeur"]
        assert values[code] == (
            pytest.approx(shown, rel=1e-14) if isinstance(shown, float) else shown
        ), code

    sign_in(client, "occitanie")
    private = _book(client, "/regions/76/bilan.xlsx?phase=2016")
    assert _source(private)["Secret statistique"].startswith("non appliqué")
    full = client.get("/api/regions/76?phase=2016").json()["bilan"]["indicateurs"]
    values = {r[0].value: r[2].value for r in private["Indicateurs"].iter_rows(min_row=2)}
    assert values["entrees"] == full["entrees"]["valeur"] > 0


def test_national_workbook_has_the_ranking(client: TestClient) -> None:
    assert 'href="/national.xlsx?phase=2016">Exporter (Excel)</a>' in client.get("/").text
    book = _book(client, "/national.xlsx?phase=2016")
    assert book.sheetnames[:2] == ["Indicateurs", "Classement"]
    assert len(list(book["Classement"].iter_rows(min_row=2))) == 18
    assert _source(book)["Territoire"] == "France entière"
    assert client.get("/regions/99/bilan.xlsx").status_code == 404
