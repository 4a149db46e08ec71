"""French no-break spaces: where they go, where they must not, and idempotence."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jalon.report.typographie import NBSP, NNBSP, exposants, typographie


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Note : voir", f"Note{NNBSP}: voir"),
        ("Note: voir", f"Note{NNBSP}: voir"),
        ("Vraiment ?", f"Vraiment{NNBSP}?"),
        ("Bravo!", f"Bravo{NNBSP}!"),
        ("un ; deux", f"un{NNBSP}; deux"),
        ("94 %", f"94{NNBSP}%"),
        ("94%", f"94{NNBSP}%"),
        ("« 500 000 »", f"«{NNBSP}500{NNBSP}000{NNBSP}»"),
        ("«plan»", f"«{NNBSP}plan{NNBSP}»"),
        ("import n° 3", f"import n°{NBSP}3"),
        ("l'objectif d'entrées", "l’objectif d’entrées"),
        ("plan 500 000 formations", f"plan 500{NNBSP}000 formations"),
        ("1 126 000 actions", f"1{NNBSP}126{NNBSP}000 actions"),
        ("soit 12 000 en 2016 300 de plus", f"soit 12{NNBSP}000 en 2016 300 de plus"),
        (f"1{NNBSP}126 000", f"1{NNBSP}126{NNBSP}000"),
    ],
)
def test_adds_french_spaces(text: str, expected: str) -> None:
    assert typographie(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "https://exemple.test/page",
        "à 11:00 précises",
        "mailto:communication@exemple.test",
        "ratio 3:2",
        "codes 12 3456",
        "en 2016 200 places",
        "entre 2015 2016",
        "3,5 000",
        "'cité' 1'2",
        "",
    ],
)
def test_leaves_urls_times_and_ratios_alone(text: str) -> None:
    assert typographie(text) == text


@given(st.text(alphabet=st.sampled_from(list("ab1 :;!?%«»\u00a0\u202fn°/"))))
def test_idempotent(text: str) -> None:
    once = typographie(text)
    assert typographie(once) == once


def test_ordinals_in_superscript() -> None:
    assert exposants("la 1re région, le 1er mars, 2e, 10e") == (
        "la 1<sup>re</sup> région, le 1<sup>er</sup> mars, 2<sup>e</sup>, 10<sup>e</sup>"
    )
    assert exposants("version 1e3f, 2016 entrées") == "version 1e3f, 2016 entrées"
