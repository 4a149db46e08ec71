"""The bilan of one phase for one region or the nation: the figures and tables, built once per view.

`compute_bilan` runs the definitions of `jalon.indicators.definitions` on the store (read only)
and returns plain data (`Bilan`), which the CLI, reports, web pages and exports render as text,
HTML, JSON, CSV or PDF. `compute_all_bilans` builds the national bilan and every regional one from
the same few grouped queries (one scan per family of indicators, grouped by region, then sliced),
which is what the national views and the benchmark use. Tables come out *before* statistical
secrecy: public outputs pass them through `jalon.indicators.secret.apply_secret_bilan`. A figure
read from a source never imported (`SOURCES`: no LHEO offer, no jobs, no persons…) is `None`
("donnée non disponible"), never 0.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import duckdb
import ibis
from babel.dates import format_date
from ibis.backends import BaseBackend

from jalon.formatting import date_longue, nombre
from jalon.indicators.arret import Arret, arret_of, cutoff_for, data_cutoffs, month_range
from jalon.indicators.perimetre import realisation, scope_note
from jalon.indicators.projection import forecast
from jalon.indicators.queries import MONTH_FINANCEUR, QueryResults, collect_duckdb, collect_on
from jalon.indicators.registry import BREAKDOWN_SPECS, CROSSING_SPECS, REGISTRY
from jalon.plan import Plan, Target
from jalon.reference import departements, financeurs, formacode_domaine, niveaux

Value = float | int | None
UNKNOWN = "inconnu"
CROSS_SEP = "|"  # between the two keys of a crossing's row key (month, financeur principal)
KEYED_DIMENSIONS = (
    "financeur_principal",
    "financeur",
    "departement",
    "domaine",
    "organisme",
    "tranche_age",
    "niveau",
)
# Tables of the sources other than the funders' files; a figure read from a source never
# imported is "donnée non disponible" (`None`), not zero.
SOURCES = ("personnes", "emplois", "demandeurs", "actions_agregees", "places")
PUBLICS = (
    ("peu_qualifies", "Peu ou pas qualifiés (niveau V ou infra)", "part_peu_qualifies"),
    ("jeunes", "Jeunes", "part_jeunes"),
    ("seniors", "Seniors", "part_seniors"),
    ("deld", "Demandeurs d'emploi de longue durée", "part_deld"),
    ("handicapes", "Travailleurs handicapés", "part_handicapes"),
)


@dataclass(frozen=True)
class Figure:
    code: str
    value: Value
    note: str | None = None
    # The counts of people a ratio is computed from (numerator, denominator): secrecy hides the
    # ratio when one of them is small. Never published as such.
    counts: tuple[int, ...] = ()

    @property
    def label(self) -> str:
        return REGISTRY[self.code].label


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    values: dict[str, Value]
    suppressed: frozenset[str] = frozenset()  # columns hidden by statistical secrecy


@dataclass(frozen=True)
class Breakdown:
    """A table of a bilan: one row per value of `dimension`, one column per measure code."""

    code: str
    label: str
    dimension: str
    columns: tuple[str, ...]
    rows: list[Row]
    secret_threshold: int | None = None  # set once `apply_secret` has run
    total_suppressed: frozenset[str] = frozenset()  # columns whose total must not be published

    def as_dict(self) -> dict[str, object]:
        return {
            "libelle": self.label,
            "dimension": self.dimension,
            "colonnes": list(self.columns),
            "lignes": [
                {"cle": r.key, "libelle": r.label, **r.values, "masque": sorted(r.suppressed)}
                for r in self.rows
            ],
            "secret_seuil": self.secret_threshold,
            "total_masque": sorted(self.total_suppressed),
        }

    def total(self, column: str) -> int | float:
        return sum(r.values[column] or 0 for r in self.rows)

    @property
    def secondary_heading(self) -> str | None:
        """Heading of the table's second text column (`SECONDARY`), if it has one."""
        return SECONDARY.get(self.code)

    def secondary(self, row: Row) -> str | None:
        """A row's second text cell: the SIRET or Formacode digits it is labelled after."""
        return secondary(self.code, row.key)


