"""The quality report of the imported files, per source: read-only queries on the store.

`quality_report(con, plan, phase, region)` answers the data officer's two questions: what did
each funder send, and what is wrong in it (files, lines, rejections and anomalies by reason and
column, per source and month of the data); and who has not sent their file (coverage of a phase:
region × month × source, and the missing cells, in French).

Conventions, also stated in docs/import.md:
- only active imports count (a replaced file's lines have left the store);
- the month of a line is its entry date (trainee files), its session start (LHEO offer) or its
  declared month (aggregate counts); a file is received in every month its accepted lines cover;
- a rejected line has no trustworthy date nor place, so a file's lines read, rejected lines,
  lines with anomalies and duplicates are counted in its *principal* month and region (those of
  most of its accepted lines); a file with no dated line is shown without a month; for one region,
  a file mainly of another region contributes only its accepted lines of that region;
- a source sent for a single region is expected there only; a source sent for several regions is
  expected in every region; months are expected up to the last month any source has data for.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import duckdb
from babel.dates import format_date

from jalon.formatting import LOCALE
from jalon.ingest.reasons import reason_label
from jalon.plan import Plan
from jalon.reference import departements, regions
from jalon.reference import region as region_of
from jalon.sources import ProfileError, find_profile

# Short names of the built-in sources, as a data officer names the sender.
SOURCE_NAMES = {
    "pe-stagiaires": "Pôle emploi",
    "region-stagiaires": "Conseil régional",
    "lheo": "Offre de formation (LHEO)",
    "actions-agregees": "Actions agrégées",
    "personnes": "Registre des demandeurs d'emploi",
    "demandeurs": "Demandeurs d'emploi par région",
    "emplois": "Périodes d'emploi",
}


def source_name(profile: str) -> str:
    if profile in SOURCE_NAMES:
        return SOURCE_NAMES[profile]
    try:
        return find_profile(profile).label
    except (ProfileError, KeyError):
        return profile


def month_label(month: dt.date | None) -> str:
    """« mars 2016 »; « sans mois » for a file with no dated line."""
    return "sans mois" if month is None else format_date(month, format="MMMM y", locale=LOCALE)


def month_short(month: dt.date, among: tuple[dt.date, ...]) -> str:
    """« janv. » in a column header; « janv. 17 » when the months span several years."""
    pattern = "MMM" if len({m.year for m in among}) <= 1 else "MMM yy"
    return format_date(month, format=pattern, locale=LOCALE)


@dataclass(frozen=True)
class MonthRow:
    source: str
    source_label: str
    month: dt.date | None
    files: int
    lines_read: int
    accepted: int
    rejected: int
    with_anomalies: int
    duplicates: int


@dataclass(frozen=True)
class ReasonRow:
    source: str
    source_label: str
    kind: str  # « rejet » or « anomalie »
    reason: str
    reason_label: str
    column: str | None
    lines: int


@dataclass(frozen=True)
class CoverageCell:
    source: str
    region: str
    month: dt.date
    lines: int


@dataclass(frozen=True)
class Missing:
    source: str
    region: str
    months: tuple[dt.date, ...]
    whole_phase: bool
    message: str


@dataclass(frozen=True)
class QualityReport:
    phase: str
    region: str | None
    months: tuple[dt.date, ...]
    expected_until: dt.date | None
    regions: tuple[str, ...]
    sources: tuple[str, ...]
    rows: list[MonthRow] = field(default_factory=list)
    reasons: list[ReasonRow] = field(default_factory=list)
    coverage: list[CoverageCell] = field(default_factory=list)
    missing: list[Missing] = field(default_factory=list)

    def lines_in(self, source: str, region: str, month: dt.date) -> int:
        return next(
            (
                c.lines
                for c in self.coverage
                if (c.source, c.region, c.month) == (source, region, month)
            ),
            0,
        )

    def grid(self, source: str) -> list[tuple[str, list[tuple[int, bool]]]]:
        """Rows (region code, [(lines, missing) per phase month]) of the regions the source
        sent data for or is expected in, in the reference order of regions."""
        absent = {(m.region, d) for m in self.missing if m.source == source for d in m.months}
        lines = {(c.region, c.month): c.lines for c in self.coverage if c.source == source}
        shown = {r for r, _ in lines} | {r for r, _ in absent}
        return [
            (code, [(lines.get((code, m), 0), (code, m) in absent) for m in self.months])
            for code in self.regions
            if code in shown
        ]

    def as_dict(self) -> dict[str, Any]:
        """The JSON twin, with the French keys of the other JSON answers; months as `AAAA-MM`."""
        return {
            "phase": self.phase,
            "region": self.region,
            "mois_de_la_phase": [_iso(m) for m in self.months],
            "mois_attendus_jusqu_a": _iso(self.expected_until),
            "regions": list(self.regions),
            "sources": [{"code": s, "libelle": source_name(s)} for s in self.sources],
            "par_mois": [
                {
                    "source": r.source,
                    "libelle_source": r.source_label,
                    "mois": _iso(r.month),
                    "fichiers": r.files,
                    "lues": r.lines_read,
                    "acceptees": r.accepted,
                    "rejetees": r.rejected,
                    "avec_anomalies": r.with_anomalies,
                    "doublons": r.duplicates,
                }
                for r in self.rows
            ],
            "motifs": [
                {
                    "source": r.source,
                    "libelle_source": r.source_label,
                    "type": r.kind,
                    "motif": r.reason,
                    "libelle_motif": r.reason_label,
                    "colonne": r.column,
                    "lignes": r.lines,
                }
                for r in self.reasons
            ],
            "couverture": [
                {"source": c.source, "region": c.region, "mois": _iso(c.month), "lignes": c.lines}
                for c in self.coverage
            ],
            "manquants": [
                {
                    "source": m.source,
                    "region": m.region,
                    "mois": [_iso(d) for d in m.months],
                    "phase_entiere": m.whole_phase,
                    "message": m.message,
                }
                for m in self.missing
            ],
        }


def _iso(month: dt.date | None) -> str | None:
    return month.isoformat()[:7] if month is not None else None


def phase_months(start: dt.date, end: dt.date) -> tuple[dt.date, ...]:
    months = []
    current = start.replace(day=1)
    while current <= end:
        months.append(current)
        current = (current + dt.timedelta(days=32)).replace(day=1)
    return tuple(months)


def _departement_values() -> str:
    """The département → region map as an SQL VALUES list (reference data, not user input)."""
    pairs = ", ".join(f"('{d.code}', '{d.region}')" for d in departements())
    return f"(VALUES {pairs}) AS ref(dep, reg)"


def _located(con: duckdb.DuckDBPyConnection) -> list[tuple[int, dt.date | None, str | None, int]]:
    """Accepted records of active imports per (import, month, region): the lines' own month."""
    return [
        (int(i), m, r, int(n))
        for i, m, r, n in con.execute(
            f"""
            WITH located AS (
                SELECT e.import_id, date_trunc('month', e.date_entree) AS mois, ref.reg AS region
                FROM entree_lignes e LEFT JOIN {_departement_values()} ON ref.dep = e.departement
                UNION ALL
                SELECT s.import_id, date_trunc('month', s.debut), a.region
                FROM offre_sessions s LEFT JOIN offre_actions a
                  ON a.import_id = s.import_id AND a.numero = s.action
                UNION ALL
                SELECT import_id, make_date(annee, mois, 1), region FROM actions_agregees
            )
            SELECT l.import_id, CAST(l.mois AS DATE), l.region, count(*)
            FROM located l JOIN imports i ON i.import_id = l.import_id AND i.status = 'actif'
            GROUP BY ALL
            """
        ).fetchall()
    ]


