"""The `jalon` commands as a user types them: French output, clear errors, no traceback."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
from typer.testing import CliRunner

from jalon.cli import app
from tests.conftest import DATA, TEST_KEY

runner = CliRunner()
SRC = Path(__file__).parents[2] / "src" / "jalon"
EXPORT = DATA / "pe-stagiaires" / "indicateurs-2016.csv"


def test_init_twice_is_a_no_op(db_path) -> None:
    first = runner.invoke(app, ["init", "--db", str(db_path)])
    second = runner.invoke(app, ["init", "--db", str(db_path)])
    assert first.exit_code == 0 and second.exit_code == 0
    numbers = [int(p.name[:3]) for p in (SRC / "store" / "migrations").glob("[0-9]*_*.sql")]
    latest = max(numbers)
    assert f"schéma n° {latest}" in first.output
    assert f"schéma n° {latest}" in second.output
    con = duckdb.connect(str(db_path), read_only=True)
    applied = con.execute("SELECT count(*) FROM schema_version").fetchone()
    con.close()
    assert applied == (len(numbers),)


def test_import_refuses_without_a_key(db_path, monkeypatch) -> None:
    monkeypatch.delenv("JALON_SECRET", raising=False)
    result = runner.invoke(app, ["import", "pe-stagiaires", str(EXPORT), "--db", str(db_path)])
    assert result.exit_code == 2
    assert "JALON_SECRET n'est pas définie" in result.output
    assert "Traceback" not in result.output


def test_import_then_bilan_in_text_and_json(db_path, monkeypatch) -> None:
    monkeypatch.setenv("JALON_SECRET", TEST_KEY)
    monkeypatch.setenv("COLUMNS", "160")
    imported = runner.invoke(app, ["import", "pe-stagiaires", str(EXPORT), "--db", str(db_path)])
    assert imported.exit_code == 0, imported.output
    assert "Lignes lues" in imported.output and "10" in imported.output
    assert "Durée" in imported.output and "écriture dans la base" in imported.output
    text = runner.invoke(app, ["bilan", "--region", "76", "--phase", "2016", "--db", str(db_path)])
    assert text.exit_code == 0, text.output
    assert "Occitanie" in text.output
    assert "90\u202f000" in text.output
    as_json = runner.invoke(
        app,
        ["bilan", "--region", "76", "--phase", "2016", "--db", str(db_path), "--format", "json"],
    )
    data = json.loads(as_json.output)
    assert data["indicateurs"]["entrees"]["valeur"] == 5
    assert data["indicateurs"]["entrees_reference"]["valeur"] == 2


def test_unknown_profile_and_missing_file(db_path, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("JALON_SECRET", TEST_KEY)
    unknown = runner.invoke(app, ["import", "inconnu", str(EXPORT), "--db", str(db_path)])
    assert unknown.exit_code == 2 and "profil inconnu « inconnu »" in unknown.output
    missing = runner.invoke(
        app, ["import", "pe-stagiaires", str(tmp_path / "absent.csv"), "--db", str(db_path)]
    )
    assert missing.exit_code == 2 and "fichier introuvable" in missing.output


def test_bilan_on_a_missing_database_says_how_to_create_it(tmp_path) -> None:
    result = runner.invoke(
        app, ["bilan", "--region", "76", "--phase", "2016", "--db", str(tmp_path / "x.duckdb")]
    )
    assert result.exit_code == 2
    assert "jalon init" in result.output
