"""Forecast of a phase in progress: projected entries at the phase end, with an interval, the
monthly pace needed to reach the target and the probability of reaching it; and its backtest.

Method (ratio to the reference profile): the reference window gives the monthly shape of a year
(the September peak, the August trough). The months observed so far are compared with the same
months of the reference window; the ratio of the last `RATIO_MONTHS` observed months (the plan
ramps up, so the latest ratio is the best guide) multiplies the reference months still to come.
The interval (80 %) combines the spread of the last monthly ratios with counting noise; the
probability of reaching the target is read from the same normal approximation. Reads the store
only (two grouped queries); `forecast` itself is pure.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import statistics
from dataclasses import asdict, dataclass

import duckdb
from babel.dates import format_date

from jalon.formatting import nombre, pourcentage
from jalon.indicators import definitions as d
from jalon.indicators.bilan import backend_of, month_range, targets_of
from jalon.plan import Plan
from jalon.reference import regions

RATIO_MONTHS = 2
SPREAD_MONTHS = 4
Z_80 = 1.2816
BACKTEST_CUTS = range(3, 12)  # end of March … end of November
BACKTEST_FROM = 6  # the error bar applies from the end of June on
METHOD = (
    "projection par le rapport des derniers mois observés aux mêmes mois de la période de "
    "référence, appliqué au profil mensuel de référence ; intervalle à 80 %"
)


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


@dataclass(frozen=True)
class Prevision:
    plan: str
    phase: str
    region: str | None
    as_of: dt.date
    forecast: Forecast
    method: str = METHOD

    def as_dict(self) -> dict[str, object]:
        return {
            "plan": self.plan,
            "phase": self.phase,
            "region": self.region,
            "date_arret": self.as_of.isoformat(),
            "methode": self.method,
            **asdict(self.forecast),
        }


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
        spread = statistics.stdev(ratios) if len(ratios) >= 2 else 0.25 * ratio
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


def _month_end(month: int) -> dt.date:
    year, number = divmod(month, 12)
    return dt.date(year, number + 1, calendar.monthrange(year, number + 1)[1])


@dataclass(frozen=True)
class _Series:
    months: list[int]
    entries: list[int]
    reference: list[int]
    latest: dt.date | None


def _series(
    con: duckdb.DuckDBPyConnection, plan: Plan, phase_code: str, region: str | None
) -> _Series:
    phase = plan.phase(phase_code)
    backend = backend_of(con)
    t = d.Tables.of(backend)
    months = month_range(phase.start, phase.end)
    ref_months = month_range(phase.reference_start, phase.reference_end)

    def totals(start: dt.date, end: dt.date) -> dict[int, int]:
        result: dict[int, int] = {}
        table = d.entries_by_month(t, plan, start, end, region)
        for row in backend.to_pyarrow(table).to_pylist():
            result[row["mois"]] = result.get(row["mois"], 0) + row["entrees"]
        return result

    entries = totals(phase.start, phase.end)
    reference = totals(phase.reference_start, phase.reference_end)
    latest = max((m for m, v in entries.items() if v), default=None)
    return _Series(
        months,
        [entries.get(m, 0) for m in months],
        [reference.get(ref_months[i], 0) if i < len(ref_months) else 0 for i in range(len(months))],
        None if latest is None else min(_month_end(latest), phase.end),
    )


def compute_prevision(
    con: duckdb.DuckDBPyConnection,
    plan: Plan,
    phase_code: str,
    region: str | None,
    as_of: dt.date | None = None,
) -> Prevision:
    """The forecast of a phase from the months complete at `as_of` (default: the end of the
    latest month with entries, the store being taken as complete up to then)."""
    phase = plan.phase(phase_code)
    series = _series(con, plan, phase_code, region)
    cut = as_of or series.latest or phase.start
    observed = [
        v for m, v in zip(series.months, series.entries, strict=True) if _month_end(m) <= cut
    ]
    target = targets_of(plan, phase_code, region)[1]
    return Prevision(
        plan.code, phase_code, region, cut, forecast(observed, series.reference, target)
    )


@dataclass(frozen=True)
class BacktestPoint:
    as_of: dt.date
    projection: float
    actual: int
    error: float  # absolute percentage error, as a fraction


def backtest(
    con: duckdb.DuckDBPyConnection, plan: Plan, phase_code: str, region: str | None
) -> list[BacktestPoint]:
    """Forecasts of a finished phase cut at the end of each month of `BACKTEST_CUTS`."""
    series = _series(con, plan, phase_code, region)
    actual = sum(series.entries)
    points = []
    for k in BACKTEST_CUTS:
        if k >= len(series.months) or not actual:
            continue
        result = forecast(series.entries[:k], series.reference, None)
        error = abs(result.projection - actual) / actual
        points.append(
            BacktestPoint(_month_end(series.months[k - 1]), result.projection, actual, error)
        )
    return points


def mape(points: list[BacktestPoint], from_month: int = BACKTEST_FROM) -> float | None:
    chosen = [p.error for p in points if p.as_of.month >= from_month]
    return sum(chosen) / len(chosen) if chosen else None


def backtest_markdown(con: duckdb.DuckDBPyConnection, plan: Plan, phase_code: str) -> str:
    """The generated section of `docs/indicateurs.md` that records the forecast's backtest."""
    scopes: list[tuple[str, str | None]] = [("France entière", None)]
    scopes += [(reg.nom, reg.code) for reg in regions()]
    header_done = False
    lines = [
        "# Prévision : erreur mesurée (backtest)",
        "",
        f"Méthode : {METHOD}. La phase {phase_code} de la base de démonstration "
        "(`jalon demo`) est coupée à la fin de chaque mois, de mars à novembre ; la projection "
        "des entrées de la phase est comparée aux entrées finalement comptées. Erreur absolue "
        "en pourcentage ; « EAMP » : sa moyenne de juin à novembre (la cible est sous 5 %). "
        "Section régénérée par `jalon indicateurs --markdown --backtest BASE`.",
        "",
    ]
    mapes = []
    for name, code in scopes:
        points = backtest(con, plan, phase_code, code)
        if not points:
            continue
        if not header_done:
            lines += [f"Entrées de la phase dans la base : {nombre(points[0].actual)}.", ""]
            months = [format_date(p.as_of, format="MMM", locale="fr_FR") for p in points]
            lines.append("| Territoire | " + " | ".join(months) + " | EAMP juin–nov. |")
            lines.append("|---" * (len(points) + 2) + "|")
            header_done = True
        error = mape(points)
        if code is not None and error is not None:
            mapes.append(error)
        cells = [pourcentage(p.error, 1) for p in points]
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {pourcentage(error, 1)} |")
    if mapes:
        lines += ["", f"Moyenne des EAMP régionales : {pourcentage(sum(mapes) / len(mapes), 1)}."]
    return "\n".join(lines) + "\n"