def _principal(counts: Counter[Any]) -> Any:
    """The key with most lines; ties go to the smallest key (earliest month, lowest code)."""
    return min(counts, key=lambda k: (-counts[k], k is None, str(k)))


def quality_report(
    con: duckdb.DuckDBPyConnection, plan: Plan, phase: str | None = None, region: str | None = None
) -> QualityReport:
    phase_def = plan.phase(phase or plan.phases[0].code)
    scope = region_of(region).code if region is not None else None
    located = _located(con)
    files = {
        int(r[0]): r[1:]
        for r in con.execute(
            "SELECT import_id, profile, lines_read, accepted, rejected, "
            "coalesce(with_anomalies, 0), duplicates FROM imports WHERE status = 'actif'"
        ).fetchall()
    }

    by_month: dict[int, Counter[dt.date | None]] = defaultdict(Counter)
    by_region: dict[int, Counter[str | None]] = defaultdict(Counter)
    for import_id, month, reg, n in located:
        by_month[import_id][month] += n
        by_region[import_id][reg] += n
    principal_region = {i: _principal(c) for i, c in by_region.items()}
    in_scope = {
        i for i in files if scope is None or (i in by_region and principal_region[i] == scope)
    }

    rows = _month_rows(files, located, by_month, in_scope, scope)
    reasons = _reason_rows(con, in_scope, files)
    coverage, missing, until, grid_sources = _coverage(
        files, located, phase_months(phase_def.start, phase_def.end), scope, phase_def.code
    )
    return QualityReport(
        phase=phase_def.code,
        region=scope,
        months=phase_months(phase_def.start, phase_def.end),
        expected_until=until,
        regions=tuple(r.code for r in regions() if scope is None or r.code == scope),
        sources=grid_sources,
        rows=rows,
        reasons=reasons,
        coverage=coverage,
        missing=missing,
    )


