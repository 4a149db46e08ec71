"""Checks of values against reference lists, run on the distinct values of a column.

Pure Python over `jalon.reference` (packaged INSEE geography): known département, commune and
region codes, postcodes that designate a département, and the Luhn check digit of a SIRET (La
Poste's SIRETs, whose SIREN is 356000000, use a digit sum divisible by 5 instead).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cache

from jalon.reference import departement_of_code_postal, departements, est_commune, regions

_LA_POSTE_SIREN = "356000000"


def luhn_ok(digits: str) -> bool:
    if len(digits) != 14 or not digits.isdigit():
        return False
    if digits.startswith(_LA_POSTE_SIREN) and digits != "35600000000048":
        return sum(int(d) for d in digits) % 5 == 0
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


@cache
def _departement_codes() -> frozenset[str]:
    return frozenset(d.code for d in departements())


@cache
def _region_codes() -> frozenset[str]:
    return frozenset(r.code for r in regions())


def _siret(value: str) -> bool:
    # A value that is not 14 digits already fails the column's pattern check.
    return not (len(value) == 14 and value.isdigit()) or luhn_ok(value)


def _code_postal(value: str) -> bool:
    try:
        departement_of_code_postal(value)
    except (KeyError, ValueError):
        return False
    return True


CHECKS: dict[str, Callable[[str], bool]] = {
    "code_postal": _code_postal,
    "departement": lambda v: v in _departement_codes(),
    "region": lambda v: v in _region_codes(),
    "commune": est_commune,
    "siret": _siret,
}


def bad_values(kind: str, values: Iterable[str]) -> list[str]:
    """The values that fail the reference check `kind`."""
    ok = CHECKS[kind]
    return [v for v in values if not ok(str(v))]
