"""Rounding words and ranks of the press texts: the documented rule on its edge cases."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jalon.report.redaction import ChiffresCles, environ, paragraphe, periode, rang, rounded

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
    }
    return ChiffresCles(**{**base, **changes})  # type: ignore[arg-type]


def test_paragraph_in_the_words_of_the_seed_invitation() -> None:
    text = " ".join(paragraphe(_chiffres()))
    assert _n("En 2016, ce plan s'est traduit par le lancement de plus de 90 000 places") in text
    assert _n("Avec près de 92 000 entrées en formation enregistrées") in text
    assert _n("soit plus de 30 000 de plus qu'en 2015") in text
    assert "l'objectif de" in text and "est atteint." in text
    assert "La région Occitanie est la 1re région de France" in text


def test_paragraph_below_target_gives_the_rate_and_drops_unknowns() -> None:
    sentences = paragraphe(
        _chiffres(
            entrees=84_600, taux_realisation=0.94, places=None, rang=None, supplementaires=-10
        )
    )
    text = " ".join(sentences)
    assert len(sentences) == 1
    assert "places" not in text and "région de France" not in text and "de plus" not in text
    assert f"est réalisé à 94{NNBSP}%." in text


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
