"""`jalon demo`, the README's main command, end to end: simulate, import, bilan, PDF, claims."""

from __future__ import annotations

import re

import duckdb
import pytest
from typer.testing import CliRunner

from jalon.cli import app

runner = CliRunner()


@pytest.mark.slow
def test_demo_reproduces_the_press_claims_and_accounts_for_every_line(tmp_path, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    db = tmp_path / "jalon-demo.duckdb"
    result = runner.invoke(app, ["demo", "--db", str(db)])
    assert result.exit_code == 0, result.output
    text = result.output.replace("\u202f", " ")
    counted = re.search(
        r"([\d ]+) lignes ou éléments lus = ([\d ]+) acceptés \+ ([\d ]+) rejetés "
        r"\+ ([\d ]+) doublons",
        text,
    )
    assert counted is not None, text
    read, accepted, rejected, duplicates = (int(n.replace(" ", "")) for n in counted.groups())
    assert read == accepted + rejected + duplicates and rejected > 0
    assert "1re région de France" in text
    assert "est atteint" in text
    assert (tmp_path / "jalon-demo-bilan-76-2016.pdf").read_bytes().startswith(b"%PDF")
    assert (tmp_path / "jalon-demo.duckdb.plan.toml").is_file()
    con = duckdb.connect(str(db), read_only=True)
    stored = con.execute(
        "SELECT sum(lines_read), sum(accepted) + sum(rejected) + sum(duplicates) FROM imports"
    ).fetchone()
    con.close()
    assert stored is not None and stored[0] == stored[1] == read
    bilan = runner.invoke(
        app, ["bilan", "--region", "76", "--phase", "2016", "--db", str(db), "--format", "json"]
    )
    assert bilan.exit_code == 0, bilan.output
    assert '"taux_realisation"' in bilan.output


def test_demo_refuses_to_overwrite_a_real_database(tmp_path, monkeypatch):
    monkeypatch.setenv("JALON_SECRET", "cle-de-test-jalon-0123456789")
    db = tmp_path / "jalon.duckdb"
    assert runner.invoke(app, ["init", "--db", str(db)]).exit_code == 0
    result = runner.invoke(app, ["demo", "--db", str(db)])
    assert result.exit_code == 2
    assert "n'est pas une base de démonstration" in result.output
    assert db.exists()
