"""Invitee lists as a communication service keeps them (CSV from Excel, XLSX), and their faults."""

from __future__ import annotations

from pathlib import Path

import pytest

from jalon.evenements.invites import ListeError, read_invitees
from tests.conftest import DATA
from tests.ingest.spreadsheets import write_xlsx

LISTS = DATA / "invites"


def test_columns_by_meaning_first_name_joined_categories_folded() -> None:
    people = read_invitees(LISTS / "invites-presse.csv")
    assert [(p.nom, p.organisation, p.courriel, p.categorie) for p in people] == [
        ("Alex Exemple", "La Dépêche Exemple", "alex.exemple@presse-exemple.test", "journaliste"),
        ("Béa Modèle", "Radio Exemple", "bea@radio-exemple.test", "journaliste"),
        ("Claude Élu-Test", "Ville de Ramonville", "claude@mairie-exemple.test", "elu"),
        ("Dany Partenaire", "Exemple Formation", "dany@formation-exemple.test", "partenaire"),
    ]


def test_excel_csv_in_windows_1252_is_read() -> None:
    (person,) = read_invitees(LISTS / "invites-cp1252.csv")
    assert (person.nom, person.categorie) == ("René Éléonore", "elu")


def test_xlsx_list(tmp_path: Path) -> None:
    path = tmp_path / "invites.xlsx"
    write_xlsx(
        path,
        [["Nom", "E-mail", "Organisme", "Type"], ["Noa Test", "noa@exemple.test", "AFP", "Média"]],
    )
    (person,) = read_invitees(path)
    assert (person.nom, person.courriel, person.organisation, person.categorie) == (
        "Noa Test", "noa@exemple.test", "AFP", "journaliste",
    )  # fmt: skip


def test_every_fault_named_by_line_and_column_without_values() -> None:
    with pytest.raises(ListeError) as caught:
        read_invitees(LISTS / "invites-fautives.csv")
    message = str(caught.value)
    assert "rien n'est ajouté" in message
    assert "ligne 2, colonne « Courriel » : adresse électronique manquante ou invalide" in message
    assert "ligne 4, colonne « Courriel » : même adresse qu'à la ligne 3" in message
    assert "ligne 5, colonne « Catégorie » : catégorie inconnue" in message
    for value in ("lou@exemple.test", "Sam", "blogueur", "max@"):
        assert value not in message


def test_missing_column_says_what_names_are_accepted() -> None:
    with pytest.raises(ListeError, match=r"ligne 1 : colonne manquante : « courriel » \(courriel"):
        read_invitees(LISTS / "invites-sans-courriel.csv")


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("vide.csv", b"", "fichier vide"),
        ("entete.csv", b"Nom;Courriel;Categorie\n", "aucun invité"),
        ("liste.txt", b"Nom;Courriel\n", "format non reconnu"),
        ("faux.xlsx", b"pas un classeur", "classeur illisible"),
    ],
)
def test_unusable_files(tmp_path: Path, name: str, content: bytes, expected: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ListeError, match=expected):
        read_invitees(path)
