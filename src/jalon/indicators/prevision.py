"""Forecast of a phase in progress, as of its date d'arrêt des données: projected entries at the
phase end, with an interval, the monthly pace needed to reach the target and the probability of
reaching it; and its backtest.

The arithmetic is `jalon.indicators.projection` (pure); this module reads the store (two grouped
queries of monthly entries, and the data's cut-off: `jalon.indicators.arret`). A phase with no
complete month observed at the cut-off is refused (`PrevisionError`, in French): nothing can be
projected from nothing. The backtest cuts a finished phase of the demo store at the end of each
of its months and compares the projection, and its interval, with the entries finally counted.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import asdict, dataclass

import duckdb
import ibis
from babel.dates import format_date

from jalon.formatting import date_longue, nombre, pourcentage
from jalon.indicators import definitions as d
from jalon.indicators.arret import Arret, arret_of, cutoff_for, data_cutoffs, month_end, month_range
from jalon.indicators.bilan import targets_of
from jalon.indicators.projection import Forecast, forecast
from jalon.plan import Plan
from jalon.reference import regions

BACKTEST_CUTS = range(3, 12)  # end of March … end of November
BACKTEST_FROM = 6  # the error bar applies from the end of June on
BACKTEST_MONTHS = range(1, 7)  # the table by months observed: one to six
METHOD = (
    "projection par le rapport des derniers mois observés aux mêmes mois de la période de "
    "référence, appliqué au profil mensuel de référence ; intervalle à 80 %"
)

__all__ = ["Forecast", "Prevision", "PrevisionError", "compute_prevision", "forecast"]


class PrevisionError(ValueError):
    """A forecast that cannot be made (told in French)."""


@dataclass(frozen=True)
class Prevision:
    plan: str
    phase: str
    region: str | None
    as_of: dt.date
    forecast: Forecast
    method: str = METHOD
    arret: Arret | None = None

    @property
    def etat(self) -> str:
        return "" if self.arret is None else self.arret.etat

    def as_dict(self) -> dict[str, object]:
        return {
            "plan": self.plan,
            "phase": self.phase,
            "region": self.region,
            **({} if self.arret is None else self.arret.as_dict()),
            "date_arret": self.as_of.isoformat(),
            "methode": self.method,
            **asdict(self.forecast),
        }


@dataclass(frozen=True)
class _Series:
    months: list[int]
    entries: list[int]
    reference: list[int]


def _series(
    con: duckdb.DuckDBPyConnection, plan: Plan, phase_code: str, region: str | None
) -> _Series:
    phase = plan.phase(phase_code)
    backend = ibis.duckdb.from_connection(con)
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
    return _Series(
        months,
        [entries.get(m, 0) for m in months],
        [reference.get(ref_months[i], 0) if i < len(ref_months) else 0 for i in range(len(months))],
    )


def compute_prevision(
    con: duckdb.DuckDBPyConnection,
    plan: Plan,
    phase_code: str,
    region: str | None,
    as_of: dt.date | None = None,
) -> Prevision:
    """The forecast of a phase from its months complete at the date d'arrêt des données of the
    region (or the nation), or at `as_of` when earlier. Raises `PrevisionError` when no month
    of the phase is complete then."""
    phase = plan.phase(phase_code)
    dates = data_cutoffs(ibis.duckdb.from_connection(con))
    arret = arret_of(phase, cutoff_for(dates, region), as_of)
    if arret.months_observed == 0:
        first = month_end(month_range(phase.start, phase.end)[0])
        raise PrevisionError(
            f"pas de prévision pour la phase {phase.code} ({phase.label}) : aucun de ses mois "
            f"n'est observé au {date_longue(arret.date)} ({arret.mention.lower()}). Une "
            f"projection demande au moins un mois complet, soit des données au "
            f"{date_longue(first)} ou après."
        )
    series = _series(con, plan, phase_code, region)
    observed = series.entries[: arret.months_observed]
    target = targets_of(plan, phase_code, region)[1]
    return Prevision(
        plan.code,
        phase_code,
        region,
        arret.date,
        forecast(observed, series.reference, target),
        arret=arret,
    )


@dataclass(frozen=True)
class BacktestPoint:
    as_of: dt.date
    projection: float
    actual: int
    error: float  # absolute percentage error, as a fraction
    months: int = 0
    low: float = 0.0
    high: float = 0.0

    @property
    def width(self) -> float:
        """The interval's width, as a fraction of the entries finally counted."""
        return (self.high - self.low) / self.actual

    @property
    def covered(self) -> bool:
        return self.low <= self.actual <= self.high


