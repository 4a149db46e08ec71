"""Training domains: the NSF (nomenclature des spécialités de formation, décret n° 94-522 du
21 juin 1994, reproduced in article D311-4 of the Code de l'éducation).

Three levels: 4 grands domaines (1 digit), 17 domaines (2 digits) and 93 groupes de spécialités
(3 digits). LHÉO offers carry NSF codes (`code-NSF`), possibly followed by a function letter
(`312t`), which is ignored here.

Formacode® domains are not packaged: no authoritative and complete list of the Formacode
"champs sémantiques" was available when these files were built (see `data/SOURCES.md`).
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
