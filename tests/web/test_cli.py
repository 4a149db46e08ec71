"""`jalon utilisateurs` as an administrator types it."""

from __future__ import annotations

from typer.testing import CliRunner

from jalon.cli import app
from tests.web.conftest import PASSWORD

runner = CliRunner()


def test_add_list_delete(db_path, monkeypatch) -> None:
    monkeypatch.setenv("MDP_TEST", PASSWORD)
    db = ["--db", str(db_path)]
    added = runner.invoke(
        app,
        ["utilisateurs", "ajouter", "agent.occ", "--role", "regional", "--region", "76",
         "--mot-de-passe-env", "MDP_TEST", *db],
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    assert "agent.occ (Occitanie) créé" in added.output
    listed = runner.invoke(app, ["utilisateurs", "lister", *db])
    assert listed.exit_code == 0, listed.output
    line = next(li for li in listed.output.splitlines() if "agent.occ" in li)
    assert line.split()[:4] == ["agent.occ", "régional", "76", "Occitanie"]
    assert PASSWORD not in listed.output
    deleted = runner.invoke(app, ["utilisateurs", "supprimer", "agent.occ", *db])
    assert deleted.exit_code == 0 and "supprimé" in deleted.output
    assert "Aucun compte" in runner.invoke(app, ["utilisateurs", "lister", *db]).output


def test_refusals_are_french_without_traceback(db_path, monkeypatch) -> None:
    monkeypatch.setenv("MDP_TEST", PASSWORD)
    bad_region = runner.invoke(
        app,
        ["utilisateurs", "ajouter", "agent", "--role", "regional", "--region", "99",
         "--mot-de-passe-env", "MDP_TEST", "--db", str(db_path)],
    )  # fmt: skip
    assert bad_region.exit_code == 2
    assert "région inconnue" in bad_region.output and "Traceback" not in bad_region.output
    empty = runner.invoke(
        app,
        ["utilisateurs", "ajouter", "agent", "--role", "national",
         "--mot-de-passe-env", "ABSENTE_JALON", "--db", str(db_path)],
    )  # fmt: skip
    assert empty.exit_code == 2 and "ABSENTE_JALON est vide ou absente" in empty.output


def test_password_typed_twice_and_region_by_name(db_path) -> None:
    db = ["--db", str(db_path)]
    command = ["utilisateurs", "ajouter", "agent.bzh", "--role", "regional", "--region", "bretagne"]
    mismatch = runner.invoke(app, [*command, *db], input=f"{PASSWORD}\n{PASSWORD}x\n")
    assert mismatch.exit_code == 2
    assert "les deux mots de passe saisis diffèrent" in mismatch.output
    assert PASSWORD not in mismatch.output and "Warning" not in mismatch.output
    assert "Aucun compte" in runner.invoke(app, ["utilisateurs", "lister", *db]).output
    typed = runner.invoke(app, [*command, *db], input=f"{PASSWORD}\n{PASSWORD}\n")
    assert typed.exit_code == 0, typed.output
    assert "agent.bzh (Bretagne) créé" in typed.output and PASSWORD not in typed.output
