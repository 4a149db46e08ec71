"""The forecast's arithmetic (`jalon.indicators.projection`) on series written by hand: the
projection, the 80 % interval (model alone, and calibrated on measured errors) and the
probability of reaching the target, checked by hand and as properties."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jalon.indicators.projection import (
    LEVEL,
    MIN_CALIBRATION,
    conformal_ranks,
    forecast,
    relative_error,
)

REFERENCE = [110, 105, 100, 95, 85, 85, 60, 35, 145, 135, 125, 75]
ERRORS = [-0.10, -0.05, 0.0, 0.02, 0.05, 0.08, 0.10, 0.15, 0.20, 0.30]


def width(observed: list[int], reference: list[int], errors: list[float] | None = None) -> float:
    f = forecast(observed, reference, None, errors)
    return f.high - f.low


def test_constant_ratio_is_projected_exactly() -> None:
    observed = [2 * v for v in REFERENCE[:7]]
    result = forecast(observed, REFERENCE, target=2000)
    assert result.projection == pytest.approx(2 * sum(REFERENCE))
    assert result.low < result.projection < result.high
    assert result.probability > 0.5  # 2 310 projected for 2 000
    assert result.pace_needed == pytest.approx((2000 - sum(observed)) / 5)
    assert forecast(observed, REFERENCE, target=3500).probability < 0.01


def test_finished_phase_projects_what_was_observed() -> None:
    result = forecast(REFERENCE, REFERENCE, target=1000, errors=ERRORS)
    assert result.projection == result.low == result.high == sum(REFERENCE)
    assert result.probability == 1.0 and result.pace_needed is None


def test_without_reference_the_profile_is_uniform() -> None:
    result = forecast([10, 10, 10], [0] * 12, target=None)
    assert result.projection == pytest.approx(120)
    assert result.probability is None


def test_no_observed_month_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one observed month"):
        forecast([], REFERENCE, target=1000)


def test_calibrated_interval_by_hand() -> None:
    # ratio 1.2 to a flat reference: 240 observed, 1.2 × 400 = 480 still to come, 720 in all.
    # Ten errors: the first and the tenth bound the conformal interval, 720 − 0.10 × 480 to
    # 720 + 0.30 × 480 (672 to 864). The model: both ratios 1.2, so the spread is its floor
    # 0.5 × 1.2 / √2; sd² = (spread × 400)² + 1.2 × 400 = 28 800 + 480, a band of ± 1.2816 sd
    # (500.7 to 939.3), wider on both sides: the envelope is the model's band.
    sd = (28_800 + 480) ** 0.5
    result = forecast([120, 120], [100] * 6, target=800, errors=ERRORS)
    assert result.projection == pytest.approx(720)
    assert result.low == pytest.approx(720 - 1.2816 * sd)
    assert result.high == pytest.approx(720 + 1.2816 * sd)
    # 800 lies on the high side, whose bound is read as a normal law's 80 % bound: sd itself
    assert result.probability == pytest.approx(0.5 * (1 + math.erf(-80 / sd / math.sqrt(2))))
    # errors five times larger: the conformal bounds (480 to 1 440) hold the model's band
    wide = forecast([120, 120], [100] * 6, target=800, errors=[5 * e for e in ERRORS])
    assert (wide.low, wide.high) == (pytest.approx(720 - 0.5 * 480), pytest.approx(720 + 1.5 * 480))
    assert wide.probability == pytest.approx(
        0.5 * (1 + math.erf(-80 / (720 / 1.2816) / math.sqrt(2)))
    )


def test_too_few_errors_fall_back_on_the_model() -> None:
    few = ERRORS[: MIN_CALIBRATION - 1]
    model = forecast([120, 120], [100] * 6, target=800)
    assert forecast([120, 120], [100] * 6, target=800, errors=few) == model


def test_relative_error_by_hand() -> None:
    # cut after two months: ratio 1, 40 projected still to come; 60 came: 20 too few, 0.5
    assert relative_error([10, 10, 20, 20, 10, 10], [10] * 6, 2) == pytest.approx(0.5)
    assert relative_error([10, 10, 0, 0], [10, 10, 0, 0], 2) is None  # nothing to come


def test_conformal_ranks_by_hand() -> None:
    assert conformal_ranks(9) == (1, 9)  # (9 − 1) / 10 = 80 %
    assert conformal_ranks(17) == (1, 16)  # 15 / 18 ≈ 83 %: 14 / 18 would be under 80 %
    assert conformal_ranks(19) == (2, 18)  # 16 / 20


@given(st.integers(MIN_CALIBRATION, 400))
def test_conformal_ranks_are_the_narrowest_that_reach_the_level(m: int) -> None:
    low, high = conformal_ranks(m)
    assert 1 <= low < high <= m
    assert (high - low) / (m + 1) >= LEVEL - 1e-12
    assert (high - low - 1) / (m + 1) < LEVEL


def test_conformal_interval_covers_eighty_percent_of_new_draws() -> None:
    """Exchangeable errors (normal draws): a new one falls inside the ranks' interval as often
    as (j − i) / (m + 1) says, over many trials."""
    rng = np.random.default_rng(15)
    for m in (9, 17, 35):
        low, high = conformal_ranks(m)
        draws = np.sort(rng.normal(size=(20_000, m)), axis=1)
        new = rng.normal(size=20_000)
        inside = (draws[:, low - 1] <= new) & (new <= draws[:, high - 1])
        assert inside.mean() == pytest.approx((high - low) / (m + 1), abs=0.01)


series = st.lists(st.integers(0, 500), min_size=2, max_size=12)


@st.composite
def cases(draw: st.DrawFn) -> tuple[list[int], list[int], list[float] | None]:
    reference = draw(series)
    k = draw(st.integers(1, len(reference)))
    observed = draw(st.lists(st.integers(0, 800), min_size=k, max_size=k))
    errors = draw(st.none() | st.lists(st.floats(-1, 3, allow_nan=False), min_size=0, max_size=30))
    return observed, reference, errors


@given(cases())
def test_interval_holds_the_projection_and_the_observed(case) -> None:
    observed, reference, errors = case
    f = forecast(observed, reference, None, errors)
    assert sum(observed) <= f.low <= f.projection <= f.high


@given(cases(), st.integers(0, 20_000), st.integers(0, 20_000))
def test_probability_is_a_probability_and_falls_with_the_target(case, a, b) -> None:
    observed, reference, errors = case
    lower, higher = sorted((a, b))
    p_lower = forecast(observed, reference, lower, errors).probability
    p_higher = forecast(observed, reference, higher, errors).probability
    assert p_lower is not None and p_higher is not None
    assert 0 <= p_higher <= p_lower <= 1


@settings(max_examples=200)
@given(
    st.lists(st.integers(1, 500), min_size=3, max_size=12),
    st.integers(1, 3),
    st.none() | st.lists(st.floats(-1, 3, allow_nan=False), min_size=MIN_CALIBRATION),
)
def test_width_never_grows_with_the_months_of_a_stationary_series(
    reference: list[int], ratio: int, errors: list[float] | None
) -> None:
    """A series that keeps the same ratio to its reference every month."""
    observed = [ratio * v for v in reference]
    widths = [width(observed[:k], reference, errors) for k in range(1, len(reference) + 1)]
    assert all(b <= a + 1e-9 for a, b in itertools.pairwise(widths))
    assert widths[-1] == 0


def test_width_grows_with_the_noise_of_the_series() -> None:
    """Flat reference, ratio 1 on average; the observed months swing by ± a: beyond the floor
    that the first months are given (0.5 / √4 here), a larger swing, a wider interval."""
    reference = [100] * 12
    swings = [0.0, 0.2, 0.3, 0.5, 0.8]
    widths = [width([round(100 * (1 + a * s)) for s in (1, -1, 1, -1)], reference) for a in swings]
    assert widths[0] == widths[1]  # both under the floor
    assert widths[1] < widths[2] < widths[3] < widths[4]


def test_calibrated_width_grows_with_the_errors() -> None:
    observed, reference = [120, 120], [100] * 6
    widths = [width(observed, reference, [f * e for e in ERRORS]) for f in (1, 5, 10)]
    assert widths[0] < widths[1] < widths[2]
    # once the errors' bounds hold the model's band, the width is theirs: twice the errors,
    # twice the width
    assert widths[2] == pytest.approx(2 * widths[1])