def _points(series: _Series, cuts: range) -> list[BacktestPoint]:
    actual = sum(series.entries)
    points = []
    for k in cuts:
        if k >= len(series.months) or not actual:
            continue
        result = forecast(series.entries[:k], series.reference, None)
        error = abs(result.projection - actual) / actual
        points.append(
            BacktestPoint(
                month_end(series.months[k - 1]),
                result.projection,
                actual,
                error,
                k,
                result.low,
                result.high,
            )
        )
    return points


def backtest(
    con: duckdb.DuckDBPyConnection,
    plan: Plan,
    phase_code: str,
    region: str | None,
    cuts: range = BACKTEST_CUTS,
) -> list[BacktestPoint]:
    """Forecasts of a finished phase cut at the end of its `cuts`-th months."""
    return _points(_series(con, plan, phase_code, region), cuts)


def mape(points: list[BacktestPoint], from_month: int = BACKTEST_FROM) -> float | None:
    chosen = [p.error for p in points if p.as_of.month >= from_month]
    return sum(chosen) / len(chosen) if chosen else None


@dataclass(frozen=True)
class ByMonths:
    """The backtest over every region for one number of months observed."""

    months: int
    error: float  # mean absolute percentage error
    width: float  # mean width of the 80 % interval, as a fraction of the actual entries
    coverage: float  # share of regions whose actual entries fall in the interval
    regions: int


def backtest_by_months(
    con: duckdb.DuckDBPyConnection, plan: Plan, phase_code: str, months: range = BACKTEST_MONTHS
) -> list[ByMonths]:
    """Every region's forecast of a finished phase from its first 1, 2, … `months` months."""
    per_region = [backtest(con, plan, phase_code, reg.code, months) for reg in regions()]
    result = []
    for k in months:
        points = [p for points in per_region for p in points if p.months == k]
        if not points:
            continue
        result.append(
            ByMonths(
                k,
                statistics.fmean(p.error for p in points),
                statistics.fmean(p.width for p in points),
                sum(p.covered for p in points) / len(points),
                len(points),
            )
        )
    return result


def _by_months_markdown(rows: list[ByMonths], phase_code: str) -> list[str]:
    lines = [
        "",
        "## Erreur et intervalle selon le nombre de mois observés",
        "",
        f"La même phase {phase_code} coupée après son premier mois, ses deux premiers, … ses six "
        "premiers : moyenne sur les régions de l'erreur absolue de la projection, largeur "
        "moyenne de l'intervalle à 80 % (en part des entrées finalement comptées) et part des "
        "régions dont les entrées finales tombent dans l'intervalle. L'intervalle s'élargit "
        "quand les mois observés sont moins nombreux ; `jalon prevision` refuse une phase "
        "sans aucun mois observé. Une part de régions sous 80 % dit que l'intervalle reste "
        "trop étroit pour ce nombre de mois : en début de phase, la montée en charge du plan "
        "déplace encore le rapport aux mois de référence, et la projection sous-estime.",
        "",
        "| Mois observés | Erreur moyenne | Largeur de l'intervalle | Régions dans l'intervalle |",
        "|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row.months} | {pourcentage(row.error, 1)} | {pourcentage(row.width, 1)} | "
            f"{pourcentage(row.coverage)} ({nombre(round(row.coverage * row.regions))} "
            f"sur {nombre(row.regions)}) |"
        )
    return lines


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
    lines += _by_months_markdown(backtest_by_months(con, plan, phase_code), phase_code)
    return "\n".join(lines) + "\n"
