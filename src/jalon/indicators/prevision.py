"""Forecast of a phase in progress, as of its date d'arrêt des données: projected entries at the
phase end, with an 80 % interval, the monthly pace needed to reach the target and the
probability of reaching it.

The arithmetic is `jalon.indicators.projection` (pure); this module reads the store (grouped
queries of monthly entries per region, and the data's cut-off: `jalon.indicators.arret`) and
gathers the interval's calibration: the errors the same projection made, with as many months
observed, on every region of the plan's phases already finished at the date d'arrêt; without
them (the plan's first phase) the interval is the model's and no probability is given. A phase
with no complete month observed at the cut-off is refused (`PrevisionError`, in French):
nothing can be projected from nothing. The backtest is `jalon.indicators.prevision_backtest`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, replace

import duckdb
import ibis

from jalon.formatting import date_longue, nombre
from jalon.indicators import definitions as d
from jalon.indicators.arret import Arret, arret_of, cutoff_for, data_cutoffs, month_end, month_range
from jalon.indicators.bilan import targets_of
from jalon.indicators.projection import MIN_CALIBRATION, Forecast, forecast, relative_error
from jalon.plan import Phase, Plan
from jalon.reference import regions

METHOD = (
    "projection par le rapport des derniers mois observés aux mêmes mois de la période de "
    "référence, appliqué au profil mensuel de référence"
)

__all__ = ["Forecast", "Prevision", "PrevisionError", "compute_prevision", "forecast"]


INTERVAL_LABELS = {
    "calibre": "intervalle à 80\u00a0%",
    # Without measured errors the model's band is no 80 % interval: the backtest found it far
    # too narrow early in a phase, so it is not called one.
    "modele": "fourchette du modèle, non calibrée",
}


def interval_label(forecast: Forecast) -> str:
    """How the band around a projection is called: « intervalle à 80 % » only when measured."""
    return INTERVAL_LABELS.get(forecast.interval, "")


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
class Series:
    """A territory's entries in each month of a phase, and in the same months of its reference
    window (zero past the reference window's end)."""

    months: list[int]
    entries: list[int]
    reference: list[int]


def phase_series(
    con: duckdb.DuckDBPyConnection, plan: Plan, phase_code: str
) -> dict[str | None, Series]:
    """Every region's series of a phase (key None: the nation, entries without a region
    included); a region without entries has none."""
    phase = plan.phase(phase_code)
    backend = ibis.duckdb.from_connection(con)
    t = d.Tables.of(backend)
    months = month_range(phase.start, phase.end)
    ref_months = month_range(phase.reference_start, phase.reference_end)[: len(months)]

    def totals(start: dt.date, end: dt.date) -> dict[tuple[str | None, int], int]:
        result: dict[tuple[str | None, int], int] = {}
        table = d.entries_by_month(t, plan, start, end, None)
        for row in backend.to_pyarrow(table).to_pylist():
            for key in {(row["region"], row["mois"]), (None, row["mois"])}:
                result[key] = result.get(key, 0) + row["entrees"]
        return result

    entries = totals(phase.start, phase.end)
    reference = totals(phase.reference_start, phase.reference_end)
    scopes = {scope for scope, _ in entries} | {scope for scope, _ in reference} | {None}
    ref_padding = [0] * (len(months) - len(ref_months))
    return {
        scope: Series(
            months,
            [entries.get((scope, m), 0) for m in months],
            [reference.get((scope, m), 0) for m in ref_months] + ref_padding,
        )
        for scope in scopes
    }


def region_errors(
    series: dict[str | None, Series], months: int, skip: str | None = None
) -> list[float]:
    """Each region's relative error (`projection.relative_error`) on a finished phase cut after
    `months` months, but region `skip`'s."""
    errors = []
    for reg in regions():
        found = series.get(reg.code)
        if reg.code == skip or found is None or months >= len(found.months):
            continue
        if (error := relative_error(found.entries, found.reference, months)) is not None:
            errors.append(error)
    return errors


def finished_phases(plan: Plan, date: dt.date, months: int) -> list[Phase]:
    """The plan's phases over at `date` that are longer than `months` months."""
    return [p for p in plan.phases if p.end <= date and len(month_range(p.start, p.end)) > months]


def interval_note(months: int, total: int, cases: int, phases: list[Phase]) -> str:
    """How the interval was made, in French, after `METHOD` (a finished phase has none)."""
    if months >= total:
        return f"{METHOD} ; phase terminée : son total est définitif, sans intervalle"
    if cases >= MIN_CALIBRATION:
        labels = ", ".join(p.label for p in phases)
        return (
            f"{METHOD} ; intervalle à 80 % : enveloppe des erreurs de cette même projection "
            f"après {nombre(months)} mois observés, sur {nombre(cases)} cas (régions des phases "
            f"terminées : {labels}), et de la fourchette du modèle"
        )
    return (
        f"{METHOD} ; fourchette du seul modèle, non calibrée (dispersion des rapports mensuels "
        "et aléa de comptage), faute de phase terminée sur laquelle mesurer les erreurs de la "
        "projection : ce n'est pas un intervalle à 80 %, le backtest la trouve bien trop "
        "étroite en début de phase ; pour la même raison, la probabilité d'atteindre "
        "l'objectif n'est pas estimée"
    )


def published_forecast(
    observed: list[int], reference: list[int], target: int | None, errors: list[float]
) -> Forecast:
    """`forecast`, without a probability of reaching the target when too few errors calibrate
    it: the model's own probability, measured by the backtest early in a phase, did worse than
    saying 50 % every time."""
    f = forecast(observed, reference, target, errors)
    if len(errors) < MIN_CALIBRATION and f.months_observed < f.months_total:
        return replace(f, probability=None)
    return f


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
    k = arret.months_observed
    if k == 0:
        first = month_end(month_range(phase.start, phase.end)[0])
        raise PrevisionError(
            f"pas de prévision pour la phase {phase.code} ({phase.label}) : aucun de ses mois "
            f"n'est observé au {date_longue(arret.date)} ({arret.mention.lower()}). Une "
            f"projection demande au moins un mois complet, soit des données au "
            f"{date_longue(first)} ou après."
        )
    series = phase_series(con, plan, phase_code).get(region)
    if series is None:
        months = month_range(phase.start, phase.end)
        series = Series(months, [0] * len(months), [0] * len(months))
    # a finished phase has no interval to calibrate
    calibration = [] if k >= len(series.months) else finished_phases(plan, arret.date, k)
    errors = [e for p in calibration for e in region_errors(phase_series(con, plan, p.code), k)]
    target = targets_of(plan, phase_code, region)[1]
    return Prevision(
        plan.code,
        phase_code,
        region,
        arret.date,
        published_forecast(series.entries[:k], series.reference, target, errors),
        interval_note(k, len(series.months), len(errors), calibration),
        arret=arret,
    )
