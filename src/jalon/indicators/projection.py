"""The forecast's arithmetic (pure): a phase's projected entries from its observed months, and
the 80 % interval around them.

Projection (ratio to the reference profile): the reference window gives the monthly shape of a
year (the September peak, the August trough). The months observed so far are compared with the
same months of the reference window; the ratio of the last `RATIO_MONTHS` observed months (the
plan ramps up, so the latest ratio is the best guide) multiplies the reference months still to
come: the entries still to come, `remaining`, are the projection's uncertain part.

Interval, calibrated (when `errors` are given, at least `MIN_CALIBRATION` of them): the errors
the same projection made, with the same number of months observed, on phases whose end is known,
each as a share of its own entries still to come: `(actual − projection) / remaining`. Their
empirical distribution, scaled by this forecast's `remaining`, gives the interval (split
conformal prediction, `conformal_ranks`: a new error falls between the chosen two of the m
sorted errors at least 80 % of the time when it behaves like them). The interval published is
the envelope of that one and the model's (`_envelope`): the errors of finished phases only hold
for a phase that goes the same way, and the backtest measured the plan's second phase, calibrated
on the ramp-up year, covered 28 to 50 % of the time by the conformal interval alone, always by
the envelope. The probability of reaching the target reads the envelope's side facing the target
as a normal law's 80 % bound (`_split_normal`).

Interval, model only (no calibration): the spread of the last monthly ratios (never less than a
floor that shrinks with the months observed) with counting noise, read as a normal law. The
backtest (`bench/backtest_prevision.py`) measured it far too narrow early in a phase.

Used by `jalon.indicators.prevision` (the forecast of a phase and its calibration), its
backtest and the bilan (the projection of a phase in progress), which is why it imports neither.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

RATIO_MONTHS = 2
SPREAD_MONTHS = 4
Z_80 = 1.2816
SPREAD_FLOOR = 0.5
LEVEL = 0.8
# Below nine errors no two of them bound 80 % of the cases: the interval would be unbounded.
MIN_CALIBRATION = 9


@dataclass(frozen=True)
class Forecast:
    months_observed: int
    months_total: int
    observed: int
    projection: float
    low: float
    high: float
    target: int | None
    pace_needed: float | None
    pace_current: float | None
    probability: float | None
    #: « calibre » (measured errors), « modele » (the model alone: not an 80 % interval the
    #: backtest can back), « definitif » (a finished phase: no interval).
    interval: str


@dataclass(frozen=True)
class _Projection:
    done: int
    ratio: float
    remaining: float  # projected entries still to come
    profile_left: float  # reference entries of the months still to come

    @property
    def total(self) -> float:
        return self.done + self.remaining


def _normal_cdf(x: float) -> float:
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


def _project(observed: Sequence[int], profile: list[float]) -> _Projection:
    k = len(observed)
    last = range(max(0, k - RATIO_MONTHS), k)
    if not sum(profile[i] for i in last):
        last = range(k)  # sparse reference: use every observed month
    base = sum(profile[i] for i in last)
    ratio = sum(observed[i] for i in last) / base if base else 1.0
    left = sum(profile[k:])
    return _Projection(sum(observed), ratio, ratio * left, left)


def _profile(reference: Sequence[int]) -> list[float]:
    return [float(v) for v in reference] if sum(reference) else [1.0] * len(reference)


def relative_error(entries: Sequence[int], reference: Sequence[int], months: int) -> float | None:
    """The error of the projection from the first `months` of a finished phase's `entries`, as a
    share of the entries it projected still to come (None: it projected none)."""
    p = _project(entries[:months], _profile(reference))
    return (sum(entries) - p.total) / p.remaining if p.remaining else None


def _model_bounds(
    observed: Sequence[int], profile: list[float], p: _Projection, target: int | None
) -> tuple[float, float, float | None]:
    k = len(observed)
    ratios = [observed[i] / profile[i] for i in range(max(0, k - SPREAD_MONTHS), k) if profile[i]]
    observed_spread = statistics.stdev(ratios) if len(ratios) >= 2 else 0.0
    spread = max(observed_spread, SPREAD_FLOOR * p.ratio / math.sqrt(k))
    sd = math.sqrt((spread * p.profile_left) ** 2 + p.ratio * p.profile_left)
    probability = None
    if target is not None:
        if sd == 0:
            probability = 1.0 if p.total >= target else 0.0
        else:
            probability = _normal_cdf((p.total - target) / sd)
    return p.total - Z_80 * sd, p.total + Z_80 * sd, probability


def conformal_ranks(m: int) -> tuple[int, int]:
    """The ranks (from 1) of the sorted errors that bound the interval: a new error falls
    between the i-th and the j-th of m exchangeable ones with probability (j − i) / (m + 1), so
    j − i is the least that reaches `LEVEL`, the spare ranks split between the two tails."""
    needed = math.ceil(LEVEL * (m + 1) - 1e-9)
    low = max(1, (m + 1 - needed) // 2)
    return low, min(m, low + needed)


def _calibrated_bounds(errors: Sequence[float], p: _Projection) -> tuple[float, float]:
    ordered = sorted(errors)
    low_rank, high_rank = conformal_ranks(len(ordered))
    low, high = ordered[low_rank - 1], ordered[high_rank - 1]
    return p.total + low * p.remaining, p.total + high * p.remaining


def _envelope(*bounds: tuple[float, float]) -> tuple[float, float]:
    """The smallest interval holding each: the errors of finished phases only tell of phases
    that went the same way (a ramp-up year's errors, carried to a steady phase, place the
    interval too high), the model only of the months observed; the backtest found either alone
    covering far less than 80 % of the next phase, both together at least 80 %."""
    return min(low for low, _ in bounds), max(high for _, high in bounds)


def _split_normal(low: float, high: float, centre: float, target: int) -> float:
    """The chance of reaching `target` if the interval's side facing it is a normal law's 80 %
    bound: no more confident than the wider of the two sources allows."""
    side = (high - centre) if target >= centre else (centre - low)
    if side <= 0:
        return 1.0 if centre >= target else 0.0
    return _normal_cdf((centre - target) / (side / Z_80))


def forecast(
    observed: Sequence[int],
    reference: Sequence[int],
    target: int | None,
    errors: Sequence[float] | None = None,
) -> Forecast:
    """Project the phase total from its first `len(observed)` months and the reference months;
    `errors`: the calibration (module docstring), for the same number of months observed."""
    n, k = len(reference), len(observed)
    if k == 0:
        raise ValueError("a forecast needs at least one observed month")
    profile = _profile(reference)
    p = _project(observed, profile)
    if k >= n:
        reached = None if target is None else float(p.total >= target)
        low, high, probability = p.total, p.total, reached
        interval = "definitif"
    elif errors is not None and len(errors) >= MIN_CALIBRATION and p.remaining:
        low, high = _envelope(
            _calibrated_bounds(errors, p), _model_bounds(observed, profile, p, target)[:2]
        )
        probability = None if target is None else _split_normal(low, high, p.total, target)
        interval = "calibre"
    else:
        low, high, probability = _model_bounds(observed, profile, p, target)
        interval = "modele"
    pace_needed = None
    if target is not None and k < n:
        pace_needed = max(0.0, (target - p.done) / (n - k))
    current = observed[max(0, k - 3) : k]
    return Forecast(
        months_observed=k,
        months_total=n,
        observed=p.done,
        projection=p.total,
        low=max(float(p.done), min(low, p.total)),
        high=max(high, p.total),
        target=target,
        pace_needed=pace_needed,
        pace_current=sum(current) / len(current),
        probability=probability,
        interval=interval,
    )
