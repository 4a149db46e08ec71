"""French formats of figures and dates."""

import datetime as dt

from jalon.formatting import date_longue, ecart, nombre, pourcentage

NNBSP = "\u202f"


def test_numbers_use_a_narrow_no_break_space() -> None:
    assert nombre(92000) == f"92{NNBSP}000"
    assert nombre(1126000) == f"1{NNBSP}126{NNBSP}000"
    assert nombre(487.25, 1) == "487,2"
    assert nombre(None) == "–"


def test_percentages_and_differences() -> None:
    assert pourcentage(0.94) == f"94{NNBSP}%"
    assert pourcentage(0.1054, 1) == f"10,5{NNBSP}%"
    assert ecart(32000) == f"+32{NNBSP}000"
    assert ecart(-1200) == f"−1{NNBSP}200"


def test_dates_are_written_out() -> None:
    assert date_longue(dt.date(2017, 1, 23)) == "23 janvier 2017"
    assert date_longue(dt.date(2016, 4, 1)) == "1er avril 2016"


def test_values_follow_the_registry_unit() -> None:
    from jalon.formatting import valeur

    assert valeur(0.154, "taux") == f"15,4{NNBSP}%"
    assert valeur(487.2, "heures") == "487\u00a0h"
    assert valeur(173.24, "pour 1 000") == "173,2"
    assert valeur(92000, "entrées") == f"92{NNBSP}000"
    assert valeur(None, "taux") == "–"


def test_counts_agree_with_their_word() -> None:
    from jalon.formatting import accord, effectif

    assert [accord(n, "doublon") for n in (0, 1, 1.5, 2, None)] == [
        "doublon", "doublon", "doublon", "doublons", "doublon",
    ]  # fmt: skip
    assert effectif(1, "ligne lue", "lignes lues") == "1 ligne lue"
    assert effectif(1453, "personne") == "1\u202f453 personnes"
    assert effectif(2, "anomalie écrite", "anomalies écrites") == "2 anomalies écrites"
