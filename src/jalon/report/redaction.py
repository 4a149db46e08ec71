"""Wording rules for figures written in sentences (press note, invitation, bilan summary).

Pure functions over numbers, safe anywhere. The rule, documented in `docs/rapport.md`:

1. A count is rounded to a *step* that depends on its size: below 100 it is written exactly; from
   100 to 999 to the ten; from 1 000 to 9 999 to the hundred; from 10 000 upwards to the thousand.
2. If the count equals its rounded value, it is written as is (`90 000 places`).
3. If it is above its rounded value, it is written `plus de` + the rounded value
   (90 412 → `plus de 90 000`): the sentence stays true.
4. If it is below, it is written `près de` + the rounded value (91 640 → `près de 92 000`): the
   figure is just under the round number, which stays true of "près de".
5. Ranks are feminine ordinals for "région": `1re`, `2e`, `3e`…
6. A target is "atteint" at a realisation rate of 100 % or more; below, the rate is given.

The same rule applies to the press note, the invitation and the bilan's opening sentences, so
that a figure is worded identically wherever it appears.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from jalon.formatting import date_longue, nombre, pourcentage


def step(value: int) -> int:
    """The rounding step of a count (rule 1)."""
    size = abs(value)
    if size < 100:
        return 1
    if size < 1_000:
        return 10
    if size < 10_000:
        return 100
    return 1_000


def rounded(value: int) -> int:
    """`value` rounded to the nearest multiple of its step, halves away from zero."""
    unit = step(value)
    sign = -1 if value < 0 else 1
    return sign * unit * math.floor(abs(value) / unit + 0.5)


def environ(value: int) -> str:
    """A count in words: `90 000`, `plus de 90 000`, `près de 92 000` (rules 2 to 4)."""
    target = rounded(value)
    if target == value:
        return nombre(value)
    if abs(value) > abs(target):
        return f"plus de {nombre(target)}"
    return f"près de {nombre(target)}"


def rang(position: int, *, feminin: bool = True) -> str:
    """An ordinal as French writes it: `1re` (or `1er`), `2e`, `10e` (rule 5)."""
    if position < 1:
        raise ValueError(f"rang invalide : {position}")
    if position == 1:
        return "1re" if feminin else "1er"
    return f"{position}e"


def periode(start: dt.date, end: dt.date) -> str:
    """How a sentence opens on a window: `En 2016`, `Au premier semestre 2017`, or its dates."""
    if start.year == end.year and (start.month, start.day) == (1, 1):
        if (end.month, end.day) == (12, 31):
            return f"En {start.year}"
        if (end.month, end.day) == (6, 30):
            return f"Au premier semestre {start.year}"
    return f"Du {date_longue(start)} au {date_longue(end)}"


def _comparee(start: dt.date, end: dt.date) -> str:
    if start.year == end.year and (start.month, start.day, end.month, end.day) == (1, 1, 12, 31):
        return f"qu'en {start.year}"
    return "que sur la période de référence"


@dataclass(frozen=True)
class ChiffresCles:
    """The figures the key paragraph speaks of (None: not known, the sentence is left out)."""

    territoire: str
    start: dt.date
    end: dt.date
    reference_start: dt.date
    reference_end: dt.date
    entrees: int | None
    supplementaires: int | None
    objectif: int | None
    taux_realisation: float | None
    places: int | None
    rang: int | None


def paragraphe(c: ChiffresCles) -> list[str]:
    """The key-figure sentences, in the seed invitation's words, each only if its data exist.

    Rule 6: the target is "atteint" when the realisation rate is 100 % or more; otherwise the
    rate is given (`l'objectif … est réalisé à 94 %`).
    """
    sentences = []
    opening = periode(c.start, c.end)
    if c.places:
        sentences.append(
            f"{opening}, ce plan s'est traduit par le lancement de {environ(c.places)} places "
            "de formation."
        )
    if c.entrees is not None:
        sentence = f"Avec {environ(c.entrees)} entrées en formation enregistrées"
        if c.supplementaires is not None and c.supplementaires > 0:
            sentence += (
                f", soit {environ(c.supplementaires)} de plus "
                f"{_comparee(c.reference_start, c.reference_end)}"
            )
        if c.taux_realisation is not None and c.objectif is not None:
            if c.taux_realisation >= 1:
                sentence += f", l'objectif de {nombre(c.objectif)} entrées est atteint."
            else:
                sentence += (
                    f", l'objectif de {nombre(c.objectif)} entrées est réalisé à "
                    f"{pourcentage(c.taux_realisation)}."
                )
        else:
            sentence += "."
        sentences.append(sentence)
    if c.rang is not None:
        sentences.append(
            f"La région {c.territoire} est la {rang(c.rang)} région de France en termes de "
            "demandeurs d'emploi supplémentaires formés."
        )
    return sentences


def etat_phase(mention: str, etat: str, en_cours: bool) -> str | None:
    """The sentence that says a phase is not finished at the date d'arrêt des données (None
    for a finished one): « Données arrêtées au 31 mars 2017 : phase en cours, 3 mois sur 6,
    comparés aux mêmes mois de la période de référence. »"""
    if not en_cours:
        return None
    return (
        f"{mention} : {etat.replace(' : ', ', ')}, comparés aux mêmes mois de la période de "
        "référence."
    )
