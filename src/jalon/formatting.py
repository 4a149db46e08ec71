"""French formatting of figures and dates for everything users read (Babel, locale fr_FR).

Numbers use a narrow no-break space as thousands separator (`92 000`), percentages a no-break
space before `%` (`94 %`), dates are written out (`23 janvier 2017`).
"""

from __future__ import annotations

import datetime as dt
import re

from babel.dates import format_date
from babel.numbers import format_decimal, format_percent

LOCALE = "fr_FR"
MISSING = "–"
NARROW_NBSP = "\u202f"
_THOUSANDS = re.compile(r"(?<=\d) (?=\d{3}(?!\d))")


def nombre(value: float | int | None, decimals: int = 0) -> str:
    if value is None:
        return MISSING
    if decimals == 0:
        return format_decimal(round(value), locale=LOCALE)
    pattern = "#,##0." + "0" * decimals
    return format_decimal(value, format=pattern, locale=LOCALE)


def accord(count: float | int | None, singular: str, plural: str | None = None) -> str:
    """The word for `count` things, agreed in French: 0 and 1 (and below 2) take the singular."""
    return singular if count is None or abs(count) < 2 else (plural or singular + "s")


def effectif(count: int | None, singular: str, plural: str | None = None) -> str:
    """A count and its agreed word: `1 doublon`, `0 rejet`, `1 453 personnes`."""
    return f"{nombre(count)} {accord(count, singular, plural)}"


def pourcentage(ratio: float | None, decimals: int = 0) -> str:
    """`ratio` is a fraction (0.94 → `94 %`)."""
    if ratio is None:
        return MISSING
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "") + "\u202f%"
    return format_percent(ratio, format=pattern, locale=LOCALE)


def ecart(value: int | None) -> str:
    """A signed difference: `+32 000`, `−1 200`."""
    if value is None:
        return MISSING
    sign = "+" if value > 0 else ("−" if value < 0 else "")
    return sign + nombre(abs(value))


def glissement(ratio: float | None) -> str:
    """A signed change as a percentage (« glissement annuel »): `+12,5 %`, `−3,0 %`."""
    if ratio is None:
        return MISSING
    sign = "+" if ratio > 0 else ("−" if ratio < 0 else "")
    return sign + pourcentage(abs(ratio), 1)


def date_longue(day: dt.date) -> str:
    text = format_date(day, format="d MMMM y", locale=LOCALE)
    return text.replace("1 ", "1er ", 1) if day.day == 1 else text


def valeur(value: float | int | None, unit: str) -> str:
    """A figure in the unit the indicator registry declares for it (`taux` → `15,4 %`)."""
    if value is None:
        return MISSING
    if unit == "taux":
        return pourcentage(value, 1)
    if unit == "heures":
        return f"{nombre(value)}\u00a0h"
    if unit == "pour 1 000":
        return nombre(value, 1)
    return nombre(value)


def insecable(text: str) -> str:
    """A text written by hand (« 90 000 formations », « pour 1 000 DE ») with the narrow no-break
    space of `nombre` between the digit groups, so that no line wrap splits the number."""
    return _THOUSANDS.sub(NARROW_NBSP, text)
