"""The sentence rules of the press texts and the bilan (`jalon.report.redaction`) on their edge
cases: rounding, gains and losses, targets, ranks and ties, and the event text's own claims."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jalon.report.redaction import (
    ChiffresCles,
    contradictions,
    environ,
    paragraphe,
    periode,
    rang,
    rounded,
)

NNBSP = "\u202f"


def _n(text: str) -> str:
    """Thousands separated as `jalon.formatting` writes them."""
    return re.sub(r"(?<=\d) (?=\d)", NNBSP, text)


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (90_000, "90 000"),
        (90_412, "plus de 90 000"),
        (91_640, "près de 92 000"),
        (91_499, "plus de 91 000"),
        (91_500, "près de 92 000"),
        (99_600, "près de 100 000"),
        (9_950, "près de 10 000"),
        (1_234, "plus de 1 200"),
        (999, "près de 1 000"),
        (150, "150"),
        (151, "plus de 150"),
        (99, "99"),
        (0, "0"),
    ],
)
def test_environ(value: int, words: str) -> None:
    assert environ(value) == _n(words)


@given(st.integers(min_value=0, max_value=10_000_000))
def test_environ_is_always_true(value: int) -> None:
    words = environ(value)
    stated = int(re.sub(r"\D", "", words))
    assert stated == rounded(value)
    if words.startswith("plus de"):
        assert value > stated
    elif words.startswith("près de"):
        assert value < stated
    else:
        assert value == stated


def test_ranks() -> None:
    assert [rang(1), rang(2), rang(10)] == ["1re", "2e", "10e"]
    assert rang(1, feminin=False) == "1er"
    with pytest.raises(ValueError, match="rang invalide"):
        rang(0)


def test_periode() -> None:
    assert periode(dt.date(2016, 1, 1), dt.date(2016, 12, 31)) == "En 2016"
    assert periode(dt.date(2017, 1, 1), dt.date(2017, 6, 30)) == "Au premier semestre 2017"
    assert periode(dt.date(2017, 3, 1), dt.date(2017, 6, 30)) == (
        "Du 1er mars 2017 au 30 juin 2017"
    )


def _chiffres(**changes: object) -> ChiffresCles:
    base = {
        "territoire": "Occitanie",
        "start": dt.date(2016, 1, 1),
        "end": dt.date(2016, 12, 31),
        "reference_start": dt.date(2015, 1, 1),
        "reference_end": dt.date(2015, 12, 31),
        "entrees": 91_640,
        "supplementaires": 30_210,
        "objectif": 90_000,
        "taux_realisation": 91_640 / 90_000,
        "places": 90_412,
        "rang": 1,
        "rang_cite_jusqu_a": 3,
    }
    return ChiffresCles(**{**base, **changes})  # type: ignore[arg-type]


SEMESTRE = {
    "start": dt.date(2017, 1, 1),
    "end": dt.date(2017, 6, 30),
    "reference_start": dt.date(2015, 1, 1),
    "reference_end": dt.date(2015, 6, 30),
}

#: (case, changes to the seed's figures, sentences expected in full, words that must not appear)
EDGE_CASES = [
    (
        "the seed invitation's figures",
        {},
        [
            "En 2016, ce plan s'est traduit par le lancement de plus de 90 000 places de "
            "formation.",
            "Avec près de 92 000 entrées en formation enregistrées, soit plus de 30 000 "
            "supplémentaires par rapport à 2015, l'objectif de 90 000 entrées est atteint.",
            "La région Occitanie est la 1re région de France en termes de demandeurs d'emploi "
            "supplémentaires formés.",
        ],
        ["de plus qu'en"],
    ),
    (
        "exact round numbers",
        {"entrees": 92_000, "supplementaires": 30_000, "places": 90_000},
        [
            "En 2016, ce plan s'est traduit par le lancement de 90 000 places de formation.",
            "Avec 92 000 entrées en formation enregistrées, soit 30 000 supplémentaires par "
            "rapport à 2015, l'objectif de 90 000 entrées est atteint.",
        ],
        ["plus de 9", "près de"],
    ),
    (
        "entries that would read like the target (the demo's 1 840 for 1 800)",
        {"entrees": 1_840, "supplementaires": 640, "objectif": 1_800, "taux_realisation": 1.022},
        [
            "Avec 1 840 entrées en formation enregistrées, soit 640 de plus qu'en 2015, "
            "l'objectif de 1 800 entrées est atteint."
        ],
        ["plus de 1 800", "plus de 640"],
    ),
    (
        "target just reached, entries equal to it",
        {"entrees": 1_800, "supplementaires": 600, "objectif": 1_800, "taux_realisation": 1.0},
        [
            "Avec 1 800 entrées en formation enregistrées, soit 600 de plus qu'en 2015, "
            "l'objectif est atteint."
        ],
        ["objectif de"],
    ),
    (
        "target missed by one entry",
        {
            "entrees": 1_799,
            "supplementaires": 599,
            "objectif": 1_800,
            "taux_realisation": 1_799 / 1_800,
        },
        [
            "Avec 1 799 entrées en formation enregistrées, soit 599 de plus qu'en 2015, "
            "l'objectif de 1 800 entrées est réalisé à 99 %."
        ],
        ["100 %", "atteint"],
    ),
    (
        "target missed",
        {"entrees": 84_600, "supplementaires": 23_200, "taux_realisation": 0.94},
        [
            "Avec près de 85 000 entrées en formation enregistrées, soit plus de 23 000 "
            "supplémentaires par rapport à 2015, l'objectif de 90 000 entrées est réalisé à 94 %."
        ],
        ["atteint"],
    ),
    ("small gain", {"supplementaires": 3}, ["soit 3 de plus qu'en 2015,"], ["supplémentaires par"]),
    ("zero gain", {"supplementaires": 0}, ["soit autant qu'en 2015,"], ["région de France"]),
    (
        "small loss",
        {"supplementaires": -12},
        ["soit 12 de moins qu'en 2015,"],
        ["région de France"],
    ),
    (
        "large loss",
        {"supplementaires": -2_350},
        ["soit près de 2 400 de moins qu'en 2015,"],
        ["région de France", "plus de 2"],
    ),
    (
        "gain just under a round number",
        {"supplementaires": 29_800},
        ["soit près de 30 000 supplémentaires par rapport à 2015,"],
        [],
    ),
    (
        "a gain that would repeat the target is left out",
        {"entrees": 2_400, "supplementaires": 1_800, "objectif": 1_800, "taux_realisation": 1.33},
        ["Avec 2 400 entrées en formation enregistrées, l'objectif de 1 800 entrées est atteint."],
        ["soit"],
    ),
    (
        "rank 1 shared",
        {"ex_aequo": ("Bretagne",)},
        [
            "La région Occitanie est la 1re région de France, ex aequo avec la région Bretagne, "
            "en termes de demandeurs d'emploi supplémentaires formés."
        ],
        [],
    ),
    (
        "rank 3 shared by three",
        {"rang": 3, "ex_aequo": ("Bretagne", "Normandie")},
        ["est la 3e région de France, ex aequo avec les régions Bretagne et Normandie, en"],
        [],
    ),
    ("rank 4: not notable", {"rang": 4}, [], ["région de France", "4e"]),
    ("rank 15: not notable", {"rang": 15}, [], ["région de France", "15e"]),
    ("a plan that cites no rank", {"rang_cite_jusqu_a": 0}, [], ["région de France"]),
    (
        "first half of 2017 on the first half of 2015",
        {**SEMESTRE, "supplementaires": 300},
        ["Au premier semestre 2017, ce plan", "soit 300 de plus qu'au premier semestre 2015,"],
        [],
    ),
    (
        "a target of additional entries",
        {"objectif": 30_000, "objectif_supplementaires": True, "taux_realisation": 30_210 / 30_000},
        ["l'objectif de 30 000 entrées supplémentaires est atteint."],
        [],
    ),
]


@pytest.mark.parametrize(
    ("changes", "expected", "absent"),
    [case[1:] for case in EDGE_CASES],
    ids=[case[0] for case in EDGE_CASES],
)
def test_sentence_rules_on_their_edge_cases(
    changes: dict[str, object], expected: list[str], absent: list[str]
) -> None:
    text = " ".join(paragraphe(_chiffres(**changes)))
    for sentence in expected:
        assert _n(sentence).replace(" %", NNBSP + "%") in text
    for words in absent:
        assert _n(words).replace(" %", NNBSP + "%") not in text


_COUNT = re.compile(r"(?<![\d\u202f])\d{1,3}(?:\u202f\d{3})*(?![\d\u202f]|\u202f%)")


@given(
    entrees=st.integers(0, 200_000),
    reference=st.integers(0, 200_000),
    objectif=st.integers(100, 200_000),
    places=st.none() | st.integers(0, 200_000),
    position=st.none() | st.integers(1, 18),
    limit=st.integers(0, 18),
)
def test_no_number_twice_in_a_sentence_and_no_false_claim(
    entrees: int,
    reference: int,
    objectif: int,
    places: int | None,
    position: int | None,
    limit: int,
) -> None:
    gain = entrees - reference
    rate = entrees / objectif
    figures = _chiffres(
        entrees=entrees,
        supplementaires=gain,
        objectif=objectif,
        taux_realisation=rate,
        places=places,
        rang=position,
        rang_cite_jusqu_a=limit,
    )
    sentences = paragraphe(figures)
    for sentence in sentences:
        counts = _COUNT.findall(sentence)
        assert len(counts) == len(set(counts)), sentence
        assert re.search(r"plus de [\d\u202f]+ de plus", sentence) is None, sentence
        if "réalisé à" in sentence:
            assert rate < 1 and f"100{NNBSP}%" not in sentence
        if "est atteint" in sentence:
            assert rate >= 1
    ranked = any("région de France" in s for s in sentences)
    assert ranked == (position is not None and position <= limit and gain > 0)


CONTRADICTIONS = [
    ("la 1re région de France", {}, 0),
    ("la 1re région de France", {"rang": 2}, 1),
    ("la première région de France", {"rang": 3}, 1),
    ("l'objectif fixé par les partenaires est atteint", {"taux_realisation": 0.94}, 1),
    ("l'objectif fixé par les partenaires est atteint", {}, 0),
    ("l'objectif n'est pas encore atteint", {}, 1),
    ("avec près de 92 000 entrées enregistrées", {}, 0),
    ("avec près de 92 000 entrées enregistrées", {"entrees": 84_600}, 1),
    ("avec près de 92 000 entrées enregistrées", {"entrees": None}, 0),
    ("plus de 90 000 places de formation", {}, 0),
    ("plus de 90 000 places de formation", {"places": 89_000}, 1),
    ("30 000 entrées supplémentaires", {}, 0),
    ("30 000 entrées supplémentaires", {"supplementaires": 25_000}, 1),
    ("le prolonger à hauteur de 165 000 formations", {}, 0),
]


@pytest.mark.parametrize(("text", "changes", "count"), CONTRADICTIONS)
def test_event_claims_against_the_data(text: str, changes: dict[str, object], count: int) -> None:
    found = contradictions({"suite": [_n(text)]}, _chiffres(**changes))
    assert len(found) == count, found
    assert all(c.cle == "suite" for c in found)


def test_paragraph_without_places_launched() -> None:
    assert not any("places" in s for s in paragraphe(_chiffres(places=0)))


def test_estimated_target_is_never_stated_as_a_fact() -> None:
    text = " ".join(paragraphe(_chiffres(objectif_estime=True)))
    assert "l'objectif estimé de" in text and "est atteint." in text
    below = " ".join(paragraphe(_chiffres(objectif_estime=True, taux_realisation=0.8)))
    assert "l'objectif estimé de" in below and f"est réalisé à 80{NNBSP}%." in below


def test_rank_sentence_names_the_plans_headline_criterion() -> None:
    text = " ".join(paragraphe(_chiffres(rang=2, rang_termes="réalisation de son objectif")))
    assert "est la 2e région de France en termes de réalisation de son objectif." in text