@dataclass(frozen=True)
class Bilan:
    plan: str
    plan_sha256: str
    phase: str
    region: str | None
    figures: list[Figure] = field(default_factory=list)
    breakdowns: list[Breakdown] = field(default_factory=list)
    arret: Arret | None = None  # the date the figures are as of (None: a bilan built by hand)
    # Tables crossing two of `breakdowns` (`CROSSING_SPECS`), published in the open data set
    # only: not rendered with the bilan, but protected by secrecy with its tables.
    crossings: list[Breakdown] = field(default_factory=list)

    @property
    def en_cours(self) -> bool:
        return self.arret is not None and self.arret.en_cours

    def value(self, code: str) -> Value:
        return next(f.value for f in self.figures if f.code == code)

    def breakdown(self, code: str) -> Breakdown:
        return next(b for b in self.breakdowns if b.code == code)

    def as_dict(self) -> dict[str, object]:
        return {
            "plan": self.plan,
            "plan_sha256": self.plan_sha256,
            "phase": self.phase,
            "region": self.region,
            **({} if self.arret is None else self.arret.as_dict()),
            "indicateurs": {
                f.code: {"libelle": f.label, "valeur": f.value, "note": f.note}
                for f in self.figures
            },
            "ventilations": {b.code: b.as_dict() for b in self.breakdowns},
        }


def _targets(plan: Plan, phase: str, region: str | None) -> list[Target]:
    conventions = (
        plan.conventions if region is None else [c for c in plan.conventions if c.region == region]
    )
    return [t for c in conventions if (t := c.target(phase))]


def targets_of(
    plan: Plan, phase: str, region: str | None
) -> tuple[int | None, int | None, int | None, bool]:
    """Additional, total and baseline targets of the phase (summed over regions for the nation),
    and whether the figure the realisation rate reads is, for any of them, an estimate."""
    targets = _targets(plan, phase, region)
    if not targets:
        return None, None, None, False
    return (
        sum(t.additional_entries for t in targets),
        sum(t.total_entries for t in targets),
        sum(t.declared_baseline for t in targets),
        any(t.is_estimated(plan.rules.target_figure) for t in targets),
    )


def estimated_note(plan: Plan, phase: str, region: str | None, figure: str) -> str | None:
    """The note of a target figure (additional_entries, total_entries, declared_baseline) that is
    an estimate: for the nation, a sum of conventions of which only some may be estimated."""
    targets = _targets(plan, phase, region)
    estimated = sum(t.is_estimated(figure) for t in targets)
    if not estimated:
        return None
    if region is not None:
        return "objectif estimé (valeur publique inconnue)"
    return (
        f"objectif estimé en partie : somme des conventions, dont {estimated} sur "
        f"{len(targets)} estimées"
    )


def _sum(rows: Iterable[dict[str, Any]], column: str) -> int | float:
    return sum(r[column] or 0 for r in rows)


def _sum_by(rows: Iterable[dict[str, Any]], key: str, column: str) -> dict[Any, int]:
    totals: dict[Any, int] = defaultdict(int)
    for r in rows:
        totals[r[key]] += r[column] or 0
    return dict(totals)


def _ratio(numerator: float | int | None, denominator: float | int | None) -> float | None:
    if numerator is None or not denominator:
        return None
    return numerator / denominator


def _month_key(month: int) -> str:
    return f"{month // 12:04d}-{month % 12 + 1:02d}"


