"""Ranking of regions: ties share the best rank, regions without data are shown, not ranked."""

from __future__ import annotations

from jalon.indicators import Bilan, Figure, compute_classement
from jalon.indicators.classement import SHOWN, classement_of, competition_ranks


def test_competition_ranks_share_ties_and_skip_missing() -> None:
    ranks = competition_ranks({"a": 5, "b": 3, "c": 5, "d": None, "e": 1})
    assert ranks == {"a": 1, "c": 1, "b": 3, "e": 4, "d": None}


def test_ranking_on_the_hand_made_store(store, plan) -> None:
    result = compute_classement(store, plan, "2016")
    by_region = {r.region: r for r in result.regions}
    assert len(result.regions) == 18
    occitanie, bretagne = by_region["76"], by_region["53"]
    assert occitanie.values["entrees_supplementaires"] == 2  # 5 − 3
    assert bretagne.values["entrees_supplementaires"] == 1  # 1 − 0
    assert occitanie.ranks == {
        "entrees_supplementaires": 1,
        "taux_realisation": 1,  # 5 / 90 000 against 1 / 39 696
        "entrees_pour_1000_demandeurs": 1,  # 5.0 against 2.0
    }
    assert bretagne.ranks["entrees_supplementaires"] == 2
    # Île-de-France has a target but no entry: "sans données", not zero and not ranked
    idf = by_region["11"]
    assert not idf.has_data
    assert idf.values["entrees_supplementaires"] is None
    assert set(idf.ranks.values()) == {None}
    assert [r.region for r in result.ordered("entrees_supplementaires")][:2] == ["76", "53"]
    assert result.as_dict()["regions"][0]["rangs"] is not None


def _bilan(region: str, entries: int, reference: int) -> Bilan:
    values = {code: None for code in SHOWN}
    values.update(
        entrees=entries,
        entrees_reference=reference,
        entrees_supplementaires=entries - reference,
        taux_realisation=entries / 1000,
    )
    return Bilan("plan", "sha", "2016", region, [Figure(k, v) for k, v in values.items()])


def test_ties_share_a_rank(plan) -> None:
    bilans = {
        "76": _bilan("76", 300, 100),
        "53": _bilan("53", 250, 50),
        "11": _bilan("11", 150, 100),
    }
    result = classement_of(bilans, plan, "2016")
    ranks = {r.region: r.ranks["entrees_supplementaires"] for r in result.regions if r.has_data}
    assert ranks == {"76": 1, "53": 1, "11": 3}
    assert [r.region for r in result.ordered("entrees_supplementaires")][:3] == ["53", "76", "11"]


def test_headline_criterion_comes_from_the_plan(plan) -> None:
    # hand-computed: additional entries 200, 230, 50 (53 first); rates (entries / 1 000 in
    # `_bilan`) 0.3, 0.25, 0.15 (76 first)
    bilans = {
        "76": _bilan("76", 300, 100),
        "53": _bilan("53", 250, 20),
        "11": _bilan("11", 150, 100),
    }
    default = classement_of(bilans, plan, "2016")
    assert plan.ranking.headline == "entrees_supplementaires"
    assert default.headline == "entrees_supplementaires"
    assert default.secondary == ("taux_realisation", "entrees_pour_1000_demandeurs")
    assert [r.region for r in default.ordered()][:3] == ["53", "76", "11"]  # 230, 200, 50
    assert default.rank_of("76") == 2
    assert default.as_dict()["critere_principal"] == "entrees_supplementaires"
    by_rate = plan.model_copy(
        update={"ranking": plan.ranking.model_copy(update={"headline": "taux_realisation"})}
    )
    ranked = classement_of(bilans, by_rate, "2016")
    assert [r.region for r in ranked.ordered()][:3] == ["76", "53", "11"]  # 0.3, 0.25, 0.15
    assert ranked.rank_of("76") == 1
    assert ranked.secondary == ("entrees_supplementaires", "entrees_pour_1000_demandeurs")
