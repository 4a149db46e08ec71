"""A second plan, declared as a file only: the 2018–2022 Plan d'investissement dans les
compétences (`jalon/plans/plan-pic-2018-2022.toml`). A store simulated from that plan alone
(`simulate_plan`) gets its bilan, ranking and forecast from the same code as the first plan."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from jalon.indicators import compute_all_bilans, compute_classement, compute_prevision
from jalon.ingest import import_file
from jalon.plan import Plan, write_scaled_plan
from jalon.plan.loader import shipped_plan_path
from jalon.simulate.plan_files import simulate_plan
from jalon.sources import builtin_profiles
from jalon.store import open_store
from tests.conftest import TEST_KEY

SCALE = 0.002
PIC = "plan-pic-2018-2022.toml"


@pytest.fixture(scope="module")
def pic(tmp_path_factory: pytest.TempPathFactory) -> tuple[Plan, Path]:
    root = tmp_path_factory.mktemp("pic")
    plan = write_scaled_plan(root / "plan.toml", SCALE, source=shipped_plan_path(PIC))
    manifest = simulate_plan(root / "fichiers", plan)
    path = root / "jalon.duckdb"
    con = open_store(path)
    try:
        profile = builtin_profiles()["pe-stagiaires"]
        for item in manifest.files:
            summary = import_file(con, item.path, profile, plan, TEST_KEY.encode())
            assert summary.accepted > 0, item.path
    finally:
        con.close()
    return plan, path


@pytest.fixture
def store(pic: tuple[Plan, Path]) -> duckdb.DuckDBPyConnection:
    return open_store(pic[1], read_only=True)


def test_second_plan_file_declares_the_regional_pacts() -> None:
    from jalon.plan import load_plan

    plan = load_plan(shipped_plan_path(PIC))
    assert [p.code for p in plan.phases] == ["2019", "2020", "2021", "2022"]
    assert {(p.reference_start, p.reference_end) for p in plan.phases} == {
        (dt.date(2017, 1, 1), dt.date(2017, 12, 31))
    }
    occitanie = plan.convention("76")
    assert occitanie is not None and occitanie.kind == "pacte"
    assert {(t.additional_entries, t.estimated) for t in occitanie.targets} == {(20000, False)}
    pays_de_la_loire = plan.convention("52")
    assert pays_de_la_loire is not None
    assert sum(t.additional_entries for t in pays_de_la_loire.targets) == 38000
    assert plan.convention("84") is None and plan.convention("93") is None
    others = [c for c in plan.conventions if c.region not in ("76",)]
    assert all(t.estimated for c in others for t in c.targets)


def test_bilan_ranking_and_forecast_run_on_the_second_plan(pic, store) -> None:
    plan, _ = pic
    bilans = compute_all_bilans(store, plan, "2019")
    occitanie = bilans["76"]
    target = round(20000 * SCALE)
    assert occitanie.value("objectif_supplementaires") == target
    additional = occitanie.value("entrees_supplementaires")
    assert isinstance(additional, int) and additional > 0
    # rule « supplementaires »: measured additional entries over the pact's commitment
    assert occitanie.value("taux_realisation") == pytest.approx(additional / target)
    national = bilans[None]
    assert national.value("entrees") == sum(
        b.value("entrees") or 0 for code, b in bilans.items() if code is not None
    )
    # regions without a pact: counted and ranked, without a target nor a rate
    for code in ("84", "93"):
        assert bilans[code].value("objectif_supplementaires") is None
        assert bilans[code].value("taux_realisation") is None

    classement = compute_classement(store, plan, "2019")
    assert classement.plan == "pic-2018-2022" and classement.headline == "entrees_supplementaires"
    ranked = {r.region: r for r in classement.regions}
    assert ranked["84"].ranks["entrees_supplementaires"] is not None
    assert ranked["84"].ranks["taux_realisation"] is None
    first = classement.ordered()[0]
    assert first.values["entrees_supplementaires"] == max(
        r.values["entrees_supplementaires"] or 0 for r in classement.regions
    )

    prevision = compute_prevision(store, plan, "2022", "76", as_of=dt.date(2022, 6, 30))
    assert prevision.phase == "2022" and prevision.forecast is not None
    assert prevision.forecast.months_observed == 6 and prevision.forecast.months_total == 12
    assert prevision.forecast.low <= prevision.forecast.projection <= prevision.forecast.high
