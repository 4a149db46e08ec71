"""`jalon rapport` and `jalon presse`: files written, French errors, nothing else touched."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from jalon.cli import app
from tests.report.conftest import EVENEMENT

runner = CliRunner()


def test_rapport_pdf(store_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "bilan.pdf"
    args = ["rapport", "--region", "76", "--phase", "2016", "--db", str(store_path)]
    result = runner.invoke(app, [*args, "--sortie", str(out)])
    assert result.exit_code == 0, result.output
    assert "Version des données" in result.output
    assert out.read_bytes().startswith(b"%PDF-")


def test_rapport_national_internal_html(store_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "national.html"
    result = runner.invoke(
        app,
        [
            "rapport",
            "--national",
            "--phase",
            "2016",
            "--interne",
            "--db",
            str(store_path),
            "--sortie",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert "France entière" in html and "Diffusion restreinte" in html


def test_presse_invitation_and_note_as_text(store_path: Path, tmp_path: Path) -> None:
    invitation = tmp_path / "invitation.txt"
    result = runner.invoke(
        app,
        [
            "presse",
            "invitation",
            "--region",
            "76",
            "--evenement",
            str(EVENEMENT),
            "--db",
            str(store_path),
            "--sortie",
            str(invitation),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "INVITATION PRESSE" in invitation.read_text(encoding="utf-8")
    note = tmp_path / "note.txt"
    result = runner.invoke(
        app,
        [
            "presse",
            "note",
            "--region",
            "76",
            "--phase",
            "2016",
            "--date",
            "2017-01-25",
            "--db",
            str(store_path),
            "--sortie",
            str(note),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "COMMUNIQUÉ DE PRESSE" in note.read_text(encoding="utf-8")


def test_presse_prints_plain_text_without_sortie(store_path: Path, tmp_path: Path) -> None:
    """No --sortie: the document itself on standard output, nothing else, no file written."""
    db = ["--db", str(store_path)]
    result = runner.invoke(app, ["presse", "invitation", "--evenement", str(EVENEMENT), *db])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Toulouse, le 23 janvier 2017\n\nINVITATION PRESSE\n")
    assert "Écrit" not in result.stdout and "version des données" not in result.stdout
    result = runner.invoke(
        app,
        [
            "presse",
            "invitation",
            "--evenement",
            str(EVENEMENT),
            "--lieu",
            "Montpellier",
            "--date",
            "22/01/2017",
            "--interne",
            *db,
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Montpellier, le 22 janvier 2017\n")
    assert "Version interne, à ne pas diffuser." in result.stdout
    result = runner.invoke(
        app, ["presse", "note", "--evenement", str(EVENEMENT), "--region", "occitanie", *db]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Toulouse, le 23 janvier 2017\n\nCOMMUNIQUÉ DE PRESSE\n")
    assert "Contacts presse\u202f:" in result.stdout
    assert list(tmp_path.iterdir()) == []


def test_presse_errors_in_french(store_path: Path) -> None:
    db = ["--db", str(store_path)]
    cases = [
        (["presse", "note", "--region", "76", "--phase", "2016", *db], "indiquez la date"),
        (
            ["presse", "note", "--region", "76", "--phase", "2016", "--date", "demain", *db],
            "--date : date invalide « demain »",
        ),
        (
            ["presse", "invitation", "--evenement", str(EVENEMENT), "--region", "53", *db],
            "l'événement est celui de la région 76",
        ),
        (
            ["presse", "note", "--evenement", str(EVENEMENT), "--phase", "2017s1", *db],
            "le fichier d'événement porte sur la phase 2016",
        ),
    ]
    for args, message in cases:
        result = runner.invoke(app, args)
        assert result.exit_code == 2, (args, result.output)
        assert message in " ".join(result.output.split()), result.output
        assert "Traceback" not in result.output


def test_user_errors_are_french_without_traceback(store_path: Path, tmp_path: Path) -> None:
    base = ["rapport", "--phase", "2016", "--db", str(store_path)]
    cases = [
        ([*base, "--sortie", str(tmp_path / "b.docx"), "--region", "76"], "extension « .docx »"),
        ([*base, "--sortie", str(tmp_path / "b.pdf")], "indiquez soit --region"),
        (
            [
                "rapport",
                "--phase",
                "2018",
                "--region",
                "76",
                "--db",
                str(store_path),
                "--sortie",
                str(tmp_path / "b.pdf"),
            ],
            "phase inconnue « 2018 »",
        ),
        (
            [*base, "--region", "76", "--sortie", str(tmp_path / "absent" / "b.html")],
            "impossible d'écrire",
        ),
        (
            [
                "presse",
                "invitation",
                "--region",
                "76",
                "--evenement",
                str(tmp_path / "x.toml"),
                "--db",
                str(store_path),
                "--sortie",
                str(tmp_path / "i.txt"),
            ],
            "illisible",
        ),
    ]
    for args, message in cases:
        result = runner.invoke(app, args)
        assert result.exit_code == 2, (args, result.output)
        assert message in result.output, result.output
        assert "Traceback" not in result.output
