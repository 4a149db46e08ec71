"""Training domains: the NSF and the Formacode® champs, from packaged tables.

NSF (nomenclature des spécialités de formation, décret n° 94-522 du 21 juin 1994, reproduced in
article D311-4 of the Code de l'éducation): 4 grands domaines (1 digit), 17 domaines (2 digits)
and 93 groupes de spécialités (3 digits). LHÉO offers carry NSF codes (`code-NSF`), possibly
followed by a function letter (`312t`), which is ignored here.

Formacode®: the 65 champs sémantiques (the first 3 digits of a Formacode, e.g. 150
"développement personnel et professionnel"), as the LHÉO project's data source names them
(`data/SOURCES.md`). The bilan groups entries by the first 2 digits of the Formacode
(`formacode_domaine`): such a domain has no name of its own in the Formacode, so its label lists
the champs it gathers ("15" → "Développement personnel et professionnel, langues, activité
physique et sportive").
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from jalon.reference._files import read_rows


@dataclass(frozen=True, slots=True)
class GroupeNsf:
    """An NSF groupe de spécialités (3 digits) with its domaine and grand domaine."""

    code: str
    libelle: str
    domaine: str
    domaine_libelle: str
    grand_domaine: str
    grand_domaine_libelle: str


@cache
def _groupes() -> dict[str, GroupeNsf]:
    return {
        row["code"]: GroupeNsf(
            code=row["code"],
            libelle=row["libelle"],
            domaine=row["domaine"],
            domaine_libelle=row["domaine_libelle"],
            grand_domaine=row["grand_domaine"],
            grand_domaine_libelle=row["grand_domaine_libelle"],
        )
        for row in read_rows("nsf_domaines")
    }


def nsf_groupes() -> list[GroupeNsf]:
    """The 93 NSF groupes de spécialités, by code."""
    return list(_groupes().values())


def nsf_groupe(code: str | int) -> GroupeNsf | None:
    """The NSF groupe of a code such as `"312"`, `"312t"` or `"312 t"`; None if unknown."""
    text = str(code).strip()[:3]
    return _groupes().get(text)


def nsf_domaine(code: str | int) -> str | None:
    """Label of the NSF domaine (17 postes) of an NSF code (`"312t"` → "Echanges et gestion")."""
    groupe = nsf_groupe(code)
    return None if groupe is None else groupe.domaine_libelle


def nsf_domaines() -> dict[str, str]:
    """The 17 NSF domaines: 2-digit code → label, by code."""
    return {g.domaine: g.domaine_libelle for g in _groupes().values()}


@dataclass(frozen=True, slots=True)
class ChampFormacode:
    """A Formacode champ sémantique (3 digits) and the 2-digit domain it belongs to."""

    code: str
    libelle: str
    domaine: str


@cache
def _champs() -> dict[str, ChampFormacode]:
    return {
        row["champ"]: ChampFormacode(row["champ"], row["libelle"], row["domaine"])
        for row in read_rows("formacode_champs")
    }


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def formacode_champs() -> list[ChampFormacode]:
    """The 65 Formacode champs sémantiques, by code."""
    return list(_champs().values())


def formacode_champ(code: str | int) -> ChampFormacode | None:
    """The champ of a Formacode (`"15041"` or `"150"` → 150); None if unknown."""
    return _champs().get(str(code).strip()[:3])


def formacode_domaine(code: str | int) -> str | None:
    """Label of the 2-digit domain of a Formacode (`"15"`, `"15041"`): the champs it gathers,
    in code order; None if no champ starts with these digits."""
    prefix = str(code).strip()[:2]
    labels = [c.libelle for c in _champs().values() if c.domaine == prefix]
    return _capitalised(", ".join(labels)) if len(prefix) == 2 and labels else None
