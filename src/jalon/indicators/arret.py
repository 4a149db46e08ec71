"""Date d'arrêt des données, and a phase as observed at a date (`Arret`).

Every figure of Jalon is "as of" a date. `data_cutoffs` reads it from the store (one grouped
query of `definitions.latest_entries`): for each region, the end of the latest month its imported
entries reach. Funders send monthly exports, each covering whole months of entries, so the month
of the latest entry is the last month the files cover; the import date plays no part. `arret_of`
combines it with an optional earlier date asked for (`--au`, `?au=`) into an `Arret`: the date
the figures are computed at, whether the phase is still *en cours* then, how many of its months
are observed (complete months), and the windows a like-for-like comparison reads (`window`: the
phase and its reference window cut at the same point; `year_before`: the same days a year
earlier, for the year-on-year change). Pure, except `data_cutoffs`.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from ibis.backends import BaseBackend

from jalon.formatting import date_longue
from jalon.indicators import definitions as d
from jalon.plan import Phase


def month_range(start: dt.date, end: dt.date) -> list[int]:
    """The month numbers (months since year 0) from `start`'s month to `end`'s, inclusive."""
    first = start.year * 12 + start.month - 1
    return list(range(first, end.year * 12 + end.month))


def month_end(month: int) -> dt.date:
    year, number = divmod(month, 12)
    return dt.date(year, number + 1, calendar.monthrange(year, number + 1)[1])


def _is_month_end(day: dt.date) -> bool:
    return day.day == calendar.monthrange(day.year, day.month)[1]


def shift_months(day: dt.date, months: int) -> dt.date:
    """`day` moved by `months` months; a month's last day stays its month's last day (31 March
    2017 → 31 March 2016, 30 June → 30 June), other days are kept or clamped (29 February)."""
    number = day.year * 12 + day.month - 1 + months
    if _is_month_end(day):
        return month_end(number)
    year, month = divmod(number, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _months_between(start: dt.date, later: dt.date) -> int:
    return (later.year - start.year) * 12 + later.month - start.month


EARLIEST_AU = dt.date(1900, 1, 1)


class ArretError(ValueError):
    """A date asked for that no figure can be computed at (told in French)."""


@dataclass(frozen=True)
class Arret:
    """A phase observed at `date`: `data_date` is the data's own cut-off (None: no entry at
    all), `requested` the earlier date asked for, if any."""

    phase: Phase
    date: dt.date
    data_date: dt.date | None
    requested: dt.date | None = None

    @property
    def end(self) -> dt.date:
        """The last day the figures count: the cut-off, or the phase end if it came first."""
        return min(self.phase.end, self.date)

    @property
    def en_cours(self) -> bool:
        return self.date < self.phase.end

    @property
    def months_total(self) -> int:
        return len(month_range(self.phase.start, self.phase.end))

    @property
    def months_observed(self) -> int:
        """Complete months of the phase at the cut-off."""
        if not self.en_cours:
            return self.months_total
        months = month_range(self.phase.start, self.phase.end)
        return sum(1 for m in months if month_end(m) <= self.date)

    @property
    def months_shown(self) -> list[int]:
        """The months of the phase with at least one day observed (the last may be partial)."""
        if self.date < self.phase.start:
            return []
        return month_range(self.phase.start, self.end)

    @property
    def window(self) -> Phase:
        """The phase cut at `end`, with its reference window cut at the same point (the same
        months and days): what a like-for-like comparison counts."""
        if not self.en_cours:
            return self.phase
        offset = _months_between(self.phase.start, self.phase.reference_start)
        reference_end = min(self.phase.reference_end, shift_months(self.date, offset))
        # Built without validation: a phase not yet begun at the cut-off has an empty window
        # (its end before its start), which every window filter reads as no day at all.
        return Phase.model_construct(
            **{**self.phase.model_dump(), "end": self.date, "reference_end": reference_end}
        )

    @property
    def year_before(self) -> tuple[dt.date, dt.date]:
        """The same days a year earlier (year-on-year change, « glissement annuel »)."""
        return shift_months(self.phase.start, -12), shift_months(self.end, -12)

    @property
    def etat(self) -> str:
        """« phase en cours : 3 mois sur 6 » or « phase terminée »."""
        if not self.en_cours:
            return "phase terminée"
        return f"phase en cours : {self.months_observed} mois sur {self.months_total}"

    @property
    def mention(self) -> str:
        """« Données arrêtées au 31 mars 2017 » (or the earlier date asked for)."""
        if self.data_date is None:
            return "Aucune donnée importée"
        return f"Données arrêtées au {date_longue(self.date)}"

    def as_dict(self) -> dict[str, object]:
        return {
            "date_arret": self.date.isoformat() if self.data_date is not None else None,
            "date_arret_donnees": None if self.data_date is None else self.data_date.isoformat(),
            "au": None if self.requested is None else self.requested.isoformat(),
            "phase_en_cours": self.en_cours,
            "mois_observes": self.months_observed,
            "mois_total": self.months_total,
            "etat_phase": self.etat,
        }


def arret_of(phase: Phase, data_date: dt.date | None, requested: dt.date | None = None) -> Arret:
    """The phase as observed at the earlier of the data's cut-off and the date asked for (a
    later date than the data's cannot be observed). No data: the phase is taken whole, every
    figure being zero."""
    if data_date is None:
        return Arret(phase, requested or phase.end, None, requested)
    date = data_date if requested is None else min(requested, data_date)
    return Arret(phase, date, data_date, requested)


def data_cutoffs(backend: BaseBackend) -> dict[str | None, dt.date]:
    """The date d'arrêt des données of each region with entries (key `None`: the nation, the
    latest of the regions': a region whose files stop earlier has its own, earlier date, and a
    region with a few entries only cannot hold back the whole nation)."""
    table = d.latest_entries(backend.table("entrees"))
    rows = backend.to_pyarrow(table).to_pylist()
    every = [
        (r["region"], month_end(r["derniere"].year * 12 + r["derniere"].month - 1))
        for r in rows
        if r["derniere"] is not None
    ]
    dates: dict[str | None, dt.date] = {code: day for code, day in every if code is not None}
    if every:  # entries of no known region count for the nation
        dates[None] = max(day for _, day in every)
    return dates


def cutoff_for(dates: dict[str | None, dt.date], region: str | None) -> dt.date | None:
    """A region's date d'arrêt; a region without entries takes the nation's."""
    return dates.get(region, dates.get(None))


def parse_au(text: str | None) -> dt.date | None:
    """The date of `--au` / `?au=` (AAAA-MM-JJ), or a French error saying what was expected."""
    if text is None or not text.strip():
        return None
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ArretError(
            f"date d'arrêt « {text} » illisible : attendu une date AAAA-MM-JJ, "
            "par exemple 2017-03-31."
        ) from None
    # The reference window and the year before are read months earlier: a date of the first
    # centuries would fall before year 1, which no calendar date can hold.
    if day < EARLIEST_AU:
        raise ArretError(
            f"date d'arrêt « {text} » hors des dates possibles : attendu une date AAAA-MM-JJ "
            f"à partir du {date_longue(EARLIEST_AU)}."
        )
    return day
