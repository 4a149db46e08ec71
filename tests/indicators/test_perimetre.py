"""Each convention's counting scope, on the hand-made store of tests/data/indicateurs.

Occitanie's 2016 entries there (computed by hand from pe-stagiaires-2016.csv): five counted by the
plan (financeurs 4, 2;4, 4;7, 2 and 4; the line funded by 5 alone is out), of which four have Pôle
emploi (4) among their financeurs; its reference entries of 2015: three counted, two with Pôle
emploi. Bretagne: one counted entry in 2016 (4), none in 2015.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from jalon.indicators import compute_bilan
from jalon.indicators.perimetre import declaration_checks, scope_note
from jalon.plan import PlanError, default_plan_path, load_plan

OCCITANIE_SOURCE = 'source = "Invitation presse du 23 janvier 2017 ; protocole du 25 avril 2016"\n'


def _plan_text(scope: str | None = "[4]", scale: str = "1.0", rule: str = "entrees") -> str:
    text = default_plan_path().read_text(encoding="utf-8")
    assert OCCITANIE_SOURCE in text
    if scope is not None:
        text = text.replace(OCCITANIE_SOURCE, OCCITANIE_SOURCE + f"counted_financeurs = {scope}\n")
    text = text.replace('realisation = "entrees"', f'realisation = "{rule}"', 1)
    return text.replace("\nscale = 1.0\n", f"\nscale = {scale}\n", 1)


def _plan(tmp_path: Path, **kwargs: str | None):
    path = tmp_path / "plan.toml"
    path.write_text(_plan_text(**kwargs), encoding="utf-8")
    return load_plan(path)


def test_rate_is_computed_on_the_conventions_scope(store, tmp_path: Path) -> None:
    plan = _plan(tmp_path)
    bilan = compute_bilan(store, plan, "2016", "76")
    # every counted entry is still shown; only the rate reads the convention's scope
    assert bilan.value("entrees") == 5
    assert bilan.value("taux_realisation") == pytest.approx(4 / 90000)
    note = next(f.note for f in bilan.figures if f.code == "taux_realisation")
    assert note == (
        "règle : entrées / objectif total ; "
        "objectif compté sur les entrées financées par Pôle emploi"
    )
    national = compute_bilan(store, plan, "2016", None)
    national_note = next(f.note for f in national.figures if f.code == "taux_realisation")
    assert "Occitanie : entrées financées par Pôle emploi" in national_note
    assert "Auvergne-Rhône-Alpes : entrées financées par Pôle emploi" in national_note


def test_additional_rule_compares_the_scope_with_its_own_reference(store, tmp_path: Path) -> None:
    plan = _plan(tmp_path, rule="supplementaires")
    bilan = compute_bilan(store, plan, "2016", "76")
    assert bilan.value("entrees_supplementaires") == 2  # 5 − 3, every counted entry
    assert bilan.value("taux_realisation") == pytest.approx((4 - 2) / 30000)


def test_default_scope_is_the_plans_set(store, plan) -> None:
    bilan = compute_bilan(store, plan, "2016", "76")
    assert bilan.value("taux_realisation") == pytest.approx(5 / 90000)
    assert scope_note(plan, "76") is None
    assert scope_note(plan, "84") == "objectif compté sur les entrées financées par Pôle emploi"


def test_scope_outside_the_plans_financeurs_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PlanError) as error:
        _plan(tmp_path, scope="[4, 5]")
    assert "convention 76 : financeurs 5 hors des financeurs comptés par le plan" in str(
        error.value
    )


def test_rate_above_ceiling_is_flagged(store, tmp_path: Path) -> None:
    # scale 0,000 03: Occitanie's 2016 target is 2 + 1 = 3 entries; 4 in its scope: 133,3 %
    plan = _plan(tmp_path, scale="0.00003")
    checks = declaration_checks(store, plan, "2016")
    assert [(c.region, c.phase) for c in checks] == [("76", "2016")]
    assert checks[0].message.startswith(
        "taux de réalisation de 133,3\u202f%, au-delà de 120\u202f%"
    )
    assert "objectif compté sur les entrées financées par Pôle emploi" in checks[0].message
    assert "estimé" not in checks[0].message  # Occitanie's target is published in full


def test_target_below_reference_is_flagged(store, tmp_path: Path) -> None:
    # scale 0,000 02: Occitanie's 2016 target is 1 + 1 = 2 entries, below the 3 counted in 2015
    # (no scope of its own); its rate, 5 / 2, is flagged too.
    plan = _plan(tmp_path, scope=None, scale="0.00002")
    checks = [c.message for c in declaration_checks(store, plan, "2016") if c.region == "76"]
    assert len(checks) == 2
    assert checks[1].startswith(
        "objectif de 2 entrées inférieur aux 3 entrées de la période de référence"
    )


def test_only_the_estimated_figures_of_a_target_are_called_estimated(store, plan) -> None:
    """Bretagne's 2016 additional target is published (18 896), its baseline, hence its total,
    is estimated; Occitanie's three figures are published."""
    bretagne = compute_bilan(store, plan, "2016", "53")
    notes = {f.code: f.note for f in bretagne.figures}
    assert bretagne.value("objectif_supplementaires") == 18896
    assert notes["objectif_supplementaires"] is None
    assert notes["objectif_entrees"] == "objectif estimé (valeur publique inconnue)"
    occitanie = compute_bilan(store, plan, "2016", "76")
    notes = {f.code: f.note for f in occitanie.figures}
    assert notes["objectif_supplementaires"] is None and notes["objectif_entrees"] is None
