"""`jalon demo`, the README's main command, end to end and as a user runs it: a real process that
simulates, imports, computes the bilans, writes the PDF, prints the press claims, then serves the
dashboard until it is stopped (the session's `demo_run`, tests/conftest.py, shared with the other
tests that read the demo store)."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from jalon.cli import app
from jalon.formatting import ecart
from jalon.web.accounts import authenticate
from tests.conftest import DemoRun

runner = CliRunner()


@pytest.mark.slow
def test_demo_reproduces_the_press_claims_then_serves_the_dashboard(
    demo_run: DemoRun, tmp_path: Path
) -> None:
    db = demo_run.db
    status, page = demo_run.served["/regions/76?phase=2016"]
    assert status == 200 and "Occitanie" in page
    status, body = demo_run.served["/api/regions/76?phase=2016"]
    figures = json.loads(body)
    assert status == 200 and figures["region"]["code"] == "76"
    assert not demo_run.server_file_left
    # The simulated exports (invented names, e-mails, phones) are gone once imported.
    assert not [d for d in db.parent.iterdir() if d.is_dir() and d.name.startswith("jalon-demo")]
    assert "effacés après leur import" in demo_run.output
    text = demo_run.output.replace("\u202f", " ")
    counted = re.search(
        r"([\d ]+) lignes ou éléments lus = ([\d ]+) acceptés \+ ([\d ]+) rejetés "
        r"\+ ([\d ]+) doublons?",
        text,
    )
    assert counted is not None, text
    read, accepted, rejected, duplicates = (int(n.replace(" ", "")) for n in counted.groups())
    assert read == accepted + rejected + duplicates and rejected > 0
    assert "1re région de France" in text
    assert "est atteint" in text
    assert (db.parent / "jalon-demo-bilan-76-2016.pdf").read_bytes().startswith(b"%PDF")
    assert (db.parent / "jalon-demo.duckdb.plan.toml").is_file()
    password = re.search(r"identifiant demo, mot de passe (\S+)", text)
    assert password is not None, text
    con = duckdb.connect(str(db), read_only=True)
    stored = con.execute(
        "SELECT sum(lines_read), sum(accepted) + sum(rejected) + sum(duplicates) FROM imports"
    ).fetchone()
    lines_ok = con.execute("SELECT count(*) FROM rejets WHERE line < 2 OR line > 100000").fetchone()
    user = authenticate(con, "demo", password.group(1))
    con.close()
    assert stored is not None and stored[0] == stored[1] == read
    assert lines_ok == (0,)
    assert user is not None and user.role == "national"
    bilan = runner.invoke(
        app, ["bilan", "--region", "76", "--phase", "2016", "--db", str(db), "--format", "json"]
    )
    assert bilan.exit_code == 0, bilan.output
    assert '"taux_realisation"' in bilan.output
    _check_cut_at_31_march(db, tmp_path)
    _check_linked_secrecy(db)


def _check_linked_secrecy(db: Path) -> None:
    """On the demo store, for each phase: the one pattern over every table published together
    hides cells, and the linear system of all published figures determines none of them."""
    from jalon.indicators import compute_all_bilans
    from jalon.indicators.secret import plan_pattern
    from jalon.indicators.secret_pattern import determined, linear_system
    from jalon.plan import load_plan
    from jalon.store import open_store

    plan = load_plan(Path(f"{db}.plan.toml"))
    con = open_store(db, read_only=True)
    try:
        for phase in plan.phases:
            bilans = compute_all_bilans(con, plan, phase.code)
            pattern = plan_pattern(bilans, plan)
            system = linear_system(bilans)
            unknown = sorted(pattern.hidden | set(system.gaps), key=repr)
            protect = set(pattern.hidden) | {
                c for c, v in system.gaps.items() if 0 < abs(v) < plan.secret.threshold
            }
            assert pattern.primary and pattern.hidden > pattern.primary, phase.code
            assert not set(determined(system.equations, unknown)) & protect, phase.code
    finally:
        con.close()


def _flat(text: str) -> str:
    """Text with tags, entities and the no-break spaces of French typography made plain."""
    text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    return " ".join(text.replace("\u202f", " ").replace("\u00a0", " ").split())


def _check_cut_at_31_march(db: Path, tmp_path: Path) -> None:
    """The demo's store computed as of 31 March 2017: the first semester of 2017 is three
    months old, and no output compares those three months with the whole reference semester."""
    base = ["--region", "76", "--phase", "2017S1", "--db", str(db)]
    whole = runner.invoke(app, ["bilan", *base, "--format", "json"])
    cut = runner.invoke(app, ["bilan", *base, "--format", "json", "--au", "2017-03-31"])
    assert whole.exit_code == 0 and cut.exit_code == 0, (whole.output, cut.output)
    full, data = json.loads(whole.output), json.loads(cut.output)
    figures = {code: f["valeur"] for code, f in data["indicateurs"].items()}
    assert data["etat_phase"] == "phase en cours : 3 mois sur 6"
    assert data["date_arret"] == "2017-03-31"
    assert len(data["ventilations"]["mois"]["lignes"]) == 3  # April to June absent
    # The misleading figure: three observed months minus the whole reference semester.
    full_window = figures["entrees"] - full["indicateurs"]["entrees_reference"]["valeur"]
    assert figures["entrees_supplementaires"] != full_window
    assert figures["entrees_supplementaires"] == figures["entrees"] - figures["entrees_reference"]
    forbidden = ecart(full_window).replace("\u202f", " ")
    report = tmp_path / "bilan-2017S1-31-mars.html"
    note = tmp_path / "note-2017S1-31-mars.txt"
    written = [
        runner.invoke(app, ["rapport", *base, "--au", "2017-03-31", "--sortie", str(report)]),
        runner.invoke(
            app,
            [
                "presse",
                "note",
                *base,
                "--au",
                "2017-03-31",
                "--date",
                "2017-04-05",
                "--sortie",
                str(note),
            ],
        ),
    ]
    assert all(r.exit_code == 0 for r in written), [r.output for r in written]
    texte = runner.invoke(app, ["bilan", *base, "--au", "2017-03-31"])
    for name, text in (
        ("bilan JSON", cut.output),
        ("bilan texte", texte.output),
        ("rapport", report.read_text(encoding="utf-8")),
        ("note de presse", note.read_text(encoding="utf-8")),
    ):
        flat = _flat(text)
        assert forbidden not in flat, name
        assert "phase en cours" in flat and "3 mois sur 6" in flat, name


def test_demo_refuses_to_overwrite_a_real_database(tmp_path, monkeypatch):
    monkeypatch.setenv("JALON_SECRET", "cle-de-test-jalon-0123456789")
    db = tmp_path / "jalon.duckdb"
    assert runner.invoke(app, ["init", "--db", str(db)]).exit_code == 0
    result = runner.invoke(app, ["demo", "--db", str(db)])
    assert result.exit_code == 2
    assert "n'est pas une base de démonstration" in result.output
    assert db.exists()
