"""The indicator commands (bilan, classement, prevision, indicateurs) as a user types them."""

from __future__ import annotations

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from jalon.cli import app

runner = CliRunner()


@pytest.fixture
def db(store_path, monkeypatch) -> list[str]:
    monkeypatch.setenv("COLUMNS", "200")
    return ["--db", str(store_path)]


def test_bilan_text_shows_every_figure_and_table_in_french(db) -> None:
    result = runner.invoke(app, ["bilan", "--region", "76", "--phase", "2016", *db])
    assert result.exit_code == 0, result.output
    for text in ("Occitanie", "Personnes formées", "60,0\u202f%", "404 h", "Entrées par mois"):
        assert text in result.output
    assert "cofinancements inclus" in result.output


def test_bilan_public_json_applies_secrecy(db, plan) -> None:
    result = runner.invoke(
        app, ["bilan", "--national", "--phase", "2016", "--format", "json", "--public", *db]
    )
    data = json.loads(result.output)
    assert data["indicateurs"]["entrees"]["valeur"] is None  # 6 < 11
    targets = sum(c.target("2016").total_entries for c in plan.conventions)
    assert data["indicateurs"]["objectif_entrees"]["valeur"] == targets  # not a count of people
    months = data["ventilations"]["mois"]
    assert months["secret_seuil"] == 11
    assert months["lignes"][1]["entrees"] is None and "entrees" in months["lignes"][1]["masque"]


def test_bilan_csv_has_one_value_per_line(db) -> None:
    result = runner.invoke(
        app, ["bilan", "--region", "76", "--phase", "2016", "--format", "csv", *db]
    )
    rows = list(csv.DictReader(io.StringIO(result.output), delimiter=";"))
    figures = {r["code"]: r["valeur"] for r in rows if r["section"] == "indicateur"}
    assert figures["entrees"] == "5" and figures["places_lancees"] == "24"
    financeur = [r for r in rows if r["code"] == "financeur" and r["colonne"] == "entrees"]
    assert {r["cle"]: r["valeur"] for r in financeur} == {"2": "2", "4": "4", "7": "1"}


def test_classement_and_its_formats(db) -> None:
    text = runner.invoke(app, ["classement", "--phase", "2016", *db])
    assert text.exit_code == 0, text.output
    assert "sans données" in text.output and "Occitanie" in text.output
    data = json.loads(
        runner.invoke(app, ["classement", "--phase", "2016", "--format", "json", *db]).output
    )
    occitanie = next(r for r in data["regions"] if r["region"] == "76")
    assert occitanie["rangs"]["entrees_supplementaires"] == 1
    lines = runner.invoke(app, ["classement", "--phase", "2016", "--format", "csv", *db]).output
    assert lines.splitlines()[1].startswith("76;Occitanie;True;5;3;2;")


def test_prevision(db) -> None:
    text = runner.invoke(
        app, ["prevision", "--region", "76", "--phase", "2016", "--au", "2016-06-30", *db]
    )
    assert text.exit_code == 0, text.output
    assert "30 juin 2016" in text.output and "6 sur 12" in text.output
    # The plan's first phase: no finished phase measures the projection's errors.
    assert "Fourchette du modèle, non calibrée" in text.output
    assert "Intervalle à 80" not in text.output and "total définitif" not in text.output
    done = runner.invoke(app, ["prevision", "--region", "76", "--phase", "2016", *db])
    assert "12 sur 12" in done.output and "total définitif, rien à projeter" in done.output
    assert "Intervalle" not in done.output and "Probabilité" not in done.output
    data = json.loads(
        runner.invoke(
            app, ["prevision", "--national", "--phase", "2016", "--format", "json", *db]
        ).output
    )
    assert data["months_observed"] == 12 and data["date_arret"] == "2016-12-31"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["bilan", "--phase", "2016"], "indiquez soit --region CODE, soit --national"),
        (["bilan", "--phase", "2016", "--region", "99"], "région inconnue « 99 »"),
        (["bilan", "--phase", "2018", "--national"], "phase inconnue « 2018 »"),
        (["prevision", "--phase", "2016", "--national", "--au", "30/06"], "AAAA-MM-JJ"),
    ],
)
def test_errors_are_french_without_traceback(db, arguments, message) -> None:
    result = runner.invoke(app, [*arguments, *db])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_indicateurs_markdown_is_the_registry_page() -> None:
    result = runner.invoke(app, ["indicateurs", "--markdown"])
    assert result.output.startswith("# Indicateurs")
    assert "## Taux d'accès à la formation (`taux_acces`)" in result.output
