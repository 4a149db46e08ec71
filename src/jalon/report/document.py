"""The bilan document: the view data of one report, built once from the indicators, then rendered.

`build_document` reads the store (read-only) through `compute_all_bilans` (the territory's bilan
and the regions' ranking from one pass) and `compute_prevision`; applies statistical secrecy
(`apply_secret_bilan`, with the one pattern of every table published with it, `plan_pattern`)
to every figure and table and to the ranking unless the document is internal; draws charts
and maps as SVG; and returns plain data (`Document`) that the HTML template only lays out.
Which sections exist and what each shows is declared once in `SECTIONS`; a figure or table that
the indicators do not (yet) provide is shown as "donnée non disponible", never as a number.
Nothing here reads the clock: the document's date is its data version's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

import duckdb

from jalon.formatting import date_longue, ecart, glissement, nombre, pourcentage
from jalon.indicators import (
    REGISTRY,
    Bilan,
    Breakdown,
    Classement,
    Forecast,
    Prevision,
    Row,
    apply_secret_bilan,
    compute_all_bilans,
    compute_prevision,
    plan_pattern,
    registry,
)
from jalon.indicators.bilan import estimated_note, targets_of
from jalon.indicators.classement import CRITERION_LABELS, CRITERION_WORDS, classement_of
from jalon.indicators.prevision import PrevisionError, interval_label
from jalon.indicators.secret import (
    SECRET_NOTE,
    apply_secret_classement,
    apply_secret_prevision,
    classement_hidden,
)
from jalon.plan import Plan, Scale
from jalon.reference import departements_of_region
from jalon.reference import region as region_of
from jalon.report import graphiques, redaction
from jalon.report.version import DataVersion, data_version

NON_DISPONIBLE = "donnée non disponible"
SECRET = "s"
Chart = Literal["courbe", "barres", "carte"]


@dataclass(frozen=True)
class SectionSpec:
    code: str
    title: str
    intro: str
    figures: tuple[str, ...] = ()
    breakdowns: tuple[str, ...] = ()
    chart: Chart | None = None


SECTIONS: tuple[SectionSpec, ...] = (
    SectionSpec(
        "rythme",
        "Le rythme des entrées",
        "Entrées cumulées mois après mois, comparées à la période de référence et au rythme "
        "qui mène à l'objectif.",
        (
            "entrees",
            "entrees_reference",
            "entrees_supplementaires",
            "entrees_supplementaires_base_declaree",
            "stock_fin",
        ),
        ("mois",),
        "courbe",
    ),
    SectionSpec(
        "financeurs",
        "Les financeurs",
        "Qui finance les entrées en formation, et les places lancées par chaque financeur.",
        ("places_lancees",),
        ("financeur_principal", "financeur", "places_financeur"),
        "barres",
    ),
    SectionSpec(
        "territoires",
        "Les territoires",
        "Entrées selon le département du lieu de formation.",
        ("taux_acces", "entrees_pour_1000_demandeurs"),
        ("departement",),
        "carte",
    ),
    SectionSpec(
        "domaines",
        "Les domaines de formation",
        "Entrées par domaine de formation (Formacode) et par organisme de formation.",
        (),
        ("domaine", "organisme"),
        "barres",
    ),
    SectionSpec(
        "publics",
        "Les publics prioritaires",
        "Les publics que le plan vise en priorité, d'après la situation de la personne le jour "
        "de son entrée en formation. Une personne peut appartenir à plusieurs publics.",
        (
            "personnes",
            "part_peu_qualifies",
            "part_jeunes",
            "part_seniors",
            "part_deld",
            "part_handicapes",
        ),
        ("public", "tranche_age", "niveau"),
        "barres",
    ),
    SectionSpec(
        "durees",
        "Durées et certification",
        "La durée des formations suivies et la part de celles qui mènent à une certification.",
        ("duree_moyenne", "part_certifiante"),
    ),
    SectionSpec(
        "emploi",
        "L'accès à l'emploi",
        "Ce que deviennent les personnes sorties de formation pendant la phase.",
        ("acces_emploi", "emploi_durable", "entrees_non_rapprochees"),
    ),
    SectionSpec(
        "actions",
        "Les autres actions du plan",
        "Actions comptées à partir de fichiers agrégés, que le plan ajoute à son total.",
        ("actions_agregees", "total_actions_plan"),
        ("type_action",),
    ),
)
COVER = (
    "entrees",
    "entrees_supplementaires",
    "objectif_entrees",
    "taux_realisation",
    "places_lancees",
    "acces_emploi",
)


@dataclass(frozen=True)
class Valeur:
    """One figure ready to print; `texte` None means the figure is not available."""

    code: str
    libelle: str
    texte: str | None
    note: str | None = None

    @property
    def secret(self) -> bool:
        return self.texte is None and self.note == SECRET_NOTE

    @property
    def affiche(self) -> str:
        """What the reader sees: the figure, "secret statistique" or "donnée non disponible"."""
        if self.texte is not None:
            return self.texte
        return SECRET_NOTE if self.secret else NON_DISPONIBLE

    @property
    def precision(self) -> str | None:
        return None if self.secret else self.note


@dataclass(frozen=True)
class Tableau:
    code: str
    titre: str
    definition: str | None
    entete: tuple[str, ...]
    lignes: tuple[tuple[str, ...], ...]
    total: tuple[str, ...] | None
    masque: bool
    texte: int = 1  # leading columns of text; the others are right-aligned figures


@dataclass(frozen=True)
class Graphique:
    src: str
    alt: str
    legende: str | None = None
    genre: Chart | None = None  # bars may be drawn taller: their labels are never cut


@dataclass(frozen=True)
class Section:
    code: str
    titre: str
    intro: str
    valeurs: tuple[Valeur, ...]
    graphiques: tuple[Graphique, ...]
    tableaux: tuple[Tableau, ...]
    manquants: tuple[str, ...]

    @property
    def vide(self) -> bool:
        return not self.tableaux and all(v.texte is None for v in self.valeurs)


@dataclass(frozen=True)
class Definition:
    code: str
    libelle: str
    definition: str
    unite: str
    reglage: str | None


@dataclass(frozen=True)
class Document:
    plan: str
    titre: str
    territoire: str
    national: bool
    phase: str
    periode: str
    date: str
    created: dt.datetime
    interne: bool
    seuil_secret: int
    cles: tuple[Valeur, ...]
    resume: tuple[str, ...]
    sections: tuple[Section, ...]
    definitions: tuple[Definition, ...]
    version: DataVersion

    @property
    def diffusion(self) -> str:
        return "Diffusion restreinte" if self.interne else "Document public"


def texte_valeur(code: str, value: float | int | None) -> str | None:
    """A figure as French text, by the unit the registry gives it."""
    if value is None:
        return None
    unit = REGISTRY[code].unit if code in REGISTRY else None
    if code.startswith("entrees_supplementaires"):
        return ecart(int(value))
    if unit == "taux":
        return pourcentage(value, 1)
    if unit == "heures":
        return f"{nombre(value)}\u00a0h"
    if unit == "pour 1 000":
        return nombre(value, 1)
    return nombre(value)


def valeur(bilan: Bilan, code: str) -> Valeur:
    figure = next((f for f in bilan.figures if f.code == code), None)
    label = REGISTRY[code].label if code in REGISTRY else code
    if figure is None:
        return Valeur(code, label, None)
    return Valeur(code, label, texte_valeur(code, figure.value), figure.note)


def _cell(column: str, value: float | int | None, hidden: bool) -> str:
    if hidden:
        return SECRET
    if value is None:
        return "–"
    if column == "part":
        return pourcentage(value, 1)
    if column.startswith("glissement"):
        return glissement(value)
    return nombre(value)


def _column_label(code: str) -> str:
    label = registry.COLUMNS.get(code) if hasattr(registry, "COLUMNS") else None
    return label or (REGISTRY[code].label if code in REGISTRY else code)


def _spec_attr(code: str, attr: str) -> Any:
    specs = getattr(registry, "BREAKDOWN_SPECS", {})
    return getattr(specs[code], attr) if code in specs else None


def tableau(breakdown: Breakdown, totals: Breakdown | None = None) -> Tableau:
    """A breakdown as printable rows, secret cells marked `s`, with a total where it adds up.

    `totals` is the same table before secrecy: its totals are true (the hidden cells count in
    them) and publishable unless secrecy marked them `total_suppressed`.
    """
    columns = breakdown.columns
    totals = totals or breakdown
    heading = breakdown.secondary_heading
    lignes = tuple(
        (
            *_texts(breakdown, row),
            *(_cell(c, row.values.get(c), c in row.suppressed) for c in columns),
        )
        for row in breakdown.rows
    )
    total = None
    additive = _spec_attr(breakdown.code, "additive")
    ratios = ("part", "rythme_objectif", "stock", "glissement_entrees", "glissement_stock")
    summable = [c for c in columns if c not in ratios]
    if additive is not False and summable and len(breakdown.rows) > 1:
        total = (
            "Total",
            *(("",) if heading else ()),
            *(
                (SECRET if c in breakdown.total_suppressed else nombre(totals.total(c)))
                if c in summable
                else ""
                for c in columns
            ),
        )
    masque = any(row.suppressed for row in breakdown.rows) or bool(breakdown.total_suppressed)
    return Tableau(
        breakdown.code,
        breakdown.label,
        _spec_attr(breakdown.code, "definition"),
        (breakdown.dimension, *((heading,) if heading else ()), *map(_column_label, columns)),
        lignes,
        total,
        masque,
        texte=2 if heading else 1,
    )


def _texts(breakdown: Breakdown, row: Row) -> tuple[str, ...]:
    """The text cells of a row: its label, then the SIRET or Formacode where the table has it."""
    if breakdown.secondary_heading is None:
        return (row.label,)
    return (row.label, breakdown.secondary(row) or "")


def _visible(breakdown: Breakdown, column: str) -> dict[str, float | int | None]:
    return {
        row.key: None if column in row.suppressed else row.values.get(column)
        for row in breakdown.rows
    }


def _chart(spec: SectionSpec, tables: dict[str, Breakdown], region: str | None) -> list[Graphique]:
    present = [tables[c] for c in spec.breakdowns if c in tables]
    if not present or spec.chart is None:
        return []
    first = present[0]
    caption = None
    if spec.chart == "courbe":
        drawn = graphiques.courbe_mensuelle(first)
        alt = "Courbe des entrées cumulées par mois, de la référence et du rythme de l'objectif."
    elif spec.chart == "carte":
        codes = None if region is None else {d.code for d in departements_of_region(region)}
        drawn = graphiques.carte(
            "departements", _visible(first, first.columns[0]), "Entrées", codes
        )
        alt = "Carte des entrées par département."
        caption = "En gris : effectif masqué (secret statistique) ou aucune entrée."
    else:
        column = first.columns[0]
        drawn = graphiques.barres(_masked(first), column, _column_label(column))
        alt = f"Diagramme en barres : {first.label.lower()}."
    if drawn is None:
        return []
    return [Graphique(graphiques.data_uri(graphiques.svg(drawn)), alt, caption, spec.chart)]


def _masked(breakdown: Breakdown) -> Breakdown:
    """The breakdown with its secret cells set to None, so that no chart can show them."""
    rows = [
        replace(r, values={c: None if c in r.suppressed else v for c, v in r.values.items()})
        for r in breakdown.rows
    ]
    return replace(breakdown, rows=rows)


def section(
    spec: SectionSpec,
    bilan: Bilan,
    tables: dict[str, Breakdown],
    raw: dict[str, Breakdown] | None = None,
) -> Section:
    """One section of the bilan; `raw` are its tables before secrecy (for their totals)."""
    missing = tuple(
        str(_spec_attr(code, "label") or code) for code in spec.breakdowns if code not in tables
    )
    return Section(
        spec.code,
        spec.title,
        spec.intro,
        tuple(valeur(bilan, code) for code in spec.figures),
        tuple(_chart(spec, tables, bilan.region)),
        tuple(tableau(tables[c], (raw or {}).get(c)) for c in spec.breakdowns if c in tables),
        missing,
    )


def rank_of(classement: Classement, region: str | None) -> int | None:
    """The region's rank on the plan's headline criterion (the press's "1re région de
    France")."""
    return None if region is None else classement.rank_of(region)


def ex_aequo_of(classement: Classement, region: str | None) -> tuple[str, ...]:
    """The names of the other regions that share the region's rank (« ex aequo »)."""
    rank = rank_of(classement, region)
    if rank is None:
        return ()
    return tuple(
        r.label
        for r in classement.regions
        if r.region != region and r.ranks.get(classement.headline) == rank
    )


def _definitions() -> tuple[Definition, ...]:
    return tuple(
        Definition(ind.code, ind.label, ind.definition, ind.unit, ind.reglage)
        for ind in registry.INDICATORS
    )


def _cover(bilan: Bilan, rank: int | None, headline: str) -> tuple[Valeur, ...]:
    values = [valeur(bilan, code) for code in COVER]
    if bilan.region is not None:
        values.insert(
            5,
            Valeur(
                "rang",
                f"Rang national ({CRITERION_LABELS[headline]})",
                None if rank is None else redaction.rang(rank),
            ),
        )
    return tuple(values)


def chiffres_cles(
    bilan: Bilan, plan: Plan, territoire: str, rank: int | None, ex_aequo: tuple[str, ...] = ()
) -> redaction.ChiffresCles:
    """The key figures that the bilan's summary and the press kit word the same way."""
    phase = plan.phase(bilan.phase)

    def known(code: str) -> Any:
        return next((f.value for f in bilan.figures if f.code == code), None)

    def count(code: str) -> int | None:
        value = known(code)
        return None if value is None else round(value)

    goal = "objectif_entrees" if plan.rules.realisation == "entrees" else "objectif_supplementaires"
    # A phase in progress is worded on its observed days and the same days of its reference.
    window = phase if bilan.arret is None else bilan.arret.window
    return redaction.ChiffresCles(
        territoire=territoire,
        start=window.start,
        end=window.end,
        reference_start=window.reference_start,
        reference_end=window.reference_end,
        entrees=count("entrees"),
        supplementaires=count("entrees_supplementaires"),
        objectif=count(goal),
        taux_realisation=known("taux_realisation"),
        places=count("places_lancees"),
        rang=rank,
        rang_termes=CRITERION_WORDS[plan.ranking.headline],
        objectif_estime=targets_of(plan, bilan.phase, bilan.region)[3],
        ex_aequo=ex_aequo,
        rang_cite_jusqu_a=plan.communication.rang_cite_jusqu_a,
        objectif_supplementaires=goal == "objectif_supplementaires",
    )


def etat_sentences(bilan: Bilan) -> tuple[str, ...]:
    """The sentence saying the phase is in progress at the data's cut-off, if it is."""
    if bilan.arret is None:
        return ()
    arret = bilan.arret
    sentence = redaction.etat_phase(arret.mention, arret.etat, arret.en_cours)
    return () if sentence is None else (sentence,)


def _summary(
    bilan: Bilan, plan: Plan, territoire: str, rank: int | None, ex_aequo: tuple[str, ...]
) -> tuple[str, ...]:
    return etat_sentences(bilan) + tuple(
        redaction.paragraphe(chiffres_cles(bilan, plan, territoire, rank, ex_aequo))
    )


CLASSEMENT_COLUMNS = (
    "entrees",
    "entrees_reference",
    "entrees_supplementaires",
    "objectif_supplementaires",
    "taux_realisation",
    "entrees_pour_1000_demandeurs",
)
# Short headers: the ranking has eight columns on a portrait page.
CLASSEMENT_HEADERS = (
    "Rang",
    "Région",
    "Entrées",
    "Référence",
    "Supplé­mentaires",
    "Objectif supplé­mentaire",
    "Réali­sation",
    "Pour 1 000 deman­deurs",
)


def _classement_breakdown(classement: Classement, interne: bool, threshold: int) -> Breakdown:
    """The ranking as a table; in public, a region with a hidden count shows no figure at all."""
    rows = [
        Row(
            r.region,
            r.label if r.has_data else f"{r.label} (sans données)",
            {
                **{c: r.values.get(c) for c in CLASSEMENT_COLUMNS},
                "rang": r.ranks.get(classement.headline),
            },
        )
        for r in classement.ordered()
    ]
    table = Breakdown("classement", "Classement des régions", "Région", CLASSEMENT_COLUMNS, rows)
    if interne:
        return table
    hidden = classement_hidden(classement)
    hidden_rows = [
        replace(
            r,
            suppressed=frozenset(CLASSEMENT_COLUMNS),
            values=dict.fromkeys(r.values),
        )
        if r.key in hidden
        else r
        for r in table.rows
    ]
    return replace(table, rows=hidden_rows, secret_threshold=threshold)


def _classement_section(
    classement: Classement, region: str | None, interne: bool, threshold: int, rate_scale: Scale
) -> Section:
    table = _classement_breakdown(classement, interne, threshold)
    lignes = tuple(
        (
            "–" if row.values.get("rang") is None else str(row.values["rang"]),
            row.label + (" ◀" if row.key == region else ""),
            *(
                SECRET if c in row.suppressed else texte_valeur(c, row.values.get(c)) or "–"
                for c in CLASSEMENT_COLUMNS
            ),
        )
        for row in table.rows
    )
    graphics: list[Graphique] = []
    rates = {r.key: r.values.get("taux_realisation") for r in table.rows}
    drawn = graphiques.carte("regions", rates, "Taux de réalisation", scale=rate_scale)
    if drawn is not None:
        graphics.append(
            Graphique(
                graphiques.data_uri(graphiques.svg(drawn)),
                "Carte des régions selon leur taux de réalisation.",
                "En gris : région sans données ou dont les effectifs sont masqués.",
            )
        )
    return Section(
        "classement",
        "Le classement des régions",
        f"Régions classées par {CRITERION_LABELS[classement.headline]}, critère principal du "
        "plan, les autres critères en colonnes ; les ex aequo partagent le "
        f"meilleur rang. Taux de réalisation selon la règle : {classement.rule}.",
        (),
        tuple(graphics),
        (
            Tableau(
                "classement",
                table.label,
                None,
                CLASSEMENT_HEADERS,
                lignes,
                None,
                any(r.suppressed for r in table.rows),
                texte=2,
            ),
        ),
        (),
    )


def _probabilite(f: Forecast) -> str | None:
    """The probability of reaching the target; « non estimée » when the forecast withholds it
    (no finished phase calibrates it), none without a target."""
    if f.probability is not None:
        return pourcentage(f.probability)
    return None if f.target is None else "non estimée"


def _prevision_values(
    prevision: Prevision, label: str, target_note: str | None
) -> tuple[Valeur, ...]:
    f = prevision.forecast
    interval = f"de {nombre(f.low)} à {nombre(f.high)} ({interval_label(f)})"
    values = [
        Valeur(
            "prevision_mois",
            f"{label} : mois observés",
            f"{f.months_observed} sur {f.months_total}",
            f"arrêté au {date_longue(prevision.as_of)}",
        ),
        Valeur("prevision_observe", f"{label} : entrées observées", nombre(f.observed)),
    ]
    if f.months_observed < f.months_total:
        values += [
            Valeur(
                "prevision_projection",
                f"{label} : entrées projetées",
                nombre(f.projection),
                interval,
            ),
            Valeur(
                "prevision_rythme",
                f"{label} : rythme mensuel nécessaire",
                None if f.pace_needed is None else nombre(f.pace_needed),
                None
                if f.pace_current is None
                else f"rythme des trois derniers mois : {nombre(f.pace_current)}",
            ),
            Valeur(
                "prevision_probabilite",
                f"{label} : probabilité d'atteindre l'objectif",
                _probabilite(f),
                None
                if f.probability is not None or f.target is None
                else "faute de phase terminée sur laquelle mesurer l'erreur de la projection",
            ),
        ]
    values.append(
        Valeur(
            "prevision_objectif",
            f"{label} : objectif total d'entrées",
            None if f.target is None else nombre(f.target),
            target_note,
        )
    )
    return tuple(values)


def _date_arret(bilan: Bilan, version: DataVersion) -> str:
    """« données arrêtées au 31 mars 2017, phase en cours : 3 mois sur 6 » (the data's own
    cut-off; the import date only for a bilan built without one)."""
    if bilan.arret is None:
        return f"données au {date_longue(version.as_of.date())}"
    arret = bilan.arret
    mention = arret.mention[0].lower() + arret.mention[1:]
    return f"{mention}, {arret.etat}"


def _prevision_section(
    con: duckdb.DuckDBPyConnection,
    plan: Plan,
    phase: str,
    region: str | None,
    public: Bilan | None,
    au: dt.date | None = None,
) -> Section:
    """The forecast of the report's phase and, when it has started, of the next one; none in a
    public document when secrecy withholds one (`apply_secret_prevision`: it would give back
    secret entries)."""
    codes = [p.code for p in plan.phases]
    following = codes[codes.index(phase) :][:2]
    values: list[Valeur] = []
    methods: list[str] = []
    secret = False
    for code in following:
        try:
            prevision = compute_prevision(con, plan, code, region, au)
        except PrevisionError as refused:
            if code == phase:
                values.append(Valeur("prevision", plan.phase(code).label, None, str(refused)))
            continue
        if public is not None and (
            apply_secret_prevision(
                prevision, plan.secret.threshold, public if code == phase else None
            )
            is None
        ):
            secret = True
            break
        values += _prevision_values(
            prevision, plan.phase(code).label, estimated_note(plan, code, region, "total_entries")
        )
        f = prevision.forecast
        if f.months_observed < f.months_total:
            # Each phase its own method: one is calibrated on finished phases, another is not.
            methods.append(f" Méthode, {plan.phase(code).label} : {prevision.method}.")
    intro = "Projection des entrées à la fin de la phase à partir des mois observés."
    intro += "".join(methods)
    intro += " Une phase terminée est donnée avec son total définitif."
    if secret:
        values = [Valeur("prevision", "Entrées projetées", None, SECRET_NOTE)]
    return Section("prevision", "La prévision", intro, tuple(values), (), (), ())


def territory_views(
    con: duckdb.DuckDBPyConnection,
    plan: Plan,
    phase: str,
    region: str | None,
    *,
    interne: bool,
    au: dt.date | None = None,
) -> tuple[Bilan, Classement, Bilan]:
    """The territory's bilan and the regions' ranking (secrecy applied unless internal), and the
    bilan before secrecy (for true totals only), from one pass of the indicators, as of the
    date d'arrêt des données (or `au`, when earlier)."""
    plan.phase(phase)
    if region is not None:
        region_of(region)
    bilans = compute_all_bilans(con, plan, phase, au)
    classement = classement_of(bilans, plan, phase)
    raw = bilans.get(region) or _empty_bilan(bilans[None], region)
    if interne:
        return raw, classement, raw
    pattern = plan_pattern(bilans, plan)
    bilan = apply_secret_bilan(raw, plan.secret.threshold, pattern)
    return bilan, apply_secret_classement(classement, pattern), raw


def build_document(
    con: duckdb.DuckDBPyConnection,
    plan: Plan,
    phase: str,
    region: str | None,
    *,
    interne: bool = False,
    sections: Sequence[SectionSpec] = SECTIONS,
    au: dt.date | None = None,
) -> Document:
    the_phase = plan.phase(phase)
    bilan, classement, raw = territory_views(con, plan, phase, region, interne=interne, au=au)
    tables = {b.code: b for b in bilan.breakdowns}
    raw_tables = {b.code: b for b in raw.breakdowns}
    version = data_version(con, plan)
    rank = rank_of(classement, region)
    territoire = "France entière" if region is None else region_of(region).nom
    body = [section(spec, bilan, tables, raw_tables) for spec in sections]
    body.append(_prevision_section(con, plan, phase, region, None if interne else bilan, au))
    body.append(
        _classement_section(
            classement, region, interne, plan.secret.threshold, plan.scales["taux_realisation"]
        )
    )
    return Document(
        plan=plan.name,
        titre=f"Bilan du {plan.name[0].lower()}{plan.name[1:]}",
        territoire=territoire,
        national=region is None,
        phase=the_phase.label,
        periode=f"du {date_longue(the_phase.start)} au {date_longue(the_phase.end)}",
        date=_date_arret(bilan, version),
        created=version.as_of,
        interne=interne,
        seuil_secret=plan.secret.threshold,
        cles=_cover(bilan, rank, plan.ranking.headline),
        resume=_summary(bilan, plan, territoire, rank, ex_aequo_of(classement, region)),
        sections=tuple(body),
        definitions=_definitions(),
        version=version,
    )


def _empty_bilan(national: Bilan, region: str | None) -> Bilan:
    """A region the store knows nothing of: every figure absent rather than zero."""
    return replace(national, region=region, figures=[], breakdowns=[])
