"""The forecast's arithmetic (pure): a phase's projected entries from its observed months.

Method (ratio to the reference profile): the reference window gives the monthly shape of a year
(the September peak, the August trough). The months observed so far are compared with the same
months of the reference window; the ratio of the last `RATIO_MONTHS` observed months (the plan
ramps up, so the latest ratio is the best guide) multiplies the reference months still to come.
The interval (80 %) combines the spread of the last monthly ratios (never less than a floor that
shrinks with the months observed) with counting noise; the
probability of reaching the target is read from the same normal approximation. Used by
`jalon.indicators.prevision` (the forecast of a phase) and by the bilan (the projection of a
phase in progress), which is why it imports neither.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass

RATIO_MONTHS = 2
SPREAD_MONTHS = 4
Z_80 = 1.2816
SPREAD_FLOOR = 0.5


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


def _normal_cdf(x: float) -> float:
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


def forecast(observed: list[int], reference: list[int], target: int | None) -> Forecast:
    """Project the phase total from its first `len(observed)` months and the reference months."""
    n, k = len(reference), len(observed)
    profile = [float(v) for v in reference] if sum(reference) else [1.0] * n
    done = sum(observed)
    remaining_profile = sum(profile[k:])
    if k == 0:
        ratio, spread = 1.0, 1.0
    else:
        last = range(max(0, k - RATIO_MONTHS), k)
        if not sum(profile[i] for i in last):
            last = range(k)  # sparse reference: use every observed month
        base = sum(profile[i] for i in last)
        ratio = sum(observed[i] for i in last) / base if base else 1.0
        ratios = [
            observed[i] / profile[i] for i in range(max(0, k - SPREAD_MONTHS), k) if profile[i]
        ]
        observed_spread = statistics.stdev(ratios) if len(ratios) >= 2 else 0.0
        # Early in a phase the ratio still moves (the plan ramps up): the backtest by months
        # observed (docs/indicateurs.md) found errors of 30 % and more from one to three months,
        # which two or three monthly ratios cannot show; the floor shrinks as months add up.
        spread = max(observed_spread, SPREAD_FLOOR * ratio / math.sqrt(k))
    projection = done + ratio * remaining_profile
    sd = math.sqrt((spread * remaining_profile) ** 2 + ratio * remaining_profile)
    probability = None
    if target is not None:
        if sd == 0:
            probability = 1.0 if projection >= target else 0.0
        else:
            probability = _normal_cdf((projection - target) / sd)
    pace_needed = None
    if target is not None and k < n:
        pace_needed = max(0.0, (target - done) / (n - k))
    current = observed[max(0, k - 3) : k]
    return Forecast(
        months_observed=k,
        months_total=n,
        observed=done,
        projection=projection,
        low=max(float(done), projection - Z_80 * sd),
        high=projection + Z_80 * sd,
        target=target,
        pace_needed=pace_needed,
        pace_current=sum(current) / len(current) if current else None,
        probability=probability,
    )
