"""tomllib's and Pydantic's English put into French, with line, column, key path and value."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from pathlib import Path
from typing import Literal

import pytest
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from jalon.plan import PlanError, load_plan
from jalon.report.presse import EvenementError, load_evenement
from jalon.validation import toml_error, validation_lines
from tests.report.conftest import EVENEMENT

ENGLISH = re.compile(
    r"Input should|Field required|Extra inputs|Invalid|Illegal|Unterminated|Expected|Cannot|"
    r"Unclosed|Found|at line|column \d+\)|should have"
)


def _toml_error(text: str) -> tomllib.TOMLDecodeError:
    with pytest.raises(tomllib.TOMLDecodeError) as info:
        tomllib.loads(text)
    return info.value


@pytest.mark.parametrize(
    ("text", "line", "french"),
    [
        (
            'titre = "Bilan\nlieu = "Toulouse"\n',
            1,
            "fin de ligne dans une chaîne (guillemet fermant",
        ),
        ("a = 1\nb = oui\n", 2, "valeur invalide (chaîne entre guillemets"),
        ('a = 1\n\nc = "x\x01"\n', 3, "caractère interdit « \\x01 »"),
        ("[secret]\nx = 1\n[secret]\n", 3, "la table « secret » est déclarée deux fois"),
        ("a = 1\na = 2\n", 2, "cette clé a déjà une valeur"),
        ("a = [1, 2\nb = 3\n", 2, "liste non fermée"),
        ("jour = 2017-01-24 11\n", 1, "fin de ligne attendue après la valeur"),
        ("a 1\n", 1, "« = » attendu après la clé"),
        ("[secret\n", 1, "« ] » attendu après le nom de table"),
    ],
)
def test_toml_errors_in_french_with_line_and_column(text: str, line: int, french: str) -> None:
    exc = _toml_error(text)
    message = toml_error(exc)
    column = re.search(r"column (\d+)", str(exc))
    assert column is not None
    assert message.startswith(f"ligne {line}, colonne {column[1]} : ")
    assert french in message
    assert not ENGLISH.search(message), message


def test_an_error_at_the_end_of_the_file_says_so() -> None:
    assert (
        toml_error(_toml_error("a = [1, 2")) == "fin du fichier : liste non fermée (« ] » manquant)"
    )
    unterminated = toml_error(_toml_error("titre = 'Bilan"))
    assert unterminated == "fin du fichier : chaîne non fermée (guillemet « ' » manquant)"


class _Everything(BaseModel):
    model_config = ConfigDict(extra="forbid")

    entier: int
    nombre: float
    drapeau: bool
    texte: str
    court: str = Field(max_length=3)
    jour: dt.date
    heure: dt.time
    moment: dt.datetime
    role: Literal["national", "regional"]
    positif: int = Field(ge=0)
    liste: list[int] = Field(min_length=1)
    obligatoire: str


def test_every_pydantic_error_of_a_declaration_reads_in_french() -> None:
    bad = {
        "entier": "douze",
        "nombre": "beaucoup",
        "drapeau": "peut-être",
        "texte": 12,
        "court": "trop long",
        "jour": "demain",
        "heure": "onze heures",
        "moment": "hier soir",
        "role": "chef",
        "positif": -1,
        "liste": [],
        "inconnue": 1,
    }
    with pytest.raises(ValidationError) as info:
        _Everything.model_validate(bad)
    text = validation_lines(info.value)
    lines = text.splitlines()
    assert len(lines) == len(info.value.errors()) == 13
    assert not ENGLISH.search(text), text
    expected = {
        "entier : attendu : un entier, lu : 'douze'",
        "drapeau : attendu : un booléen (true ou false), lu : 'peut-être'",
        "court : attendu : un texte d'au plus 3 caractères, lu : 'trop long'",
        "heure : attendu : une heure (HH:MM ou HH:MM:SS), lu : 'onze heures'",
        "role : attendu : une des valeurs 'national' ou 'regional', lu : 'chef'",
        "positif : attendu : un nombre supérieur ou égal à 0, lu : -1",
        "liste : attendu : au moins 1 élément(s)",
        "obligatoire : attendu : une valeur (clé obligatoire absente)",
        "inconnue : attendu : aucune clé de ce nom (clé inconnue), lu : 1",
    }
    assert expected <= {line.removeprefix("  - ") for line in lines}


def test_a_plan_with_a_toml_mistake_names_file_line_and_column(tmp_path: Path) -> None:
    broken = tmp_path / "plan.toml"
    broken.write_text('name = "Plan\nscale = 1.0\n', encoding="utf-8")
    with pytest.raises(PlanError) as info:
        load_plan(broken)
    message = str(info.value)
    assert message.startswith(f"{broken} : TOML invalide, ligne 1, colonne ")
    assert "fin de ligne dans une chaîne" in message and not ENGLISH.search(message)


def test_an_event_file_with_a_wrong_time_says_so_in_french(tmp_path: Path) -> None:
    broken = tmp_path / "evenement.toml"
    text = EVENEMENT.read_text(encoding="utf-8")
    broken.write_text(text.replace("heure = 11:00:00", 'heure = "11 h"'), encoding="utf-8")
    with pytest.raises(EvenementError) as info:
        load_evenement(broken)
    message = str(info.value)
    assert "heure : attendu : une heure (HH:MM ou HH:MM:SS), lu : '11 h'" in message
    assert not ENGLISH.search(message)
    broken.write_text(text.replace("heure = 11:00:00", "heure = 11h00"), encoding="utf-8")
    with pytest.raises(EvenementError) as syntax:
        load_evenement(broken)
    line = 1 + text.splitlines().index("heure = 11:00:00")
    assert f"n'est pas un fichier TOML valide : ligne {line}, colonne " in str(syntax.value)
    assert not ENGLISH.search(str(syntax.value))
