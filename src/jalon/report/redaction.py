"""Wording rules for figures written in sentences (press note, invitation, bilan summary).

Pure functions over numbers, safe anywhere. The rules, documented in `docs/rapport.md`
(« Règles de rédaction des chiffres »):

1. A count is rounded to a *step* that depends on its size: below 100 it is written exactly; from
   100 to 999 to the ten; from 1 000 to 9 999 to the hundred; from 10 000 upwards to the thousand.
2. If the count equals its rounded value, it is written as is (`90 000 places`).
3. If it is above its rounded value, it is written `plus de` + the rounded value
   (90 412 → `plus de 90 000`): the sentence stays true.
4. If it is below, it is written `près de` + the rounded value (91 640 → `près de 92 000`).
5. Each figure is worded once (`formulations`) and the same words are used by every sentence
   and every document; a target is written exactly, as declared. No sentence prints the same
   number twice: a count whose rounded value would repeat another figure of its sentence is
   written exactly, and a target that would repeat the entries is left unnumbered
   (`l'objectif est atteint`).
6. A gain on the reference period: `soit autant qu'en 2015` (zero), exact below 1 000
   (`soit 640 de plus qu'en 2015`, `soit 12 de moins qu'en 2015`), rule 1–4 from 1 000
   (`soit plus de 30 000 supplémentaires par rapport à 2015`, `soit près de 2 000 de moins
   qu'en 2015`): never `plus de … de plus`.
7. A target is "atteint" at a realisation rate of 100 % or more; below, the rate is given
   truncated to the percent, so that a missed target never reads « réalisé à 100 % ».
8. A rank (feminine ordinal, `1re`, `2e`…) is stated only when the plan's text rules call it
   notable (`[communication] rang_cite_jusqu_a`) and the gain it ranks is positive; regions that
   share it are named (`ex aequo avec la région Bretagne`).
9. `contradictions` lists the claims of an event's own text (rank, target reached, counts of
   entries or places) that the data contradict, so that no document says both.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass

from jalon.formatting import date_longue, nombre, pourcentage

GAIN_EXACT_BELOW = 1_000


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
    """An ordinal as French writes it: `1re` (or `1er`), `2e`, `10e`."""
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


def _reference(start: dt.date, end: dt.date) -> tuple[str, str]:
    """The reference window after « que » and after « par rapport »."""
    if start.year == end.year and (start.month, start.day) == (1, 1):
        if (end.month, end.day) == (12, 31):
            return f"qu'en {start.year}", f"par rapport à {start.year}"
        if (end.month, end.day) == (6, 30):
            semestre = f"premier semestre {start.year}"
            return f"qu'au {semestre}", f"par rapport au {semestre}"
    return "que sur la période de référence", "par rapport à la période de référence"


def _gain_words(size: int, exact: bool) -> str:
    return nombre(size) if size < GAIN_EXACT_BELOW or exact else environ(size)


def ecart_reference(gain: int, start: dt.date, end: dt.date, *, exact: bool = False) -> str:
    """The gain on the reference window, after « soit » (rule 6); `exact`: no rounding."""
    que, par_rapport = _reference(start, end)
    size = abs(gain)
    if gain == 0:
        return f"autant {que}"
    words = _gain_words(size, exact)
    if gain < 0:
        return f"{words} de moins {que}"
    if size < GAIN_EXACT_BELOW:
        return f"{words} de plus {que}"
    return f"{words} supplémentaires {par_rapport}"


def taux(ratio: float) -> str:
    """A realisation rate below 100 %, truncated to the percent (rule 7)."""
    return pourcentage(math.floor(round(ratio * 100, 6)) / 100)


@dataclass(frozen=True)
class ChiffresCles:
    """The figures the key paragraph speaks of (None: not known, the sentence is left out).

    `ex_aequo` names the other regions that share `rang`; `rang_cite_jusqu_a` is the plan's rule
    (0: a rank is never stated); `objectif_supplementaires`: the target counts additional
    entries (the plan's realisation rule `supplementaires`)."""

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
    # The plan's headline ranking criterion, as the rank sentence names it.
    rang_termes: str = "demandeurs d'emploi supplémentaires formés"
    objectif_estime: bool = False
    ex_aequo: tuple[str, ...] = ()
    rang_cite_jusqu_a: int = 0
    objectif_supplementaires: bool = False

    @property
    def atteint(self) -> bool | None:
        return None if self.taux_realisation is None else self.taux_realisation >= 1

    @property
    def rang_notable(self) -> bool:
        return (
            self.rang is not None
            and self.rang <= self.rang_cite_jusqu_a
            and self.supplementaires is not None
            and self.supplementaires > 0
        )


@dataclass(frozen=True)
class Formulations:
    """Each figure's words, chosen once (rule 5); None: the figure is not written."""

    places: str | None
    entrees: str | None
    ecart: str | None
    objectif: str | None


def chiffre(words: str) -> str:
    """The number a figure's words print (`près de 92 000` → `92 000`)."""
    return words.removeprefix("plus de ").removeprefix("près de ")


def formulations(c: ChiffresCles) -> Formulations:
    """The words of every figure of the key paragraph (rules 2 to 6).

    Collisions (rule 5) compare the numbers as printed: the target first (exact, as declared),
    then the entries, then the gain."""
    places = environ(c.places) if c.places else None
    objectif = (
        nombre(c.objectif) if c.objectif is not None and c.taux_realisation is not None else None
    )
    printed = {objectif} if objectif else set()
    entrees = None
    if c.entrees is not None:
        entrees = environ(c.entrees)
        if chiffre(entrees) in printed:
            entrees = nombre(c.entrees)
        if entrees in printed:
            objectif = None
        printed = {chiffre(entrees)} | ({objectif} if objectif else set())
    ecart = None
    if c.entrees is not None and c.supplementaires is not None:
        gain = (c.supplementaires, c.reference_start, c.reference_end)
        size = abs(c.supplementaires)
        if size == 0 or chiffre(_gain_words(size, False)) not in printed:
            ecart = ecart_reference(*gain)
        elif nombre(size) not in printed:
            ecart = ecart_reference(*gain, exact=True)
    return Formulations(places, entrees, ecart, objectif)


def _rang_phrase(c: ChiffresCles) -> str:
    assert c.rang is not None
    tied = ""
    if c.ex_aequo:
        names = list(c.ex_aequo)
        listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " et " + names[-1]
        region = "la région" if len(names) == 1 else "les régions"
        tied = f", ex aequo avec {region} {listed},"
    return (
        f"La région {c.territoire} est la {rang(c.rang)} région de France{tied} en termes de "
        f"{c.rang_termes}."
    )


def paragraphe(c: ChiffresCles) -> list[str]:
    """The key-figure sentences, in the seed invitation's words, each only if its data exist."""
    words = formulations(c)
    sentences = []
    if words.places:
        sentences.append(
            f"{periode(c.start, c.end)}, ce plan s'est traduit par le lancement de "
            f"{words.places} places de formation."
        )
    if words.entrees is not None:
        sentence = f"Avec {words.entrees} entrées en formation enregistrées"
        if words.ecart:
            sentence += f", soit {words.ecart}"
        unit = "entrées supplémentaires" if c.objectif_supplementaires else "entrées"
        target = f" de {words.objectif} {unit}" if words.objectif else ""
        # An estimated target is never stated as a fact.
        goal = "l'objectif estimé" if c.objectif_estime else "l'objectif"
        if c.atteint is True:
            sentence += f", {goal}{target} est atteint."
        elif c.atteint is False and c.taux_realisation is not None:
            sentence += f", {goal}{target} est réalisé à {taux(c.taux_realisation)}."
        else:
            sentence += "."
        sentences.append(sentence)
    if c.rang_notable:
        sentences.append(_rang_phrase(c))
    return sentences


@dataclass(frozen=True)
class Contradiction:
    """A claim of an event's own text that the data contradict (rule 9)."""

    cle: str
    extrait: str
    raison: str


_RANG_ECRIT = re.compile(
    r"\b(?:(?P<n>\d+)\s*(?:re|ère|er|e|ème)|(?P<premiere>premi[eè]re?))\s+région", re.I
)
_OBJECTIF = re.compile(r"[^.;]*\bobjectif[^.;]*\b(?:atteint|dépassé)e?s?\b[^.;]*", re.I)
_NEGATION = re.compile(r"\b(?:n['’]|pas\b|non\b|jamais\b)", re.I)
_COMPTE = re.compile(
    r"(?:\b(?P<qualite>plus de|près de|environ|quelque|moins de)\s+)?"
    r"(?<!\d)(?<!\d[ \u202f\u00a0])(?P<n>\d{1,3}(?:[ \u202f\u00a0]\d{3})+|\d+)\s+"
    r"(?P<quoi>entrées supplémentaires|entrées|places)\b",
    re.I,
)


def _compte_contredit(qualite: str | None, stated: int, value: int) -> bool:
    match (qualite or "").lower():
        case "plus de":
            return value <= stated
        case "moins de":
            return value >= stated
        case "près de" | "environ" | "quelque":
            return abs(value - stated) > step(stated)
        case _:
            return value != stated and rounded(value) != stated


def contradictions(textes: dict[str, list[str]], c: ChiffresCles) -> list[Contradiction]:
    """The claims of the event's paragraphs (by key) that the data contradict: a rank other than
    the region's, a target said reached (or not) against the rate, a count of entries, additional
    entries or places that the figure makes false. A figure the data do not give (unknown or
    hidden by secrecy) contradicts nothing."""
    found = []
    for key, paragraphs in textes.items():
        for index, text in enumerate(paragraphs):
            where = key if len(paragraphs) == 1 else f"{key}[{index}]"
            for m in _RANG_ECRIT.finditer(text):
                stated = 1 if m["premiere"] else int(m["n"])
                if c.rang is None:
                    # A rank the published figures cannot show (unknown, or hidden by the
                    # secrecy pattern) is not stated in a public text either.
                    why = "le rang de la région n'est pas publiable (inconnu ou secret statistique)"
                    found.append(Contradiction(where, m[0], why))
                elif stated != c.rang:
                    why = f"la région est {rang(c.rang)} (rang par {c.rang_termes})"
                    found.append(Contradiction(where, m[0], why))
            for m in _OBJECTIF.finditer(text):
                said = _NEGATION.search(m[0]) is None
                if c.atteint is not None and said != c.atteint:
                    rate = pourcentage(c.taux_realisation)
                    why = f"le taux de réalisation est de {rate}"
                    found.append(Contradiction(where, m[0].strip(), why))
            for m in _COMPTE.finditer(text):
                quoi = m["quoi"].lower()
                value = {
                    "entrées": c.entrees,
                    "entrées supplémentaires": c.supplementaires,
                    "places": c.places,
                }[quoi]
                stated = int(re.sub(r"\D", "", m["n"]))
                if value is not None and _compte_contredit(m["qualite"], stated, value):
                    why = f"les données donnent {nombre(value)} {quoi}"
                    found.append(Contradiction(where, m[0], why))
    return found


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
