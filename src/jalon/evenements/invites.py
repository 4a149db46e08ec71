"""Read an invitee list (CSV or XLSX) as a communication service keeps it: name, organisation,
e-mail, category.

Columns are found by meaning, in any order, under the names such lists use (« Nom », « Prénom »,
« Média », « Courriel », « E-mail », « Catégorie »…). A list with a faulty line is refused whole,
with every fault named by line and column and what was expected; no value from the file is
repeated in a message (they are names and addresses). Pure reading: nothing is stored here.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from jalon.sources.profile import normalise

#: Category code → label, in the order lists and counts show them.
CATEGORIES = {"journaliste": "Journalistes", "elu": "Élus", "partenaire": "Partenaires"}
_CATEGORY_WORDS = {
    "journaliste": "journaliste",
    "journalistes": "journaliste",
    "presse": "journaliste",
    "media": "journaliste",
    "medias": "journaliste",
    "elu": "elu",
    "elue": "elu",
    "elus": "elu",
    "elues": "elu",
    "partenaire": "partenaire",
    "partenaires": "partenaire",
}
_COLUMNS = {
    "nom": ("nom", "nom complet", "nom et prenom", "prenom nom", "contact", "invite"),
    "prenom": ("prenom",),
    "organisation": ("organisation", "organisme", "media", "structure", "redaction", "societe"),
    "courriel": ("courriel", "e mail", "email", "mail", "adresse electronique", "adresse mail"),
    "categorie": ("categorie", "type", "qualite"),
}
REQUIRED = ("nom", "courriel", "categorie")
#: RFC 5322's addr-spec, simplified to what a mailbox on a list looks like: no space, one `@`, a
#: dot in the domain. Anything else would be bounced by the first relay.
_ADDRESS = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;.]+$")
MAX_BYTES = 5 << 20
MAX_ROWS = 10_000
MAX_ERRORS = 20


class ListeError(ValueError):
    """The list is refused; the message names the file, lines and columns."""


@dataclass(frozen=True)
class Personne:
    nom: str
    organisation: str | None
    courriel: str
    categorie: str

    def as_row(self) -> tuple[str, str | None, str, str]:
        return self.nom, self.organisation, self.courriel, self.categorie


def _rows(path: Path) -> list[list[str]]:
    if path.stat().st_size > MAX_BYTES:
        raise ListeError(
            f"{path.name} : liste trop grande (plus de 5 Mo) pour une liste d'invités."
        )
    if path.suffix.lower() == ".xlsx":
        return _xlsx_rows(path)
    if path.suffix.lower() != ".csv":
        raise ListeError(f"{path.name} : format non reconnu (attendu : .csv ou .xlsx).")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        # What Excel writes when it saves « CSV (séparateur : point-virgule) » on a French PC.
        text = raw.decode("cp1252", errors="strict")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    return [row for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]


def _xlsx_rows(path: Path) -> list[list[str]]:
    from python_calamine import CalamineWorkbook

    from jalon.ingest.errors import IngestError
    from jalon.ingest.inputs import check_sheet_size

    try:
        check_sheet_size(path, budget=(MAX_ROWS + 1) * 50)
        sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
        values = sheet.to_python(skip_empty_area=True)
    except IngestError as exc:
        raise ListeError(str(exc)) from None
    except Exception:
        raise ListeError(
            f"{path.name} : classeur illisible (attendu : un fichier .xlsx)."
        ) from None
    return [["" if v is None else str(v) for v in row] for row in values[: MAX_ROWS + 2]]


def _header(path: Path, header: list[str]) -> dict[str, int]:
    positions: dict[str, int] = {}
    keys = [normalise(h) for h in header]
    for field, names in _COLUMNS.items():
        for position, key in enumerate(keys):
            if key in names and field not in positions:
                positions[field] = position
    missing = [f for f in REQUIRED if f not in positions]
    if missing:
        expected = " ; ".join(f"« {f} » ({', '.join(_COLUMNS[f])})" for f in missing)
        raise ListeError(
            f"{path.name}, ligne 1 : colonne manquante : {expected}. La première ligne doit "
            "nommer les colonnes, par exemple : Nom;Organisation;Courriel;Catégorie."
        )
    return positions


def read_invitees(path: Path) -> list[Personne]:
    """The invitees of the list at `path`, or `ListeError` naming every faulty line."""
    try:
        rows = _rows(path)
    except OSError as exc:
        raise ListeError(f"{path} : fichier illisible ({exc.strerror}).") from None
    except UnicodeDecodeError:
        raise ListeError(f"{path.name} : encodage illisible (attendu : UTF-8).") from None
    if not rows:
        raise ListeError(f"{path.name} : fichier vide.")
    if len(rows) > MAX_ROWS + 1:
        raise ListeError(f"{path.name} : plus de {MAX_ROWS} invités, liste refusée.")
    positions = _header(path, rows[0])
    people: list[Personne] = []
    errors: list[str] = []
    seen: dict[str, int] = {}

    def cell(row: list[str], field: str) -> str:
        position = positions.get(field)
        return row[position].strip() if position is not None and position < len(row) else ""

    for line, row in enumerate(rows[1:], start=2):
        if not any(value.strip() for value in row):
            continue
        nom = " ".join(v for v in (cell(row, "prenom"), cell(row, "nom")) if v)
        courriel = cell(row, "courriel").lower()
        categorie = _CATEGORY_WORDS.get(normalise(cell(row, "categorie")))
        header = rows[0]
        if not nom:
            errors.append(f"ligne {line}, colonne « {header[positions['nom']]} » : nom manquant")
        if not _ADDRESS.match(courriel):
            errors.append(
                f"ligne {line}, colonne « {header[positions['courriel']]} » : adresse "
                "électronique manquante ou invalide (attendu : nom@domaine.fr)"
            )
        elif courriel in seen:
            errors.append(
                f"ligne {line}, colonne « {header[positions['courriel']]} » : même adresse "
                f"qu'à la ligne {seen[courriel]}"
            )
        else:
            seen[courriel] = line
        if categorie is None:
            errors.append(
                f"ligne {line}, colonne « {header[positions['categorie']]} » : catégorie "
                "inconnue (attendu : journaliste, élu ou partenaire)"
            )
        if len(errors) >= MAX_ERRORS:
            break
        if nom and categorie and _ADDRESS.match(courriel):
            people.append(Personne(nom, cell(row, "organisation") or None, courriel, categorie))
    if errors:
        shown = "\n".join(f"  - {e}" for e in errors[:MAX_ERRORS])
        more = " (les 20 premières)" if len(errors) >= MAX_ERRORS else ""
        raise ListeError(
            f"{path.name} : liste refusée, rien n'est ajouté. Erreurs{more} :\n{shown}"
        )
    if not people:
        raise ListeError(f"{path.name} : aucun invité (la liste n'a que sa ligne d'en-tête).")
    return people