def _month_label(month: int) -> str:
    return format_date(dt.date(month // 12, month % 12 + 1, 1), format="MMMM y", locale="fr_FR")


def _age_labels(plan: Plan) -> dict[str, str]:
    publics = plan.rules.publics
    return {
        "jeunes": f"Moins de {publics.young_max_age + 1} ans",
        "intermediaire": f"{publics.young_max_age + 1} à {publics.senior_min_age - 1} ans",
        "seniors": f"{publics.senior_min_age} ans ou plus",
        UNKNOWN: "Âge inconnu",
    }


def _labeller(dimension: str, plan: Plan) -> tuple[dict[str, str], bool]:
    """Labels of a dimension's keys, and whether rows keep the label order (else by key)."""
    if dimension in ("financeur", "financeur_principal", "places_financeur"):
        return {str(code): label for code, label in financeurs(court=True).items()}, False
    if dimension == "departement":
        return {dep.code: f"{dep.code} {dep.nom}" for dep in departements()}, False
    if dimension == "niveau":
        return {
            str(code): n.libelle[:1].upper() + n.libelle[1:] for code, n in niveaux().items()
        }, False
    if dimension == "tranche_age":
        return _age_labels(plan), True
    if dimension == "type_action":
        return {
            "accompagnement-creation": "Accompagnement à la création d'entreprise",
            "contrat-professionnalisation": "Contrats de professionnalisation",
            "vae-collective": "VAE collective",
        }, False
    return {}, False


#: Tables whose rows have a second text column after their label: its heading.
SECONDARY = {"domaine": "Formacode", "organisme": "SIRET"}


def siret_affiche(siret: str) -> str:
    """A SIRET as it is usually written (SIREN in three groups, then the NIC):
    "983 981 201 75782", with no-break spaces; any other value unchanged."""
    if len(siret) != 14 or not siret.isdigit():
        return siret
    return "\u00a0".join((siret[:3], siret[3:6], siret[6:9], siret[9:]))


def secondary(dimension: str, key: str) -> str | None:
    """The second text column of a row of a `SECONDARY` table (the Formacode digits, the
    SIRET); None for other tables and for the rows that group or lack a value."""
    if dimension not in SECONDARY or key in (UNKNOWN, "autres"):
        return None
    return siret_affiche(key) if dimension == "organisme" else key


def organisation_names(rows: Iterable[dict[str, Any]]) -> dict[str, str]:
    """The name of each SIRET from the counts of `queries.organisme_names`: its most frequent
    name once trimmed, ties going to the first in alphabetical order (the same store always
    gives the same name); blank names are none."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for row in rows:
        name = row["organisme"].strip()
        if name:
            counts[row["siret"]][name] += row["lignes"]
    return {
        siret: min(names.items(), key=lambda item: (-item[1], item[0]))[0]
        for siret, names in counts.items()
    }


def _label(
    dimension: str, key: str, labels: dict[str, str], names: dict[str, str] | None = None
) -> str:
    if key == UNKNOWN:
        return "Non renseigné"
    if dimension == "domaine":
        return formacode_domaine(key) or "Domaine absent du Formacode"
    if dimension == "organisme":
        return (names or {}).get(key) or f"SIRET {siret_affiche(key)}"
    return labels.get(key, key)


def _make_breakdown(code: str, rows: list[Row]) -> Breakdown:
    spec = BREAKDOWN_SPECS[code]
    return Breakdown(code, spec.label, spec.dimension, spec.columns, rows)


def _keyed_breakdown(
    code: str,
    totals: dict[Any, int],
    column: str,
    plan: Plan,
    dimension: str | None = None,
    names: dict[str, str] | None = None,
) -> Breakdown:
    """`names`: the training organisations' names by SIRET (by-organisation table)."""
    labels, fixed_order = _labeller(dimension or code, plan)
    values = {UNKNOWN if k is None else str(k): v for k, v in totals.items() if v}
    if fixed_order:
        keys = [k for k in labels if k in values]
    elif code == "organisme":
        keys = sorted((k for k in values if k != "autres"), key=lambda k: (-values[k], k))
        rows = [Row(k, _label(code, k, labels, names), {column: values[k]}) for k in keys]
        if "autres" in values:
            label = "Autres organismes ou non renseigné"
            rows.append(Row("autres", label, {column: values["autres"]}))
        return _make_breakdown(code, rows)
    else:
        known = [k for k in values if k != UNKNOWN]
        numeric = all(k.isdigit() for k in known)
        keys = sorted(known, key=lambda k: (int(k), k) if numeric else (0, k))
        keys += [UNKNOWN] if UNKNOWN in values else []
    return _make_breakdown(
        code, [Row(k, _label(code, k, labels), {column: values[k]}) for k in keys]
    )


def _change(value: int, before: int | None) -> float | None:
    """Year-on-year change (« glissement annuel »): None when the year before had none."""
    return value / before - 1 if before else None


@dataclass(frozen=True)
class _Months:
    table: Breakdown
    stock: int  # at the date d'arrêt
    observed: list[int]  # entries of the complete months observed (the projection's input)
    reference: list[int]  # the whole reference window, month by month


def _month_breakdown(
    data: QueryResults, arret: Arret, region: str | None, target_total: int | None
) -> _Months:
    """One row per month of the phase observed at the cut-off (the months after it are absent,
    not zero): its entries and those of the same month of the reference window (cut at the
    same day), the target's cumulated pace, the stock at the month's end (at the cut-off for a
    partial month), each count with its change on a year earlier."""
    phase = arret.phase
    months = month_range(phase.start, phase.end)
    entries = _sum_by(data.of(data.counts["mois"], region), "key", "entrees")
    reference = _sum_by(data.of(data.reference, region), "mois", "entrees")
    reference_full = _sum_by(data.of(data.reference_full, region), "mois", "entrees")
    year_before = _sum_by(data.of(data.year_before, region), "mois", "entrees")
    reference_months = month_range(phase.reference_start, phase.reference_end)
    stock_rows = data.of(data.stock, region)
    starts = _sum_by(stock_rows, "debut", "entrees")
    ends = _sum_by((r for r in stock_rows if r["fin"] is not None), "fin", "entrees")

    def stock_at(month: int) -> int:
        return sum(v for m, v in starts.items() if m <= month) - sum(
            v for m, v in ends.items() if m <= month
        )

    def of_reference(values: dict[int, int], i: int) -> int:
        return values.get(reference_months[i], 0) if i < len(reference_months) else 0

    full_values = [of_reference(reference_full, i) for i in range(len(months))]
    profile = full_values if sum(full_values) else [1] * len(months)
    rows = []
    cumulated = 0
    shown = set(arret.months_shown)
    for i, month in enumerate(months):
        cumulated += profile[i]
        if month not in shown:
            continue
        stock = stock_at(month)
        count = entries.get(str(month), 0)
        pace = None if target_total is None else round(target_total * cumulated / sum(profile))
        values: dict[str, Value] = {
            "entrees": count,
            "glissement_entrees": _change(count, year_before.get(month - 12)),
            "entrees_reference": of_reference(reference, i),
            "rythme_objectif": pace,
            "stock": stock,
            "glissement_stock": _change(stock, stock_at(month - 12)),
        }
        rows.append(Row(_month_key(month), _month_label(month), values))
    observed = [entries.get(str(m), 0) for m in months[: arret.months_observed]]
    stock = stock_at(month_range(arret.end, arret.end)[0])
    return _Months(_make_breakdown("mois", rows), stock, observed, full_values)


def cross_key(first: str, second: str) -> str:
    return f"{first}{CROSS_SEP}{second}"


def split_key(key: str) -> tuple[str, str]:
    """The two keys of a crossing's row key (`cross_key`)."""
    first, second = key.split(CROSS_SEP, 1)
    return first, second


def _financeur_order(key: str) -> tuple[bool, int, str]:
    return (key == UNKNOWN, int(key) if key.isdigit() else 0, key)


def _month_financeur(
    data: QueryResults, region: str | None, months: Breakdown, plan: Plan
) -> Breakdown:
    """Entries by month (those of the month table) and financeur principal: one row per pair
    with entries, by month then financeur code, the unknown financeur last."""
    totals: dict[tuple[str, str], int] = defaultdict(int)
    for r in data.of(data.counts[MONTH_FINANCEUR], region):
        financeur = UNKNOWN if r["key"] is None else str(r["key"])
        totals[(_month_key(r["mois"]), financeur)] += r["entrees"] or 0
    month_labels = {row.key: row.label for row in months.rows}
    labels, _ = _labeller("financeur_principal", plan)
    rows = [
        Row(
            cross_key(month, financeur),
            f"{month_labels[month]}, {_label('financeur_principal', financeur, labels)}",
            {"entrees": count},
        )
        for (month, financeur), count in sorted(
            totals.items(), key=lambda item: (item[0][0], *_financeur_order(item[0][1]))
        )
        if count and month in month_labels
    ]
    spec = CROSSING_SPECS[MONTH_FINANCEUR]
    return Breakdown(spec.code, spec.label, spec.dimension, spec.columns, rows)


def _if(available: bool, value: Value) -> Value:
    return value if available else None


def _assemble(
    data: QueryResults, plan: Plan, arret: Arret, region: str | None, sources: frozenset[str]
) -> Bilan:
    phase = arret.phase
    summary = data.of(data.summary, region)
    entries = int(_sum(summary, "entrees"))
    if region is None:
        persons = int(data.national_persons[0]["personnes"]) if data.national_persons else 0
    else:
        persons = int(_sum(summary, "personnes"))
    reference = int(_sum(data.of(data.reference, region), "entrees"))
    additional = entries - reference
    target_add, target_total, baseline, _ = targets_of(plan, phase.code, region)
    scope = data.of(data.scope, region)
    rate, rule = realisation(
        plan, int(_sum(scope, "entrees")), int(_sum(scope, "reference")), target_add, target_total
    )
    rule_note = " ; ".join(n for n in (f"règle : {rule}", scope_note(plan, region)) if n)
    months = _month_breakdown(data, arret, region, target_total)
    month_table, stock_end = months.table, months.stock
    like = (
        f"à données comparables : {arret.months_observed} mois sur {arret.months_total}, "
        "comparés aux mêmes mois de la période de référence"
        if arret.en_cours
        else None
    )
    projected = None
    if arret.en_cours and arret.months_observed:
        projected = forecast(months.observed, months.reference, target_total).projection
    projection_note = "projection (voir la prévision), non mesurée" if projected else None
    known = int(_sum(summary, "connues"))
    publics_note = f"sur {nombre(known)} entrées dont la personne est connue du fichier personnes"
    if region is None and data.national_outcomes:
        outcome = data.national_outcomes[0]
    else:
        rows = data.of(data.outcomes, region)
        outcome = {k: _sum(rows, k) for k in ("sortants", "emploi", "durable")}
    leavers_note = (
        f"sur {nombre(outcome['sortants'])} personnes sorties de formation pendant la phase"
    )
    if region is None:
        access = data.national_access_persons
        trainees = int(access[0]["personnes"]) if access else 0
    else:
        trainees = int(_sum(data.of(data.access_persons, region), "personnes"))
    demandeurs_rows = data.of(data.demandeurs, region)
    demandeurs = int(_sum(demandeurs_rows, "demandeurs")) if demandeurs_rows else None
    places = _sum_by(data.of(data.places, region), "key", "places")
    actions = _sum_by(data.of(data.actions, region), "key", "actions")
    included = sum(v for k, v in actions.items() if k in plan.actions_agregees.included)
    with_actions = "actions_agregees" in sources
    with_persons = "personnes" in sources
    with_jobs = "emplois" in sources
    heures = _sum(summary, "heures")
    certifying = int(_sum(summary, "certifiantes"))
    figures = [
        Figure("entrees", entries),
        Figure("personnes", persons),
        Figure("entrees_reference", reference, like),
        Figure("entrees_supplementaires", additional, like),
        Figure(
            "entrees_projetees", None if projected is None else round(projected), projection_note
        ),
        Figure(
            "entrees_supplementaires_projetees",
            None if projected is None else round(projected) - sum(months.reference),
            projection_note,
        ),
        Figure(
            "entrees_supplementaires_base_declaree",
            entries - baseline if baseline is not None and not arret.en_cours else None,
            "phase en cours : comparée à la base déclarée en fin de phase"
            if arret.en_cours and baseline is not None
            else estimated_note(plan, phase.code, region, "declared_baseline"),
        ),
        Figure(
            "objectif_supplementaires",
            target_add,
            estimated_note(plan, phase.code, region, "additional_entries"),
        ),
        Figure(
            "objectif_entrees",
            target_total,
            estimated_note(plan, phase.code, region, "total_entries"),
        ),
        Figure("taux_realisation", rate, rule_note),
        Figure("places_lancees", _if("places" in sources, sum(places.values()))),
        Figure("stock_fin", stock_end, f"au {date_longue(arret.end)}"),
        Figure(
            "taux_acces",
            _ratio(trainees, demandeurs),
            None
            if demandeurs is None
            else f"{nombre(demandeurs)} demandeurs d'emploi en {phase.start.year}",
            (trainees, demandeurs or 0),
        ),
        *(
            Figure(
                code,
                _if(with_persons, _ratio(_sum(summary, key), known)),
                publics_note if with_persons else None,
                (int(_sum(summary, key)), known),
            )
            for key, _, code in PUBLICS
        ),
        Figure("duree_moyenne", _ratio(heures, _sum(summary, "avec_duree"))),
        Figure("part_certifiante", _ratio(certifying, entries), None, (certifying, entries)),
        *(
            Figure(
                code,
                _if(with_jobs, _ratio(outcome[key], outcome["sortants"])),
                leavers_note if with_jobs else None,
                (int(outcome[key] or 0), int(outcome["sortants"] or 0)),
            )
            for code, key in (("acces_emploi", "emploi"), ("emploi_durable", "durable"))
        ),
        Figure("entrees_non_rapprochees", int(_sum(summary, "locales"))),
        Figure("actions_agregees", _if(with_actions, included)),
        Figure("total_actions_plan", _if(with_actions, entries + included)),
        Figure("entrees_pour_1000_demandeurs", _ratio(entries * 1000, demandeurs)),
    ]
    breakdowns = [month_table]
    names = organisation_names(data.organisme_names)
    for dimension in KEYED_DIMENSIONS:
        rows = data.counts[dimension]
        if dimension == "organisme" and region is None:
            rows = data.national_organismes
        totals = _sum_by(data.of(rows, region), "key", "entrees")
        breakdowns.append(_keyed_breakdown(dimension, totals, "entrees", plan, names=names))
    breakdowns.append(
        _make_breakdown(
            "public",
            [
                Row(
                    key,
                    label,
                    {
                        "entrees": _if(with_persons, int(_sum(summary, key))),
                        "part": _if(with_persons, _ratio(_sum(summary, key), known)),
                    },
                )
                for key, label, _ in PUBLICS
            ],
        )
    )
    breakdowns.append(_keyed_breakdown("places_financeur", places, "places", plan))
    breakdowns.append(_keyed_breakdown("type_action", actions, "actions", plan))
    order = [spec for spec in BREAKDOWN_SPECS]
    breakdowns.sort(key=lambda b: order.index(b.code))
    crossings = [_month_financeur(data, region, month_table, plan)]
    return Bilan(plan.code, plan.sha256, phase.code, region, figures, breakdowns, arret, crossings)


def backend_of(con: duckdb.DuckDBPyConnection) -> BaseBackend:
    return ibis.duckdb.from_connection(con)


def _bilans(
    collect: Callable[[Arret, str | None], QueryResults],
    dates: dict[str | None, dt.date],
    plan: Plan,
    phase_code: str,
    region: str | None,
    au: dt.date | None,
    sources: frozenset[str],
) -> dict[str | None, Bilan]:
    """Each bilan as of its own date d'arrêt (`jalon.indicators.arret`): the regions sharing a
    date are computed from one pass of `collect`."""
    phase = plan.phase(phase_code)
    if region is not None:
        arret = arret_of(phase, cutoff_for(dates, region), au)
        return {region: _assemble(collect(arret, region), plan, arret, region, sources)}
    national = arret_of(phase, cutoff_for(dates, None), au)
    passes: dict[dt.date, QueryResults] = {national.end: collect(national, None)}
    result: dict[str | None, Bilan] = {
        None: _assemble(passes[national.end], plan, national, None, sources)
    }
    regions = {r["region"] for r in passes[national.end].summary}
    regions |= {c.region for c in plan.conventions} | {code for code in dates if code}
    for code in sorted(r for r in regions if r is not None):
        arret = arret_of(phase, cutoff_for(dates, code), au)
        if arret.end not in passes:
            passes[arret.end] = collect(arret, None)
        result[code] = _assemble(passes[arret.end], plan, arret, code, sources)
    return result


def imported_sources_on(backend: BaseBackend) -> frozenset[str]:
    """The `SOURCES` with at least one row on an Ibis backend."""
    return frozenset(n for n in SOURCES if backend.table(n).limit(1).count().execute() > 0)


def imported_sources(con: duckdb.DuckDBPyConnection) -> frozenset[str]:
    """The `SOURCES` with at least one row in the DuckDB store (one small query)."""
    sql = " UNION ALL ".join(f"(SELECT '{n}' FROM {n} LIMIT 1)" for n in SOURCES)
    return frozenset(row[0] for row in con.execute(sql).fetchall())


def bilans_on(
    backend: BaseBackend,
    plan: Plan,
    phase_code: str,
    region: str | None,
    au: dt.date | None = None,
) -> dict[str | None, Bilan]:
    """Bilans computed through Ibis on any backend (Spark, …): the region's, or the nation's
    (key `None`) and every region's, as of their date d'arrêt or the earlier `au`."""
    return _bilans(
        lambda arret, scope: collect_on(backend, plan, arret, scope),
        data_cutoffs(backend),
        plan,
        phase_code,
        region,
        au,
        imported_sources_on(backend),
    )


def bilans(
    con: duckdb.DuckDBPyConnection,
    plan: Plan,
    phase_code: str,
    region: str | None,
    au: dt.date | None = None,
) -> dict[str | None, Bilan]:
    """`bilans_on` for the DuckDB store, with its compiled SQL kept between calls."""
    return _bilans(
        lambda arret, scope: collect_duckdb(con, plan, arret, scope),
        data_cutoffs(backend_of(con)),
        plan,
        phase_code,
        region,
        au,
        imported_sources(con),
    )


def compute_bilan(
    con: duckdb.DuckDBPyConnection,
    plan: Plan,
    phase_code: str,
    region: str | None,
    au: dt.date | None = None,
) -> Bilan:
    """The bilan of a phase for a region (code INSEE) or the nation (`None`), before secrecy,
    as of the date d'arrêt des données (or `au`, when earlier)."""
    return bilans(con, plan, phase_code, region, au)[region]


def compute_all_bilans(
    con: duckdb.DuckDBPyConnection, plan: Plan, phase_code: str, au: dt.date | None = None
) -> dict[str | None, Bilan]:
    """The national bilan (key `None`) and every regional one, from one pass of grouped queries
    per date d'arrêt (one, when every region's files reach the same month)."""
    return bilans(con, plan, phase_code, None, au)
