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
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import duckdb
import ibis
from babel.dates import format_date
from ibis.backends import BaseBackend

from jalon.formatting import date_longue, nombre
from jalon.indicators.perimetre import realisation, scope_note
from jalon.indicators.queries import QueryResults, collect_duckdb, collect_on
from jalon.indicators.registry import BREAKDOWN_SPECS, REGISTRY
from jalon.plan import Phase, Plan
from jalon.reference import departements, financeurs, formacode_domaine, niveaux

Value = float | int | None
UNKNOWN = "inconnu"
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
            "indicateurs": {
                f.code: {"libelle": f.label, "valeur": f.value, "note": f.note}
                for f in self.figures
            },
            "ventilations": {b.code: b.as_dict() for b in self.breakdowns},
        }


def targets_of(
    plan: Plan, phase: str, region: str | None
) -> tuple[int | None, int | None, int | None, bool]:
    conventions = (
        plan.conventions if region is None else [c for c in plan.conventions if c.region == region]
    )
    targets = [t for c in conventions if (t := c.target(phase))]
    if not targets:
        return None, None, None, False
    return (
        sum(t.additional_entries for t in targets),
        sum(t.total_entries for t in targets),
        sum(t.declared_baseline for t in targets),
        any(t.estimated for t in targets),
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


def month_range(start: dt.date, end: dt.date) -> list[int]:
    first = start.year * 12 + start.month - 1
    return list(range(first, end.year * 12 + end.month))


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


def _month_breakdown(
    data: QueryResults, phase: Phase, region: str | None, target_total: int | None
) -> tuple[Breakdown, int]:
    months = month_range(phase.start, phase.end)
    entries = _sum_by(data.of(data.counts["mois"], region), "key", "entrees")
    reference = _sum_by(data.of(data.reference, region), "mois", "entrees")
    reference_months = month_range(phase.reference_start, phase.reference_end)
    stock_rows = data.of(data.stock, region)
    starts = _sum_by(stock_rows, "debut", "entrees")
    ends = _sum_by((r for r in stock_rows if r["fin"] is not None), "fin", "entrees")
    ref_values = [
        reference.get(reference_months[i], 0) if i < len(reference_months) else 0
        for i in range(len(months))
    ]
    profile = ref_values if sum(ref_values) else [1] * len(months)
    rows = []
    cumulated = 0
    stock = 0
    for i, month in enumerate(months):
        cumulated += profile[i]
        stock = sum(v for m, v in starts.items() if m <= month) - sum(
            v for m, v in ends.items() if m <= month
        )
        pace = None if target_total is None else round(target_total * cumulated / sum(profile))
        values: dict[str, Value] = {
            "entrees": entries.get(str(month), 0),
            "entrees_reference": ref_values[i],
            "rythme_objectif": pace,
            "stock": stock,
        }
        rows.append(Row(_month_key(month), _month_label(month), values))
    return _make_breakdown("mois", rows), stock


def _if(available: bool, value: Value) -> Value:
    return value if available else None


def _assemble(
    data: QueryResults, plan: Plan, phase: Phase, region: str | None, sources: frozenset[str]
) -> Bilan:
    summary = data.of(data.summary, region)
    entries = int(_sum(summary, "entrees"))
    if region is None:
        persons = int(data.national_persons[0]["personnes"]) if data.national_persons else 0
    else:
        persons = int(_sum(summary, "personnes"))
    reference = int(_sum(data.of(data.reference, region), "entrees"))
    additional = entries - reference
    target_add, target_total, baseline, estimated = targets_of(plan, phase.code, region)
    estimated_note = "objectif estimé (valeur publique inconnue)" if estimated else None
    scope = data.of(data.scope, region)
    rate, rule = realisation(
        plan, int(_sum(scope, "entrees")), int(_sum(scope, "reference")), target_add, target_total
    )
    rule_note = " ; ".join(n for n in (f"règle : {rule}", scope_note(plan, region)) if n)
    month_table, stock_end = _month_breakdown(data, phase, region, target_total)
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
        Figure("entrees_reference", reference),
        Figure("entrees_supplementaires", additional),
        Figure(
            "entrees_supplementaires_base_declaree",
            entries - baseline if baseline is not None else None,
            estimated_note,
        ),
        Figure("objectif_supplementaires", target_add, estimated_note),
        Figure("objectif_entrees", target_total, estimated_note),
        Figure("taux_realisation", rate, rule_note),
        Figure("places_lancees", _if("places" in sources, sum(places.values()))),
        Figure("stock_fin", stock_end, f"au {date_longue(phase.end)}"),
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
    return Bilan(plan.code, plan.sha256, phase.code, region, figures, breakdowns)


def backend_of(con: duckdb.DuckDBPyConnection) -> BaseBackend:
    return ibis.duckdb.from_connection(con)


def _bilans(
    data: QueryResults, plan: Plan, phase: Phase, region: str | None, sources: frozenset[str]
) -> dict[str | None, Bilan]:
    if region is not None:
        return {region: _assemble(data, plan, phase, region, sources)}
    regions = {r["region"] for r in data.summary} | {c.region for c in plan.conventions}
    result: dict[str | None, Bilan] = {None: _assemble(data, plan, phase, None, sources)}
    for code in sorted(r for r in regions if r is not None):
        result[code] = _assemble(data, plan, phase, code, sources)
    return result


def imported_sources_on(backend: BaseBackend) -> frozenset[str]:
    """The `SOURCES` with at least one row on an Ibis backend."""
    return frozenset(n for n in SOURCES if backend.table(n).limit(1).count().execute() > 0)


def imported_sources(con: duckdb.DuckDBPyConnection) -> frozenset[str]:
    """The `SOURCES` with at least one row in the DuckDB store (one small query)."""
    sql = " UNION ALL ".join(f"(SELECT '{n}' FROM {n} LIMIT 1)" for n in SOURCES)
    return frozenset(row[0] for row in con.execute(sql).fetchall())


def bilans_on(
    backend: BaseBackend, plan: Plan, phase_code: str, region: str | None
) -> dict[str | None, Bilan]:
    """Bilans computed through Ibis on any backend (Spark, …): the region's, or the nation's
    (key `None`) and every region's."""
    phase = plan.phase(phase_code)
    data = collect_on(backend, plan, phase, region)
    return _bilans(data, plan, phase, region, imported_sources_on(backend))


def bilans(
    con: duckdb.DuckDBPyConnection, plan: Plan, phase_code: str, region: str | None
) -> dict[str | None, Bilan]:
    """`bilans_on` for the DuckDB store, with its compiled SQL kept between calls."""
    phase = plan.phase(phase_code)
    data = collect_duckdb(con, plan, phase, region)
    return _bilans(data, plan, phase, region, imported_sources(con))


def compute_bilan(
    con: duckdb.DuckDBPyConnection, plan: Plan, phase_code: str, region: str | None
) -> Bilan:
    """The bilan of a phase for a region (code INSEE) or the nation (`None`), before secrecy."""
    return bilans(con, plan, phase_code, region)[region]


def compute_all_bilans(
    con: duckdb.DuckDBPyConnection, plan: Plan, phase_code: str
) -> dict[str | None, Bilan]:
    """The national bilan (key `None`) and every regional one, from one pass of grouped queries."""
    return bilans(con, plan, phase_code, None)
