"""Excel workbooks of the bilan and the ranking, read back with openpyxl: sheets, French headers,
numbers stored as numbers with their number format, frozen headers, values equal to the JSON
output of the same command, secrecy when public, definitions and source."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from jalon.cli import app
from jalon.indicators.registry import BREAKDOWN_SPECS, column_label

runner = CliRunner()


@pytest.fixture
def db(store_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    monkeypatch.setenv("COLUMNS", "200")
    return ["--db", str(store_path)]


def _json(args: list[str]) -> dict:
    result = runner.invoke(app, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def _xlsx(args: list[str], path: Path):
    result = runner.invoke(app, [*args, "--format", "xlsx", "--sortie", str(path)])
    assert result.exit_code == 0, result.output
    assert "Classeur écrit" in result.output
    return load_workbook(path)


def _same(cell, value) -> bool:
    """Excel keeps 15 significant digits: a float comes back within that precision."""
    if isinstance(value, float):
        return cell.value == pytest.approx(value, rel=1e-14)
    return cell.value == value


def _rows(sheet) -> list[list]:
    return [list(r) for r in sheet.iter_rows(min_row=2)]


def test_bilan_workbook_has_a_sheet_per_table_in_french_with_json_values(db, tmp_path) -> None:
    args = ["bilan", "--region", "76", "--phase", "2016", *db]
    expected = _json(args)
    book = _xlsx(args, tmp_path / "bilan.xlsx")
    tables = [code for code, t in expected["ventilations"].items() if t["lignes"]]
    assert len(book.sheetnames) == 1 + len(tables) + 2
    assert book.sheetnames[0] == "Indicateurs"
    assert book.sheetnames[-2:] == ["Définitions", "Source"]

    figures = book["Indicateurs"]
    assert figures.freeze_panes == "A2"
    assert [c.value for c in figures[1]] == ["Code", "Indicateur", "Valeur", "Unité", "Précision"]
    formats = {"entrees": "#,##0", "taux_realisation": "0.0 %", "duree_moyenne": '#,##0 "h"'}
    formats["entrees_supplementaires"] = "+#,##0;-#,##0;0"
    seen = set()
    for code, label, value, _, _ in _rows(figures):
        figure = expected["indicateurs"][code.value]
        assert label.value == figure["libelle"]
        assert _same(value, figure["valeur"]), code.value
        if figure["valeur"] is not None:
            assert value.data_type == "n"
        if code.value in formats:
            assert value.number_format == formats[code.value]
            seen.add(code.value)
    assert seen == set(formats)

    for sheet, code in zip(book.worksheets[1:-2], tables, strict=True):
        table = expected["ventilations"][code]
        assert sheet.freeze_panes == "A2"
        headers = [c.value for c in sheet[1]]
        assert headers[:2] == ["Clé", BREAKDOWN_SPECS[code].dimension]
        columns = table["colonnes"]
        assert headers[-len(columns) :] == [column_label(c) for c in columns]
        rows = _rows(sheet)
        assert [r[0].value for r in rows] == [line["cle"] for line in table["lignes"]]
        for row, line in zip(rows, table["lignes"], strict=True):
            for cell, column in zip(row[-len(columns) :], columns, strict=True):
                assert _same(cell, line[column]), (code, line["cle"], column)
                if line[column] is not None:
                    assert cell.data_type == "n"
                    assert cell.number_format == ("0.0 %" if column == "part" else "#,##0")

    months = book["Mois"]
    assert [c.value for c in months[1]][2] == "Entrées"
    source = {r[0].value: r[1].value for r in _rows(book["Source"])}
    assert source["Territoire"] == "Occitanie"
    assert source["Phase"] == "Année 2016"
    assert source["Secret statistique"].startswith("non appliqué")
    assert len(source["Version des données"]) == 12
    definitions = {r[0].value: r for r in _rows(book["Définitions"])}
    assert definitions["taux_realisation"][1].value == "Taux de réalisation"
    assert "objectif" in definitions["taux_realisation"][4].value
    assert definitions["mois"][6].value == "Mois"


def test_public_workbook_goes_through_secrecy(db, tmp_path) -> None:
    args = ["bilan", "--national", "--phase", "2016", "--public", *db]
    expected = _json(args)
    book = _xlsx(args, tmp_path / "public.xlsx")
    values = {r[0].value: r[2] for r in _rows(book["Indicateurs"])}
    assert expected["indicateurs"]["entrees"]["valeur"] is None  # 6 entries < 11
    assert values["entrees"].value == "secret"
    masked = 0
    for sheet in book.worksheets[1:-2]:
        code = next(c for c, s in _sheet_codes(book, expected).items() if s == sheet.title)
        table = expected["ventilations"][code]
        columns = table["colonnes"]
        for row, line in zip(_rows(sheet), table["lignes"], strict=True):
            for cell, column in zip(row[-len(columns) :], columns, strict=True):
                if column in line["masque"]:
                    masked += 1
                    assert cell.value == "secret"
                else:
                    assert _same(cell, line[column])
    assert masked > 0
    source = {r[0].value: r[1].value for r in _rows(book["Source"])}
    assert source["Secret statistique"] == "appliqué (seuil : 11) : document publiable"


def _sheet_codes(book, expected) -> dict[str, str]:
    definitions = {r[0].value: r[6].value for r in _rows(book["Définitions"])}
    return {code: definitions[code] for code in expected["ventilations"] if definitions[code]}


def test_classement_workbook_matches_the_json_ranking(db, tmp_path) -> None:
    args = ["classement", "--phase", "2016", *db]
    expected = _json(args)
    book = _xlsx(args, tmp_path / "classement.xlsx")
    assert book.sheetnames == ["Classement", "Définitions", "Source"]
    sheet = book["Classement"]
    assert sheet.freeze_panes == "A2"
    headers = [c.value for c in sheet[1]]
    assert headers[:3] == ["Code région", "Région", "Données"]
    assert "Taux de réalisation" in headers
    by_region = {r["region"]: r for r in expected["regions"]}
    rows = _rows(sheet)
    assert len(rows) == 18
    rate = headers.index("Taux de réalisation")
    rank = headers.index("Rang : taux de réalisation")
    for row in rows:
        data = by_region[row[0].value]
        assert _same(row[rate], data["taux_realisation"])
        assert row[rank].value == data["rangs"]["taux_realisation"]
        if data["taux_realisation"] is not None:
            assert row[rate].number_format == "0.0 %"
    occitanie = next(r for r in rows if r[0].value == "76")
    assert occitanie[2].value == "oui"


def test_xlsx_without_an_output_file_is_refused_in_french(db) -> None:
    result = runner.invoke(
        app, ["bilan", "--region", "76", "--phase", "2016", "--format", "xlsx", *db]
    )
    assert result.exit_code == 2
    assert "indiquez --sortie" in result.output


def test_output_file_outside_xlsx_is_refused_rather_than_ignored(db, tmp_path) -> None:
    target = tmp_path / "bilan.json"
    args = ["classement", "--phase", "2016", "--format", "json", "--sortie", str(target), *db]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "redirigez" in result.output
    assert not target.exists()


def test_the_same_data_gives_the_same_workbook_bytes(db, tmp_path) -> None:
    args = ["bilan", "--region", "76", "--phase", "2016", *db]
    first, second = tmp_path / "un.xlsx", tmp_path / "deux.xlsx"
    _xlsx(args, first)
    _xlsx(args, second)
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as archive:
        assert {m.date_time for m in archive.infolist()} == {(2016, 1, 1, 0, 0, 0)}
