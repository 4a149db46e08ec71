"""LHÉO dictionaries used by the funders' files: `dict-financeurs` and `dict-niveaux`.

Hand-kept copies of the LHÉO 2.2 tables (the version in force in 2016); sources and dates are in
`data/SOURCES.md`. Codes are integers, labels the official LHÉO ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from jalon.reference._files import parse_bool, read_rows


@dataclass(frozen=True, slots=True)
class Financeur:
    """An entry of LHÉO `dict-financeurs`."""

    code: int
    libelle: str  # official LHÉO label
    libelle_court: str  # short label for tables and charts
    actif: bool  # False for codes kept only to read older files (1, 6 Acsé, 8 conseil général)


@dataclass(frozen=True, slots=True)
class Niveau:
    """An entry of LHÉO `dict-niveaux`, with the matching level of the 1969 French scale."""

    code: int
    libelle: str  # official LHÉO label
    niveau_ancien: str | None  # "I" … "V", "V bis", "VI"; None for codes 0 and 1
    #: True for codes 1–4 (no specific level, VI, V bis, V): "niveau V ou infra".
    niveau_v_ou_infra: bool


@cache
def _financeurs() -> dict[int, Financeur]:
    return {
        int(row["code"]): Financeur(
            code=int(row["code"]),
            libelle=row["libelle"],
            libelle_court=row["libelle_court"],
            actif=parse_bool(row["actif"]),
        )
        for row in read_rows("financeurs")
    }


@cache
def _niveaux() -> dict[int, Niveau]:
    return {
        int(row["code"]): Niveau(
            code=int(row["code"]),
            libelle=row["libelle"],
            niveau_ancien=row["niveau_ancien"] or None,
            niveau_v_ou_infra=parse_bool(row["niveau_v_ou_infra"]),
        )
        for row in read_rows("niveaux")
    }


def financeurs(*, actifs_seulement: bool = False, court: bool = False) -> dict[int, str]:
    """LHÉO financeur codes → labels (official, or short with `court=True`), by code.

    Includes the obsolete codes (1, 6, 8) unless `actifs_seulement`.
    """
    return {
        code: (item.libelle_court if court else item.libelle)
        for code, item in _financeurs().items()
        if item.actif or not actifs_seulement
    }


def financeur(code: int | str) -> Financeur:
    """The LHÉO financeur of code `code`; `KeyError` if the code is not in `dict-financeurs`."""
    try:
        return _financeurs()[int(str(code).strip())]
    except (KeyError, ValueError):
        raise KeyError(f"code financeur LHÉO inconnu : {code!r}") from None


def niveaux() -> dict[int, Niveau]:
    """LHÉO `dict-niveaux`, by code (0 to 8)."""
    return dict(_niveaux())


def niveau(code: int | str) -> Niveau:
    """The LHÉO level of code `code`; `KeyError` if the code is not in `dict-niveaux`."""
    try:
        return _niveaux()[int(str(code).strip())]
    except (KeyError, ValueError):
        raise KeyError(f"code niveau LHÉO inconnu : {code!r}") from None


def codes_niveau_v_ou_infra() -> frozenset[int]:
    """LHÉO level codes at or below the old level V (1–4)."""
    return frozenset(code for code, item in _niveaux().items() if item.niveau_v_ou_infra)
