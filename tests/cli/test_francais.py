"""Typer's own texts in French: every `--help` page, every parsing mistake a user can make."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import typer
from rich.console import Console
from typer.testing import CliRunner

from jalon.cli import app
from jalon.cli.francais import french_message
from jalon.formatting import nombre

runner = CliRunner()

#: What Typer and its vendored Click write in English, as seen in their sources.
ENGLISH = (
    "Usage:",
    "Show this message",
    "[default:",
    "[required]",
    "[env var",
    "Commands",
    "COMMAND [ARGS]",
    "(deprecated)",
    "<str>",
    "<int>",
    "<float>",
    "<bool>",
    "<path>",
    "<file>",
    "<dir>",
    "Try '",
    "for help",
    "Error",
    "Missing",
    "Invalid value",
    "No such",
    "Did you mean",
    "Possible options",
    "is not one of",
    "requires an argument",
    "unexpected extra",
    "Input should",
    "Value error",
    "does not exist",
    "Aborted",
)


def flat(output: str) -> str:
    """The output as one line: panel borders and line wraps (spaces of any kind) removed."""
    for border in "│╭╮╰╯─":
        output = output.replace(border, " ")
    return " ".join(output.split())


def _command_paths(group: typer.core.TyperGroup, prefix: list[str]) -> list[list[str]]:
    paths = [prefix]
    for name, command in group.commands.items():
        if isinstance(command, typer.core.TyperGroup):
            paths += _command_paths(command, [*prefix, name])
        else:
            paths.append([*prefix, name])
    return paths


COMMANDS = _command_paths(typer.main.get_group(app), [])


def test_every_command_is_walked() -> None:
    names = {" ".join(p) for p in COMMANDS}
    assert {"", "bilan", "imports", "presse", "presse invitation", "utilisateurs lister"} <= names
    assert len(names) > 15


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "jalon")
def test_every_help_page_is_french(path: list[str], monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    result = runner.invoke(app, [*path, "--help"], prog_name="jalon")
    assert result.exit_code == 0, result.output
    text = flat(result.output)
    assert f"Utilisation : jalon {' '.join(path)}".rstrip() in text
    assert "--help Affiche cette aide et quitte." in text
    for english in ENGLISH:
        assert english not in text, f"« {english} » dans l'aide de jalon {' '.join(path)}"


def test_help_shows_french_types_defaults_and_requirements(monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    text = flat(runner.invoke(app, ["rejets", "--help"]).output)
    assert "--limite <entier>" in text and "[défaut : 50]" in text
    assert "--csv <chemin>" in text
    bilan = flat(runner.invoke(app, ["bilan", "--help"]).output)
    assert "--phase <texte>" in bilan and "[obligatoire]" in bilan
    assert "--format <texte|json|csv|xlsx>" in bilan
    group = flat(runner.invoke(app, ["--help"], prog_name="jalon").output)
    assert "Utilisation : jalon [OPTIONS] COMMANDE [ARGUMENTS]..." in group
    assert "Commandes" in group


@pytest.mark.parametrize(
    ("arguments", "french"),
    [
        (["bilan"], "Il manque l'option obligatoire --phase."),
        (["rejets"], "Il manque l'argument IMPORT."),
        (["bilan", "--foo"], "Option inconnue --foo. Vouliez-vous dire --format ?"),
        (
            ["nimporte"],
            "Commande inconnue « nimporte » ; vouliez-vous dire « import », « imports » ?",
        ),
        (["rejets", "abc"], "Valeur invalide pour IMPORT : un nombre entier est attendu."),
        (["rejets", "1", "--limite", "dix"], "Valeur invalide pour --limite : un nombre entier"),
        (
            ["bilan", "--phase", "2016", "--national", "--format", "xml"],
            "Valeur invalide pour --format : « xml » n'est pas une valeur permise "
            "(valeurs permises : « texte », « json », « csv », « xlsx »).",
        ),
        (["bilan", "--phase", "2016", "--national", "en-trop"], "Argument en trop : en-trop."),
        (["bilan", "--phase"], "L'option « --phase » attend une valeur."),
        (["imports", "--derniers", "-3"], "Valeur invalide pour --derniers : au moins 0 attendu."),
        (["presse"], "Utilisation : jalon presse [OPTIONS] COMMANDE [ARGUMENTS]..."),
    ],
)
def test_parsing_mistakes_are_french(arguments: list[str], french: str) -> None:
    result = runner.invoke(app, arguments, prog_name="jalon")
    assert result.exit_code == 2, result.output
    text = flat(result.output)
    assert french in text
    for english in ENGLISH:
        assert english not in text, f"« {english} » dans : {text}"
    assert "Traceback" not in text


def test_error_panel_is_titled_and_points_to_the_help() -> None:
    text = flat(runner.invoke(app, ["bilan"], prog_name="jalon").output)
    assert text.startswith("Utilisation : jalon bilan [OPTIONS] Aide : jalon bilan --help Erreur")


def test_jalon_own_messages_are_left_as_they_are() -> None:
    assert french_message("région inconnue « 99 ».") == "région inconnue « 99 »."


def test_a_subprocess_gets_the_same_french_and_exit_code() -> None:
    env = {**os.environ, "COLUMNS": "100"}
    done = subprocess.run(
        [sys.executable, "-m", "jalon", "classement"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 2
    assert "Il manque l'option obligatoire --phase." in flat(done.stderr)
    assert "Missing" not in done.stderr and "Traceback" not in done.stderr


def test_a_narrow_terminal_never_splits_a_number() -> None:
    env = {**os.environ, "COLUMNS": "44"}
    done = subprocess.run(
        [sys.executable, "-m", "jalon", "--help"], capture_output=True, text=True, env=env
    )
    assert done.returncode == 0
    lines = done.stdout.splitlines()
    assert any("1\u202f000 DE" in line for line in lines), done.stdout
    assert not any(line.rstrip(" │").endswith(" 1") for line in lines), done.stdout


def test_rich_keeps_formatted_numbers_whole_at_any_width() -> None:
    import jalon.cli  # noqa: F401  (installs the French texts and the wrapping rule)

    sentence = f"objectif de {nombre(92000)} entrées, réalisé à {nombre(87512)}"
    for width in range(8, 40):
        console = Console(width=width, record=True, file=open(os.devnull, "w"))  # noqa: SIM115
        console.print(sentence)
        text = console.export_text()
        assert "92\u202f000" in text and "87\u202f512" in text, (width, text)