def _month_rows(
    files: dict[int, tuple[Any, ...]],
    located: list[tuple[int, dt.date | None, str | None, int]],
    by_month: dict[int, Counter[dt.date | None]],
    in_scope: set[int],
    scope: str | None,
) -> list[MonthRow]:
    accepted: Counter[tuple[str, dt.date | None]] = Counter()
    received: dict[tuple[str, dt.date | None], set[int]] = defaultdict(set)
    totals: dict[tuple[str, dt.date | None], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for import_id, month, reg, n in located:
        if scope is None or reg == scope:
            key = (files[import_id][0], month)
            accepted[key] += n
            received[key].add(import_id)
            if import_id not in in_scope:
                # A file mainly of another region: only its lines of this region are known here.
                totals[key][0] += n
    for import_id in in_scope:
        profile, lines_read, file_accepted, rejected, anomalies, duplicates = files[import_id]
        month = _principal(by_month[import_id]) if import_id in by_month else None
        key = (profile, month)
        if import_id not in by_month:
            accepted[key] += int(file_accepted)
            received[key].add(import_id)
        for index, value in enumerate((lines_read, rejected, anomalies, duplicates)):
            totals[key][index] += int(value)
    keys = sorted(
        set(accepted) | set(totals), key=lambda k: (k[0], k[1] is None, k[1] or dt.date.min)
    )
    return [
        MonthRow(
            source=profile,
            source_label=source_name(profile),
            month=month,
            files=len(received.get((profile, month), ())),
            lines_read=totals[(profile, month)][0],
            accepted=accepted[(profile, month)],
            rejected=totals[(profile, month)][1],
            with_anomalies=totals[(profile, month)][2],
            duplicates=totals[(profile, month)][3],
        )
        for profile, month in keys
    ]


def _reason_rows(
    con: duckdb.DuckDBPyConnection, in_scope: set[int], files: dict[int, tuple[Any, ...]]
) -> list[ReasonRow]:
    counts: Counter[tuple[str, str, str, str | None]] = Counter()
    for kind, table in (("rejet", "rejets"), ("anomalie", "anomalies")):
        for import_id, reason, column, n in con.execute(
            f"SELECT import_id, reason, column_name, count(*) FROM {table} GROUP BY ALL"
        ).fetchall():
            if int(import_id) in in_scope:
                counts[(files[int(import_id)][0], kind, reason, column)] += int(n)
    return [
        ReasonRow(s, source_name(s), kind, reason, reason_label(reason), column, n)
        for (s, kind, reason, column), n in sorted(
            counts.items(), key=lambda item: (item[0][0], item[0][1] != "rejet", -item[1])
        )
    ]


def _coverage(
    files: dict[int, tuple[Any, ...]],
    located: list[tuple[int, dt.date | None, str | None, int]],
    months: tuple[dt.date, ...],
    scope: str | None,
    phase: str,
) -> tuple[list[CoverageCell], list[Missing], dt.date | None, tuple[str, ...]]:
    cells: Counter[tuple[str, str, dt.date]] = Counter()
    regions_of_source: dict[str, set[str]] = defaultdict(set)
    last: dt.date | None = None
    for import_id, month, reg, n in located:
        if month is None or reg is None or month not in months:
            continue
        source = files[import_id][0]
        regions_of_source[source].add(reg)
        last = month if last is None or month > last else last
        if scope is None or reg == scope:
            cells[(source, reg, month)] += n
    scope_regions = [r for r in regions() if scope is None or r.code == scope]
    expected_months = [m for m in months if last is not None and m <= last]
    missing = []
    for source in sorted(regions_of_source):
        sent_to = regions_of_source[source]
        for area in scope_regions:
            if len(sent_to) < 2 and area.code not in sent_to:
                continue
            absent = tuple(m for m in expected_months if (source, area.code, m) not in cells)
            if not absent:
                continue
            whole = len(absent) == len(expected_months)
            name = source_name(source)
            if whole:
                missing.append(
                    Missing(
                        source,
                        area.code,
                        absent,
                        True,
                        f"{name} : aucune donnée pour {area.nom} sur toute la phase {phase}",
                    )
                )
                continue
            missing.extend(
                Missing(
                    source,
                    area.code,
                    (m,),
                    False,
                    f"{name} : aucune donnée pour {area.nom} en {month_label(m)}",
                )
                for m in absent
            )
    coverage = [CoverageCell(s, r, m, n) for (s, r, m), n in sorted(cells.items())]
    return coverage, missing, last, tuple(sorted(regions_of_source))
