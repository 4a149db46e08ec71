"""Bilan arithmetic on a hand-made export whose every entry is known (tests/data/pe-stagiaires)."""

from __future__ import annotations

import pytest

from jalon.indicators import compute_bilan
from jalon.ingest import import_file
from jalon.sources import builtin_profiles
from tests.conftest import DATA

PE = builtin_profiles()["pe-stagiaires"]
FILES = DATA / "pe-stagiaires"


@pytest.fixture
def loaded(con, plan, key):
    import_file(con, FILES / "indicateurs-2016.csv", PE, plan, key)
    return con


def test_occitanie_2016_counts(loaded, plan) -> None:
    bilan = compute_bilan(loaded, plan, "2016", "76")
    # 2016 in plan: SE_1, SE_2 (two persons), SE_3, a session without Carif number on 31 Dec;
    # not SE_4 (financeur 5 only)
    assert bilan.value("entrees") == 5
    # 2015: SE_5 and SE_6 (starts 28 Dec 2015, ends in 2016: counted by its start date)
    assert bilan.value("entrees_reference") == 2
    assert bilan.value("entrees_supplementaires") == 3
    assert bilan.value("entrees_supplementaires_base_declaree") == 5 - 60000
    assert bilan.value("objectif_entrees") == 90000
    assert bilan.value("objectif_supplementaires") == 30000
    assert bilan.value("taux_realisation") == pytest.approx(5 / 90000)


def test_national_and_other_region(loaded, plan) -> None:
    assert compute_bilan(loaded, plan, "2016", "53").value("entrees") == 1
    national = compute_bilan(loaded, plan, "2016", None)
    assert national.value("entrees") == 6
    assert national.value("objectif_supplementaires") == 500077 + 33000


def test_same_session_from_two_sources_is_one_entry(loaded, plan, key) -> None:
    import_file(loaded, FILES / "indicateurs-2016-region.csv", PE, plan, key)
    assert compute_bilan(loaded, plan, "2016", "76").value("entrees") == 5
    merged = loaded.execute(
        "SELECT financeurs, imports FROM entrees WHERE cle_session = 'IC:SE_2' ORDER BY financeurs"
    ).fetchall()
    assert merged == [([2, 4], [1]), ([2, 4, 7], [1, 2])]


def test_supplementaires_rule_divides_additional_by_its_target(loaded, plan) -> None:
    rules = plan.rules.model_copy(update={"realisation": "supplementaires"})
    other = plan.model_copy(update={"rules": rules})
    bilan = compute_bilan(loaded, other, "2016", "76")
    assert bilan.value("taux_realisation") == pytest.approx(3 / 30000)


def test_unknown_phase_is_a_clear_error(loaded, plan) -> None:
    with pytest.raises(KeyError, match="phase inconnue « 2018 »"):
        compute_bilan(loaded, plan, "2018", "76")
