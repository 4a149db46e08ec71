"""The ingest commands as a data officer types them: import, profils, imports, rejets.

(They live with the ingest tests because this area owns `jalon/cli/ingest_commands.py`.)
"""

from __future__ import annotations

import json
import shutil

from typer.testing import CliRunner

from jalon.cli import app
from tests.conftest import DATA, TEST_KEY

runner = CliRunner()
PE = DATA / "pe-stagiaires" / "export-2016-occitanie.csv"
SEMICOLON_PROFILE = DATA / "mauvais" / "profil-point-virgule.toml"


def _run(*args: str):
    return runner.invoke(app, list(args))


def test_import_then_read_rejections_and_history(db_path, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("JALON_SECRET", TEST_KEY)
    monkeypatch.setenv("COLUMNS", "200")
    imported = _run("import", "pe-stagiaires", str(PE), "--db", str(db_path))
    assert imported.exit_code == 0, imported.output
    assert "Import n° 1" in imported.output and "jalon rejets 1" in imported.output
    shown = _run("rejets", "1", "--db", str(db_path))
    assert shown.exit_code == 0, shown.output
    assert "Rejets de l'import n° 1" in shown.output and "2016-13-45" in shown.output
    out = tmp_path / "rejets.csv"
    exported = _run("rejets", "1", "--csv", str(out), "--db", str(db_path))
    assert exported.exit_code == 0 and "3 rejets" in exported.output
    assert len(out.read_text(encoding="utf-8-sig").splitlines()) == 4
    history = _run("imports", "--db", str(db_path), "--format", "json")
    assert [r["accepted"] for r in json.loads(history.output)] == [5]


def test_replace_and_dry_run_from_the_command_line(db_path, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("JALON_SECRET", TEST_KEY)
    _run("import", "pe-stagiaires", str(PE), "--db", str(db_path))
    trial = _run(
        "import",
        "demandeurs",
        str(DATA / "demandeurs" / "demandeurs-2016.csv"),
        "--essai",
        "--db",
        str(db_path),
        "--format",
        "json",
    )
    assert trial.exit_code == 0, trial.output
    assert json.loads(trial.output)["import_id"] is None
    copy = tmp_path / "export-bis.csv"
    copy.write_text(PE.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    replaced = _run("import", "pe-stagiaires", str(copy), "--remplace", "1", "--db", str(db_path))
    assert replaced.exit_code == 0, replaced.output
    monkeypatch.setenv("COLUMNS", "200")
    listing = _run("imports", "--db", str(db_path))
    assert "remplacé par n° 2" in listing.output and "remplace n° 1" in listing.output


def test_user_profile_by_path_and_by_folder(db_path, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("JALON_SECRET", TEST_KEY)
    monkeypatch.setenv("COLUMNS", "200")
    data = DATA / "mauvais" / "financeurs-debordants.csv"
    by_path = _run("import", "--profil", str(SEMICOLON_PROFILE), str(data), "--db", str(db_path))
    assert by_path.exit_code == 0, by_path.output
    folder = tmp_path / "profils"
    folder.mkdir()
    shutil.copy(SEMICOLON_PROFILE, folder)
    monkeypatch.setenv("JALON_PROFILS", str(folder))
    listed = _run("profils")
    assert "financeur-point-virgule" in listed.output and "region-stagiaires" in listed.output
    assert "profil-point-virgule.toml" in listed.output
    assert f"Profils personnels lus dans {folder}" in listed.output
    again = tmp_path / "autre.csv"
    again.write_text(data.read_text() + "1000009Z;2016-03-07;;;;31;4\n", encoding="utf-8")
    by_name = _run("import", "financeur-point-virgule", str(again), "--db", str(db_path))
    assert by_name.exit_code == 0, by_name.output


def test_several_files_import_as_one_series(db_path, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("JALON_SECRET", TEST_KEY)
    monkeypatch.setenv("COLUMNS", "200")
    second = tmp_path / "export-2016-bis.csv"
    lines = PE.read_text(encoding="utf-8").splitlines()
    second.write_text("\n".join(lines[:3]).replace("|4;7", "|2") + "\n", encoding="utf-8")
    result = _run("import", "pe-stagiaires", str(PE), str(second), "--db", str(db_path))
    assert result.exit_code == 0, result.output
    assert "Import n° 1" in result.output and "Import n° 2" in result.output
    assert "2 fichiers importés en une série" in result.output
    history = _run("imports", "--db", str(db_path), "--format", "json")
    assert [r["file_name"] for r in json.loads(history.output)] == [PE.name, second.name]

    # A series with a refused file writes nothing: first a missing file, then a wrong header.
    copy, wrong = tmp_path / "copie.csv", DATA / "mauvais" / "mauvais-separateur.csv"
    series = ("import", "pe-stagiaires", str(copy), str(wrong), "--db", str(db_path))
    refused = _run(*series)
    assert refused.exit_code == 2 and "fichier introuvable" in refused.output
    copy.write_text("\n".join(lines[:5]) + "\n", encoding="utf-8")
    refused = _run(*series)
    assert refused.exit_code == 2 and "mauvais-separateur.csv, ligne 1" in refused.output
    history = _run("imports", "--db", str(db_path), "--format", "json")
    assert len(json.loads(history.output)) == 2


def test_errors_are_french_and_without_traceback(db_path, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("JALON_SECRET", TEST_KEY)
    bad_profile = tmp_path / "faux.toml"
    bad_profile.write_text('name = "x"\nlabel = "x"\nformat = "delimited"\n', encoding="utf-8")
    cases = [
        (["import", "inconnu", str(PE)], "profil inconnu « inconnu »"),
        (["import", "--profil", str(bad_profile), str(PE)], "profil invalide"),
        (["import", "pe-stagiaires"], "indiquez au moins un FICHIER après le profil"),
        (["import", "pe-stagiaires", str(PE), str(PE), "--essai"], "s'appliquent à un seul"),
        (["rejets", "9"], "aucun import n° 9"),
        (["import", "pe-stagiaires", str(DATA / "mauvais" / "vide.csv")], "le fichier est vide"),
    ]
    _run("init", "--db", str(db_path))
    for args, message in cases:
        result = _run(*args, "--db", str(db_path))
        assert result.exit_code == 2, (args, result.output)
        assert message in result.output, (args, result.output)
        assert "Traceback" not in result.output


def test_lheo_goes_to_its_reader(db_path, monkeypatch) -> None:
    monkeypatch.setenv("JALON_SECRET", TEST_KEY)
    catalogue = DATA / "lheo" / "catalogue-2.2-occitanie.xml"
    result = _run("import", "lheo", str(catalogue), "--db", str(db_path), "--format", "json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["profile"] == "lheo" and summary["import_id"] == 1
    counted = summary["accepted"] + summary["rejected"] + summary["duplicates"]
    assert summary["lines_read"] == counted


def test_import_without_profile_recognises_it_and_names_ignored_columns(
    db_path, monkeypatch
) -> None:
    monkeypatch.setenv("JALON_SECRET", TEST_KEY)
    monkeypatch.setenv("COLUMNS", "200")
    path = DATA / "pe-stagiaires" / "export-2019-colonnes-inconnues.csv"
    result = _run("import", str(path), "--db", str(db_path))
    assert result.exit_code == 0, result.output
    assert "Profil reconnu d'après export-2019-colonnes-inconnues.csv : pe-stagiaires" in (
        result.output
    )
    assert (
        "Attention : 3 colonnes non reconnues, ignorées (jamais lues) : dc_siret_cofinanceur, "
        "dn_montant_cofinance, dc_contact_referent." in result.output
    )
    regional = _run(
        "import", str(DATA / "region-stagiaires" / "export-idf-2016.csv"), "--db", str(db_path)
    )
    assert "Profil reconnu d'après export-idf-2016.csv : region-stagiaires" in regional.output


def test_a_file_no_profile_recognises_is_refused_with_what_each_lacks(
    db_path, monkeypatch, tmp_path
) -> None:
    monkeypatch.setenv("JALON_SECRET", TEST_KEY)
    monkeypatch.setenv("COLUMNS", "200")
    path = tmp_path / "inconnu.csv"
    path.write_text("a;b;c\n1;2;3\n", encoding="utf-8")
    result = _run("import", str(path), "--db", str(db_path))
    assert result.exit_code != 0
    assert "inconnu.csv, ligne 1 : aucun profil ne reconnaît ce fichier" in result.output
    assert "pe-stagiaires : il manque Identifiant national du demandeur d'emploi" in result.output
    assert "Traceback" not in result.output


def test_anomalies_are_listed_and_exported_for_the_funder(db_path, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("JALON_SECRET", TEST_KEY)
    monkeypatch.setenv("COLUMNS", "200")
    path = DATA / "pe-stagiaires" / "export-2017-34-colonnes.csv"
    imported = _run("import", "pe-stagiaires", str(path), "--db", str(db_path))
    assert "dont avec anomalies" in imported.output and "jalon anomalies 1" in imported.output
    shown = _run("anomalies", "1", "--db", str(db_path))
    assert shown.exit_code == 0, shown.output
    assert "Anomalies (lignes gardées, valeur écartée) de l'import n° 1" in shown.output
    assert "312345678000140" in shown.output
    out = tmp_path / "anomalies.csv"
    exported = _run("anomalies", "1", "--csv", str(out), "--db", str(db_path))
    assert "2 anomalies de l'import n° 1" in exported.output
    rows = out.read_text(encoding="utf-8-sig").splitlines()
    assert rows[0] == "ligne;colonne;motif;message;valeur"
    assert rows[1].startswith("3;dc_siret;format_invalide;")


def test_profile_copy_then_check_against_a_file(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.chdir(tmp_path)
    copied = _run("profils", "--copier", "region-stagiaires")
    assert copied.exit_code == 0, copied.output
    target = tmp_path / "region-stagiaires.toml"
    assert "[fields.date_entree]" in target.read_text(encoding="utf-8")
    again = _run("profils", "--copier", "region-stagiaires")
    assert again.exit_code != 0 and "existe déjà" in again.output
    text = target.read_text(encoding="utf-8").replace(
        'name = "region-stagiaires"', 'name = "region-essai"'
    )
    text = text.replace('names = ["Date Entree",', 'names = ["Debut", "Date Entree",')
    target.write_text(text, encoding="utf-8")
    export = tmp_path / "export.csv"
    export.write_bytes(
        "Identifiant Stagiaire;Nom;Debut;Code Postal;Colonne maison\r\n"
        "S1;Essai-Nom;05/09/2016;75011;x\r\nS2;Autre-Nom;31/11/2016;75011;y\r\n".encode("cp1252")
    )
    checked = _run("profils", "--verifier", str(target), str(export))
    assert checked.exit_code == 0, checked.output
    assert "Date d'entrée en formation *" in checked.output and "Debut" in checked.output
    assert "S1" not in checked.output and "Essai-Nom" not in checked.output
    assert "Données personnelles jamais lues : Nom." in checked.output
    assert "Colonnes non reconnues, qui seraient ignorées : Colonne maison." in checked.output
    assert "essai, rien n'a été écrit" in checked.output
    assert not list(tmp_path.glob("*.duckdb*"))
    missing = _run("profils", "--verifier", "pe-stagiaires", str(export))
    assert missing.exit_code != 0
    assert "export.csv serait refusé : il manque" in missing.output
