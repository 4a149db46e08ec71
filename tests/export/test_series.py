"""`jalon series` on the hand-made store of tests/data/indicateurs, values computed by hand from
its pe-stagiaires file. Occitanie (départements 31, 34, 66), counted financeurs 2 and 4 (5 is
not counted): 2016 entries in February (3000001A), March (3000003C), September (3000001A and
3000002B) and December (3000005E); 2015 entries in March (3000006F), September (3000009J) and
November (3000004D). The latest entry date of the store is 19 December 2016."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from jalon.cli import app

runner = CliRunner()


@pytest.fixture
def db(store_path: Path) -> list[str]:
    return ["--db", str(store_path)]


def _series(db: list[str], *extra: str) -> dict:
    args = ["series", "--region", "occitanie", "--indicateur", "entrees", "--phase", "2016"]
    result = runner.invoke(app, [*args, *db, "--format", "json", *extra])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_monthly_series_and_year_on_year_change_by_hand(db) -> None:
    data = _series(db)
    rows = {r["mois"]: r for r in data["serie"]}
    assert list(rows) == [f"2016-{m:02d}" for m in range(1, 13)]
    entries = {m: r["entrees"] for m, r in rows.items() if r["entrees"]}
    assert entries == {"2016-02": 1, "2016-03": 1, "2016-09": 2, "2016-12": 1}
    reference = {r["mois_reference"]: r["entrees_reference"] for r in data["serie"]}
    assert {m: v for m, v in reference.items() if v} == {"2015-03": 1, "2015-09": 1, "2015-11": 1}
    assert rows["2016-09"]["glissement_annuel"] == 1.0  # 2 against 1
    assert rows["2016-03"]["glissement_annuel"] == 0.0  # 1 against 1
    assert rows["2016-11"]["glissement_annuel"] == -1.0  # 0 against 1
    assert rows["2016-02"]["glissement_annuel"] is None  # nothing a year earlier
    assert rows["2016-12"]["cumul"] == 5
    assert rows["2016-12"]["cumul_reference"] == 3
    assert rows["2016-12"]["glissement_annuel_cumule"] == pytest.approx(2 / 3)
    assert rows["2016-10"]["glissement_annuel_cumule"] == pytest.approx(1.0)  # 4 against 2
    meta = data["metadonnees"]
    assert meta["fenetre_revision"] == ["2016-10", "2016-11", "2016-12"]
    assert [m for m, r in rows.items() if r["provisoire"]] == meta["fenetre_revision"]
    assert meta["decalage_reference_mois"] == 12
    assert meta["territoire"] == "Occitanie"
    assert "date d'entrée" in meta["base_date"]
    assert "lieu de la formation" in meta["base_lieu"]
    assert meta["definition"].startswith("Nombre d'entrées en formation")


def test_public_series_hides_small_months(db) -> None:
    data = _series(db, "--public")
    september = next(r for r in data["serie"] if r["mois"] == "2016-09")
    assert september["entrees"] is None and "entrees" in september["masque"]
    assert september["glissement_annuel"] is None
    assert "seuil : 11" in data["metadonnees"]["secret"]


def test_series_as_csv_and_workbook(db, tmp_path) -> None:
    args = ["series", "--region", "76", "--phase", "2016", *db]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert len(rows) == 12
    assert rows[8]["mois"] == "2016-09" and rows[8]["glissement_annuel"] == "1.0"
    assert rows[1]["glissement_annuel"] == ""
    assert [r["provisoire"] for r in rows[8:]] == ["non", "oui", "oui", "oui"]

    target = tmp_path / "serie.csv"
    assert runner.invoke(app, [*args, "--sortie", str(target)]).exit_code == 0
    assert target.read_text(encoding="utf-8") == result.output
    meta = json.loads((tmp_path / "serie.metadonnees.json").read_text(encoding="utf-8"))
    assert meta["indicateur"] == "entrees"

    book_path = tmp_path / "serie.xlsx"
    written = runner.invoke(app, [*args, "--format", "xlsx", "--sortie", str(book_path)])
    assert written.exit_code == 0, written.output
    book = load_workbook(book_path)
    assert book.sheetnames == ["Série mensuelle", "Métadonnées", "Définitions", "Source"]
    sheet = book["Série mensuelle"]
    assert sheet.freeze_panes == "A2"
    assert [c.value for c in sheet[1]][5] == "Glissement annuel"
    september = [c for c in sheet[10]]
    assert september[0].value == "2016-09"
    assert september[2].value == 2 and september[2].number_format == "#,##0"
    assert september[5].value == 1.0 and september[5].number_format == "0.0 %"


def test_series_refuses_unknown_indicator_and_missing_scope_in_french(db) -> None:
    result = runner.invoke(app, ["series", "--region", "76", "--indicateur", "taux", *db])
    assert result.exit_code == 2
    assert "sans série mensuelle" in result.output
    result = runner.invoke(app, ["series", *db])
    assert result.exit_code == 2
    assert "--region" in result.output
