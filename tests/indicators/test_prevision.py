"""Forecast of a phase: the projection method, its interval and probability, and its backtest on
a year shaped like the plan's (2015 seasonality, 2016 ramp-up, from the simulator's calibration)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from jalon.indicators import compute_prevision
from jalon.indicators.prevision import backtest, backtest_markdown, forecast, mape
from jalon.simulate.region import month_weights
from jalon.store import open_store

REFERENCE = [110, 105, 100, 95, 85, 85, 60, 35, 145, 135, 125, 75]


def test_constant_ratio_is_projected_exactly() -> None:
    observed = [2 * v for v in REFERENCE[:7]]
    result = forecast(observed, REFERENCE, target=2000)
    assert result.projection == pytest.approx(2 * sum(REFERENCE))
    assert result.low < result.projection < result.high
    assert result.probability > 0.5  # 2 310 projected for 2 000
    assert result.pace_needed == pytest.approx((2000 - sum(observed)) / 5)
    assert forecast(observed, REFERENCE, target=3500).probability < 0.01


def test_finished_phase_projects_what_was_observed() -> None:
    result = forecast(REFERENCE, REFERENCE, target=1000)
    assert result.projection == result.low == result.high == sum(REFERENCE)
    assert result.probability == 1.0 and result.pace_needed is None


def test_without_reference_the_profile_is_uniform() -> None:
    result = forecast([10, 10, 10], [0] * 12, target=None)
    assert result.projection == pytest.approx(120)
    assert result.probability is None


def test_prevision_on_the_hand_made_store(store, plan) -> None:
    cut = compute_prevision(store, plan, "2016", "76", dt.date(2016, 6, 30))
    f = cut.forecast
    assert (f.months_observed, f.observed, f.target) == (6, 2, 90_000)
    # last two months (May, June) have no reference entries: the ratio uses all six months,
    # 2 observed for 1 in the reference (March): 2 + 2 × 2 reference entries still to come
    assert f.projection == pytest.approx(6)
    assert f.pace_needed == pytest.approx((90_000 - 2) / 6)
    default = compute_prevision(store, plan, "2016", "76")
    assert default.as_of == dt.date(2016, 12, 31)  # latest entry: 19 December
    assert default.forecast.months_observed == 12
    assert default.as_dict()["date_arret"] == "2016-12-31"


@pytest.fixture(scope="module")
def seasonal_store(tmp_path_factory):
    """2015 and 2016 entries of two regions with the simulator's monthly weights (about 6 000 a
    year each), on random days of each month."""
    con = open_store(tmp_path_factory.mktemp("prevision") / "jalon.duckdb")
    rng = np.random.default_rng(2016)
    rows = []
    for region, departement, size in (("76", "31", 6000), ("53", "35", 3000)):
        for year, period in ((2015, "2015"), (2016, "2016")):
            weights = month_weights(region, period)
            counts = rng.poisson(weights / weights.sum() * size * (1.5 if year == 2016 else 1))
            for month, count in enumerate(counts, start=1):
                rows.append((region, departement, year, month, int(count)))
    con.execute("CREATE TEMP TABLE plan_mois (region VARCHAR, dep VARCHAR, y INT, m INT, n INT)")
    con.executemany("INSERT INTO plan_mois VALUES (?, ?, ?, ?, ?)", rows)
    con.execute(
        """
        INSERT INTO entrees
        SELECT 'p' || region || y || m || i, 'IC:' || region || y || m || i,
               make_date(y, m, 1) + CAST(hash(i, y, m) % 28 AS INTEGER), NULL, [4], 4, '22854',
               false, NULL, dep, region, 400, [1], false
        FROM plan_mois, range(n) t(i)
        """
    )
    yield con
    con.close()


def test_backtest_error_is_under_five_percent_from_june(seasonal_store, plan) -> None:
    for region in (None, "76", "53"):
        points = backtest(seasonal_store, plan, "2016", region)
        assert [p.as_of.month for p in points] == list(range(3, 12))
        assert mape(points) < 0.05, (region, [round(p.error, 3) for p in points])
    text = backtest_markdown(seasonal_store, plan, "2016")
    assert "| France entière |" in text and "| Occitanie |" in text
