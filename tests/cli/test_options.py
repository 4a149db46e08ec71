"""The options users get wrong most: a region by its name, a phase in lower case, a long import
history."""

from __future__ import annotations

import json

import pytest
import typer
from typer.testing import CliRunner

from jalon.cli import app, ingest_commands
from jalon.cli.common import region_code
from jalon.reference import regions
from tests.cli.test_francais import flat
from tests.conftest import DATA, TEST_KEY

runner = CliRunner()
EXPORT = DATA / "pe-stagiaires" / "indicateurs-2016.csv"


@pytest.mark.parametrize(
    ("given", "code"),
    [
        ("76", "76"),
        ("1", "01"),
        ("occitanie", "76"),
        ("OCCITANIE", "76"),
        ("Île-de-France", "11"),
        ("ile de france", "11"),
        ("Provence-Alpes-Côte d'Azur", "93"),
        ("provence alpes cote d azur", "93"),
        ("PACA", "93"),
        ("Réunion", "04"),
        ("la reunion", "04"),
        ("Languedoc-Roussillon-Midi-Pyrénées", "76"),
        ("  Bretagne ", "53"),
    ],
)
def test_a_region_by_code_or_name(given: str, code: str) -> None:
    assert region_code(given) == code


@pytest.mark.parametrize("given", ["99", "Bretagn", "Occitanie-Ouest", ""])
def test_an_unknown_region_lists_every_code_and_name(given: str) -> None:
    with pytest.raises(typer.BadParameter) as info:
        region_code(given)
    message = str(info.value)
    assert f"région inconnue « {given} »" in message
    for r in regions():
        assert f"{r.code}\u00a0{r.nom}" in message


@pytest.fixture
def store(db_path, monkeypatch) -> list[str]:
    monkeypatch.setenv("JALON_SECRET", TEST_KEY)
    monkeypatch.setenv("COLUMNS", "160")
    imported = runner.invoke(app, ["import", "pe-stagiaires", str(EXPORT), "--db", str(db_path)])
    assert imported.exit_code == 0, imported.output
    return ["--db", str(db_path)]


def test_bilan_by_region_name_and_lower_case_phase(store) -> None:
    by_name = runner.invoke(app, ["bilan", "--region", "occitanie", "--phase", "2016", *store])
    by_code = runner.invoke(app, ["bilan", "--region", "76", "--phase", "2016", *store])
    assert by_name.exit_code == 0, by_name.output
    assert by_name.output == by_code.output
    lower = runner.invoke(app, ["prevision", "--region", "Occitanie", "--phase", "2017s1", *store])
    assert lower.exit_code == 0, lower.output
    assert "Premier semestre 2017" in lower.output


def test_unknown_phase_lists_the_plan_phases(store) -> None:
    result = runner.invoke(app, ["classement", "--phase", "2018s1", *store])
    assert result.exit_code == 2
    text = flat(result.output)
    assert "phase inconnue « 2018s1 »" in text
    assert "2016 (Année 2016), 2017S1 (Premier semestre 2017)" in text


def test_unknown_region_on_the_command_line_lists_the_regions(store) -> None:
    result = runner.invoke(app, ["bilan", "--region", "occitani", "--phase", "2016", *store])
    assert result.exit_code == 2
    text = flat(result.output)
    assert "Valeur invalide pour --region : région inconnue « occitani »" in text
    assert "76 Occitanie" in text and "93 Provence-Alpes-Côte d'Azur" in text


def _import_copies(store: list[str], tmp_path, names: list[str]) -> None:
    """Import the export again under each name; trailing blank lines make each copy a new file
    (the same bytes would be refused as already imported)."""
    for n, name in enumerate(names, start=1):
        copy = tmp_path / name
        copy.write_bytes(EXPORT.read_bytes() + b"\n" * n)
        done = runner.invoke(app, ["import", "pe-stagiaires", str(copy), *store])
        assert done.exit_code == 0, done.output


def _file_cells(output: str) -> str:
    """The « Fichier » column of `jalon imports`, its folded lines put back together."""
    cells = [line.split("│")[1].strip() for line in output.splitlines() if line.count("│") > 3]
    return "".join(cells)


def test_imports_shows_the_latest_and_says_how_many_are_older(store, tmp_path) -> None:
    _import_copies(store, tmp_path, ["export-2.csv", "export-3.csv", "export-4.csv"])
    result = runner.invoke(app, ["imports", "--derniers", "2", *store])
    assert result.exit_code == 0, result.output
    numbers = [line.split("│")[0].strip() for line in result.output.splitlines() if "│" in line]
    assert [n for n in numbers if n] == ["3", "4"]
    assert "… 2 imports plus anciens : --derniers 0 pour tout voir." in result.output
    everything = runner.invoke(app, ["imports", "--derniers", "0", *store])
    assert "plus ancien" not in everything.output
    assert "export-2.csv" in everything.output and "indicateurs-2016.csv" in everything.output


def test_imports_default_is_the_latest_few_in_text_and_all_in_json(
    store, tmp_path, monkeypatch
) -> None:
    monkeypatch.setattr(ingest_commands, "IMPORTS_SHOWN", 2)
    _import_copies(store, tmp_path, ["lot-1.csv", "lot-2.csv"])
    text = runner.invoke(app, ["imports", *store])
    assert "lot-2.csv" in text.output and "indicateurs-2016.csv" not in text.output
    assert "… 1 import plus ancien : --derniers 0 pour tout voir." in text.output
    listed = json.loads(runner.invoke(app, ["imports", "--format", "json", *store]).output)
    assert [r["file_name"] for r in listed] == ["indicateurs-2016.csv", "lot-1.csv", "lot-2.csv"]


def test_imports_never_cuts_a_file_name_in_a_narrow_terminal(store, tmp_path, monkeypatch) -> None:
    long_name = "indicateurs-pole-emploi-occitanie-2016-version-definitive-du-comite.csv"
    _import_copies(store, tmp_path, [long_name])
    monkeypatch.setenv("COLUMNS", "80")
    result = runner.invoke(app, ["imports", *store])
    assert result.exit_code == 0, result.output
    assert "…" not in result.output
    assert long_name in _file_cells(result.output)
    assert max(len(line) for line in result.output.splitlines()) <= 80
