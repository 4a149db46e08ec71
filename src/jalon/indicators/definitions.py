"""Indicator definitions (DESIGN §3) as Ibis expressions over the store's tables.

Written once and run on any Ibis backend: DuckDB, the embedded default, and Spark for a national
deployment (tests/indicators/test_spark.py runs the same functions there). Each function takes
table expressions and plan parameters and returns an expression; none reads the database itself.
Every aggregate is grouped by `region` so that one query serves every region at once, and the
national figures are sums of the regional rows (or their own query where a sum would be wrong,
as for distinct persons). The bilan's measures read `entrees_marts` (`entrees_marts` below,
kept current by `jalon.indicators.marts`, person by person after an import that only adds
rows) rather than joining persons and jobs each time. Date arithmetic is spelled with
year/month/day parts, which every backend computes identically.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace

import ibis
import ibis.expr.types as ir
from ibis.backends import BaseBackend

from jalon.plan import Phase, Plan

TABLES = (
    "entrees",
    "personnes",
    "emplois",
    "demandeurs",
    "actions_agregees",
    "places",
    "offre_sessions",
    "offre_actions",
)


@dataclass(frozen=True)
class Tables:
    """The store's tables that indicators read, as expressions of one backend."""

    entrees: ir.Table
    personnes: ir.Table
    emplois: ir.Table
    demandeurs: ir.Table
    actions_agregees: ir.Table
    places: ir.Table
    offre_sessions: ir.Table
    offre_actions: ir.Table

    @classmethod
    def of(cls, backend: BaseBackend) -> Tables:
        return cls(*(backend.table(name) for name in TABLES))

    def for_persons(self, persons: ir.Table) -> Tables:
        """These tables with the rows of entries, registrations and jobs restricted to the
        persons of `persons` (a table with a `hash_personne` column). Restricted at the source:
        a filter on the finished mart would not be pushed through its window functions."""
        return replace(
            self,
            **{
                name: getattr(self, name).semi_join(persons, "hash_personne")
                for name in ("entrees", "personnes", "emplois")
            },
        )


def in_plan(entrees: ir.Table, plan: Plan) -> ir.BooleanValue:
    """Entries with at least one financeur counted by the plan.

    Spelled as a disjunction of `contains` rather than a lambda filter: DuckDB 2 refuses the
    arrow lambdas that Ibis 12 generates.
    """
    counted = plan.rules.counted_financeurs
    return ibis.or_(*(entrees.financeurs.contains(code) for code in counted))


def in_window(column: ir.DateValue, start: dt.date, end: dt.date) -> ir.BooleanValue:
    return column.between(ibis.date(start), ibis.date(end))


def scoped(entrees: ir.Table, plan: Plan, region: str | None) -> ir.Table:
    """Entries counted by the plan, for one region (code INSEE) or the nation (`None`)."""
    table = entrees.filter(in_plan(entrees, plan))
    return table if region is None else table.filter(table.region == region)


def month_number(day: ir.DateValue) -> ir.IntegerValue:
    """Months since year 0: consecutive months differ by one."""
    return day.year() * 12 + day.month() - 1


def full_months(start: ir.DateValue, end: ir.DateValue) -> ir.IntegerValue:
    """Whole months elapsed from `start` to `end` (a month is reached on the same day number)."""
    partial = ibis.ifelse(end.day() < start.day(), 1, 0)
    return month_number(end) - month_number(start) - partial


def within_months(start: ir.DateValue, end: ir.DateValue, months: int) -> ir.BooleanValue:
    """`end` is on or before `start` + `months` months (the last day of a short month included)."""
    elapsed = full_months(start, end)
    return (elapsed < months) | ((elapsed == months) & (end.day() == start.day()))


def days_inclusive(start: ir.DateValue, end: ir.DateValue) -> ir.IntegerValue:
    return end.delta(start, unit="day") + 1


def person_spells(personnes: ir.Table) -> ir.Table:
    """Registration spells with the date the next one starts, so an entry matches exactly one."""
    window = ibis.window(group_by="hash_personne", order_by="date_inscription")
    return personnes.mutate(suivante=personnes.date_inscription.lead().over(window))


MART = "entrees_marts"


def entrees_marts(t: Tables, plan: Plan) -> ir.Table:
    """The mart: une ligne par entrée en formation (grain of `entrees`, every entry, counted by
    the plan or not), with what every bilan reads, computed once per import.

    Carries the entry's place, month, financeurs and `dans_plan` flag; the person's key
    `hash_personne`; the person's attributes on the entry date, from the last registration
    started on or before it (`connue` false when there is none); and the outcome after the
    entry's end (`emploi`: a job of at least `min_days` starting within `window_months`;
    `durable`), NULL when the entry has no end date or its person is known only by an identifier
    local to its source (`personne_locale`: no job file names them). For each phase of the plan,
    first-row flags (`first_flag`) mark one row per person and region, and per person nationally,
    for each distinct-person count of the bilan.

    Every column of a row depends only on the rows of `t` of the same person and on the plan:
    the mart of some persons is this expression on `t.for_persons(...)`, which is how
    `jalon.indicators.marts` refreshes it after an import that only adds rows. Keep it so (no
    rank or count across persons).
    """
    publics = plan.rules.publics
    rules = plan.rules.emploi
    e = t.entrees
    s = person_spells(t.personnes).rename(hash_spell="hash_personne")
    joined = e.left_join(
        s,
        [
            e.hash_personne == s.hash_spell,
            s.date_inscription <= e.date_entree,
            s.suivante.isnull() | (s.suivante > e.date_entree),
        ],
    )
    age = full_months(joined.mois_naissance, joined.date_entree) // 12
    connue = joined.hash_spell.notnull()
    inscrit = connue & (
        joined.date_fin_inscription.isnull() | (joined.date_fin_inscription >= joined.date_entree)
    )
    low = [str(level) for level in publics.low_qualified_levels]
    entries = joined.select(
        "region",
        "hash_personne",
        "cle_session",
        "date_entree",
        "date_sortie",
        "financeurs",
        "financeur_principal",
        "siret",
        "departement",
        "duree_heures",
        "certifiante",
        personne_locale=joined.personne_locale.fill_null(False),
        domaine=joined.formacode.substr(0, 2),
        dans_plan=in_plan(joined, plan),
        mois=month_number(joined.date_entree),
        connue=connue,
        tranche_age=age_band(age, plan),
        niveau=ibis.ifelse(connue, joined.niveau.fill_null("0"), ibis.null("string")),
        peu_qualifies=connue & joined.niveau.isin(low).fill_null(False),
        jeunes=connue & (age <= publics.young_max_age).fill_null(False),
        seniors=connue & (age >= publics.senior_min_age).fill_null(False),
        deld=inscrit
        & (
            full_months(joined.date_inscription, joined.date_entree) >= publics.long_term_months
        ).fill_null(False),
        handicapes=connue & joined.travailleur_handicape.fill_null(False),
    )
    ends = e.filter(e.date_sortie.notnull()).select("hash_personne", "date_sortie")
    jobs = t.emplois.select(
        hash_emploi=t.emplois.hash_personne,
        date_debut=t.emplois.date_debut,
        date_fin=t.emplois.date_fin,
        type_contrat=t.emplois.type_contrat,
    )
    long_enough = jobs.date_fin.isnull() | (
        days_inclusive(jobs.date_debut, jobs.date_fin) >= rules.min_days
    )
    lasting = jobs.date_fin.isnull() | (
        full_months(jobs.date_debut, jobs.date_fin + ibis.interval(days=1)) >= rules.durable_months
    )
    durable_spell = jobs.type_contrat.isin(["CDI", "CREATION"]) | (
        jobs.type_contrat.isin(["CDD", "INTERIM"]) & lasting
    )
    jobs = jobs.filter(long_enough).mutate(durable=durable_spell)
    # Joined before grouping, without a DISTINCT of the ends first: a person's entries that end
    # on the same day give the same outcome, and the grouping merges them; the join is cheap
    # (and empty while no job is known), the DISTINCT of every entry was not.
    found = ends.join(
        jobs,
        [
            ends.hash_personne == jobs.hash_emploi,
            jobs.date_debut >= ends.date_sortie,
            within_months(ends.date_sortie, jobs.date_debut, rules.window_months),
        ],
    )
    outcomes = found.group_by(
        hash_issue=found.hash_personne, sortie_issue=found.date_sortie
    ).aggregate(durable_issue=_as_int(found.durable).max())
    mart = entries.left_join(
        outcomes,
        [
            entries.hash_personne == outcomes.hash_issue,
            entries.date_sortie == outcomes.sortie_issue,
        ],
    )
    # An outcome is known for an entry that ended, of a person the job files can name: one known
    # only by an identifier local to its source is neither in work nor out of it.
    followed = mart.date_sortie.notnull() & ~mart.personne_locale
    rows = mart.select(
        *entries.columns,
        emploi=ibis.ifelse(followed, _as_int(mart.hash_issue.notnull()), ibis.null("int64")),
        durable=ibis.ifelse(followed, mart.durable_issue.fill_null(0), ibis.null("int64")),
    )
    # Most persons have one entry: it is the first of every condition it meets, and only the
    # rows of persons with several entries go through the ranking and its windows (sorting every
    # row by person made most of the mart's cost, and spilled to disk at 10 M entries).
    several = (
        rows.group_by("hash_personne")
        .aggregate(lignes=rows.count())
        .filter(ibis._.lignes > 1)
        .select("hash_personne")
    )
    alone = rows.anti_join(several, "hash_personne")
    alone = alone.mutate(
        **{
            first_flag(phase, measure, national): condition
            for phase in plan.phases
            for measure, condition in _conditions(alone, phase).items()
            for national in (False, True)
        }
    )
    many = rows.semi_join(several, "hash_personne")
    # The session key breaks ties between a person's entries of one day, so that the flagged
    # row is the same whichever way (and on whichever rows) the mart is built.
    many = many.mutate(
        rang=ibis.row_number().over(
            group_by=many.hash_personne, order_by=[many.date_entree, many.cle_session]
        )
    )
    many = many.mutate(
        **{k: v for phase in plan.phases for k, v in _firsts(many, phase).items()}
    ).drop("rang")
    return alone.union(many).drop("cle_session")


FIRSTS = ("personnes", "acces", "sortants", "emploi", "durable")


def first_flag(phase: Phase, measure: str, national: bool) -> str:
    """The mart column marking one row per person (per region, or nationally) for a measure of
    a phase: summed, it counts distinct persons without a distinct count at bilan time."""
    code = re.sub(r"\W", "_", phase.code.lower())
    return f"premiere_{measure}_{'nat_' if national else ''}{code}"


def _conditions(rows: ir.Table, phase: Phase) -> dict[str, ir.BooleanValue]:
    """For each distinct-person count of a phase, the rows it counts the person of."""
    entered = in_window(rows.date_entree, phase.start, phase.end)
    left = rows.dans_plan & in_window(rows.date_sortie, phase.start, phase.end).fill_null(False)
    left = left & rows.emploi.notnull()  # leavers whose outcome can be known
    return {
        "personnes": rows.dans_plan & entered,
        "acces": entered,
        "sortants": left,
        "emploi": left & (rows.emploi == 1).fill_null(False),
        "durable": left & (rows.durable == 1).fill_null(False),
    }


def _firsts(rows: ir.Table, phase: Phase) -> dict[str, ir.BooleanValue]:
    """The first-row flags of a phase on `rows`, ranked (`rang`) within each person."""
    conditions = _conditions(rows, phase)
    # One ordering of each person's rows (`rang`) serves every flag: the first row meeting a
    # condition is the one of least rank among them, a plain aggregate over the person's rows
    # (and region), where one ordered window per flag cost eight times as much.
    windows = {
        True: ibis.window(group_by=rows.hash_personne),
        False: ibis.window(group_by=[rows.hash_personne, rows.region]),
    }
    flags = {}
    for measure, condition in conditions.items():
        for national, window in windows.items():
            first = rows.rang == rows.rang.min(where=condition).over(window)
            flags[first_flag(phase, measure, national)] = condition & first.fill_null(False)
    return flags


def phase_entries(mart: ir.Table, phase: Phase, region: str | None) -> ir.Table:
    """Counted entries starting in the phase (rows of the mart)."""
    e = mart.filter(mart.dans_plan, in_window(mart.date_entree, phase.start, phase.end))
    return e if region is None else e.filter(e.region == region)


def in_convention_scope(rows: ir.Table, plan: Plan) -> ir.BooleanValue:
    """Counted entries (`dans_plan`) that also count toward their region's target: a convention
    that declares its own financeurs (Auvergne-Rhône-Alpes 2016: Pôle emploi only) counts only
    entries with one of them; elsewhere every counted entry does."""
    restricted = plan.restricted_scopes()
    if not restricted:
        return rows.dans_plan
    cases = [
        (rows.region == region, ibis.or_(*(rows.financeurs.contains(c) for c in codes)))
        for region, codes in sorted(restricted.items())
    ]
    return rows.dans_plan & ibis.cases(*cases, else_=True).fill_null(True)


def scope_counts(mart: ir.Table, phase: Phase, plan: Plan, region: str | None) -> ir.Table:
    """One row per region: entries of the phase (`entrees`) and of its reference window
    (`reference`) in the scope of the region's convention, what its realisation rate reads."""
    in_phase = in_window(mart.date_entree, phase.start, phase.end)
    in_reference = in_window(mart.date_entree, phase.reference_start, phase.reference_end)
    rows = mart.filter(in_convention_scope(mart, plan), in_phase | in_reference)
    if region is not None:
        rows = rows.filter(rows.region == region)
    return rows.group_by("region").aggregate(
        entrees=_as_int(in_window(rows.date_entree, phase.start, phase.end)).sum(),
        reference=_as_int(
            in_window(rows.date_entree, phase.reference_start, phase.reference_end)
        ).sum(),
    )


def _as_int(flag: ir.BooleanValue) -> ir.IntegerValue:
    return flag.cast("int64")


def _count_firsts(e: ir.Table, phase: Phase, measure: str, national: bool) -> ir.IntegerScalar:
    return _as_int(e[first_flag(phase, measure, national)]).sum().fill_null(0)


def summary(e: ir.Table, phase: Phase) -> ir.Table:
    """One row per region: the additive counts of the bilan's figures."""
    return e.group_by("region").aggregate(
        entrees=e.count(),
        personnes=_count_firsts(e, phase, "personnes", False),
        connues=_as_int(e.connue).sum(),
        peu_qualifies=_as_int(e.peu_qualifies).sum(),
        jeunes=_as_int(e.jeunes).sum(),
        seniors=_as_int(e.seniors).sum(),
        deld=_as_int(e.deld).sum(),
        handicapes=_as_int(e.handicapes).sum(),
        heures=e.duree_heures.sum(),
        avec_duree=e.duree_heures.count(),
        certifiantes=_as_int(e.certifiante).sum(),
        locales=_as_int(e.personne_locale).sum(),
    )


def distinct_persons(e: ir.Table, phase: Phase, measure: str = "personnes") -> ir.IntegerScalar:
    """Distinct persons of the nation among the phase's entries (`personnes`) or trainees
    (`acces`)."""
    return _count_firsts(e, phase, measure, True)


def trainees(mart: ir.Table, start: dt.date, end: dt.date, region: str | None) -> ir.Table:
    """Every entry starting in the window, whatever its financeurs (the access rate counts all
    trainings, as the statistics office does)."""
    e = mart.filter(in_window(mart.date_entree, start, end))
    return e if region is None else e.filter(e.region == region)


def persons_by_region(e: ir.Table, phase: Phase) -> ir.Table:
    return e.group_by("region").aggregate(personnes=_count_firsts(e, phase, "acces", False))


def age_band(age: ir.IntegerValue, plan: Plan) -> ir.StringValue:
    publics = plan.rules.publics
    # The unknown age first: a CASE falls through NULL comparisons to its ELSE.
    return ibis.cases(
        (age.isnull(), "inconnu"),
        (age <= publics.young_max_age, "jeunes"),
        (age >= publics.senior_min_age, "seniors"),
        else_="intermediaire",
    ).cast("string")


def counts_by(e: ir.Table, dimension: str) -> ir.Table:
    """Entries per region and value of a breakdown dimension (`key`, a string; NULL unknown)."""
    if dimension == "financeur":
        exploded = e.select("region", code=e.financeurs.unnest())
        keyed = exploded.select("region", key=exploded.code.cast("string"))
        return keyed.group_by(["region", "key"]).aggregate(entrees=keyed.count())
    keys: dict[str, ir.Value] = {
        "mois": e.mois.cast("string"),
        "financeur_principal": e.financeur_principal.cast("string"),
        "departement": e.departement,
        "domaine": e.domaine,
        "tranche_age": e.tranche_age,
        "niveau": e.niveau,
    }
    keyed = e.select("region", key=keys[dimension])
    return keyed.group_by(["region", "key"]).aggregate(entrees=keyed.count())


def counts_by_month_and_financeur(e: ir.Table) -> ir.Table:
    """Entries per region, month number and financeur principal (`key`, a string; NULL unknown):
    the crossing of the by-month and by-financeur-principal tables."""
    keyed = e.select("region", "mois", key=e.financeur_principal.cast("string"))
    return keyed.group_by(["region", "mois", "key"]).aggregate(entrees=keyed.count())


def top_organismes(e: ir.Table, top: int, by_region: bool) -> ir.Table:
    """Entries of the `top` training organisations with most entries (per region, or
    nationally with a NULL region), the others and unknown ones summed under the key `autres`."""
    keys = ["region", "siret"] if by_region else ["siret"]
    counts = e.group_by(keys).aggregate(entrees=e.count())
    window = ibis.window(
        group_by="region" if by_region else None,
        order_by=[counts.siret.isnull(), ibis.desc(counts.entrees), counts.siret],
    )
    ranked = counts.mutate(rang=ibis.row_number().over(window))
    keyed = ranked.select(
        region=ranked.region if by_region else ibis.null("string"),
        key=ibis.ifelse((ranked.rang < top) & ranked.siret.notnull(), ranked.siret, "autres"),
        entrees=ranked.entrees,
    )
    return keyed.group_by(["region", "key"]).aggregate(entrees=keyed.entrees.sum())


def entries_by_month(
    t: Tables, plan: Plan, start: dt.date, end: dt.date, region: str | None
) -> ir.Table:
    """Counted entries starting between `start` and `end`, per region and month number, read
    from the raw entries (for one-off queries on a store whose mart may not be built)."""
    base = scoped(t.entrees, plan, region)
    e = base.filter(in_window(base.date_entree, start, end))
    keyed = e.select("region", mois=month_number(e.date_entree))
    return keyed.group_by(["region", "mois"]).aggregate(entrees=keyed.count())


def month_counts(mart: ir.Table, start: dt.date, end: dt.date, region: str | None) -> ir.Table:
    """`entries_by_month` read from the mart."""
    e = mart.filter(mart.dans_plan, in_window(mart.date_entree, start, end))
    if region is not None:
        e = e.filter(e.region == region)
    return e.group_by(["region", "mois"]).aggregate(entrees=e.count())


def starts_and_ends(mart: ir.Table, phase: Phase, region: str | None) -> ir.Table:
    """Counted entries started by the phase end, per region, start month and end month.

    The end month is that of the later of start and end (NULL when the entry has no end date or
    ends after the phase): the stock at a month end is the starts so far minus the ends so far.
    """
    e = mart.filter(mart.dans_plan, mart.date_entree <= ibis.date(phase.end))
    if region is not None:
        e = e.filter(e.region == region)
    ended = e.date_sortie.notnull() & (e.date_sortie <= ibis.date(phase.end))
    last = ibis.greatest(e.date_entree, e.date_sortie)
    keyed = e.select(
        "region",
        debut=e.mois,
        fin=ibis.ifelse(ended, month_number(last), ibis.null("int64")),
    )
    return keyed.group_by(["region", "debut", "fin"]).aggregate(entrees=keyed.count())


def leavers_outcomes(mart: ir.Table, phase: Phase, region: str | None) -> ir.Table:
    """The rows of counted trainings ended in the phase; their first-row flags mark the persons
    leaving, those with a job of at least `min_days` starting within `window_months` after the
    end, and those with a durable one."""
    e = mart.filter(mart.dans_plan, in_window(mart.date_sortie, phase.start, phase.end))
    return e if region is None else e.filter(e.region == region)


def _outcome_counts(
    e: ir.Table, phase: Phase, national: bool, cut: bool
) -> dict[str, ir.IntegerScalar]:
    """`cut`: the phase is cut before its end. Its first-row flags were set on the whole phase,
    where a person's first leaving may fall after the cut: persons are then counted distinct."""
    if cut:
        followed = e.emploi.notnull()
        return {
            "sortants": e.hash_personne.nunique(where=followed),
            "emploi": e.hash_personne.nunique(where=followed & (e.emploi == 1)),
            "durable": e.hash_personne.nunique(where=followed & (e.durable == 1)),
        }
    return {
        name: _count_firsts(e, phase, measure, national)
        for name, measure in (
            ("sortants", "sortants"),
            ("emploi", "emploi"),
            ("durable", "durable"),
        )
    }


def outcomes_by_region(leavers: ir.Table, phase: Phase, cut: bool = False) -> ir.Table:
    return leavers.group_by("region").aggregate(**_outcome_counts(leavers, phase, False, cut))


def outcomes_national(leavers: ir.Table, phase: Phase, cut: bool = False) -> ir.Table:
    """A person leaving in two regions counts once nationally."""
    return leavers.aggregate(**_outcome_counts(leavers, phase, True, cut))


def latest_entries(entrees: ir.Table) -> ir.Table:
    """The latest entry date of each region's imported entries, counted by the plan or not
    (what the date d'arrêt des données is read from: `jalon.indicators.arret`)."""
    return entrees.group_by("region").aggregate(derniere=entrees.date_entree.max())


def places_by_financeur(t: Tables, phase: Phase, region: str | None) -> ir.Table:
    """Places financed per region and financeur, for actions with a session starting in the phase.

    An action counts once, whatever its number of sessions and however many catalogues list it:
    its places and place are those of the latest import that describes it.
    """
    sessions = t.offre_sessions
    launched = (
        sessions.filter(in_window(sessions.debut, phase.start, phase.end))
        .select(numero_action=sessions.action)
        .distinct()
    )
    a = t.offre_actions
    latest = a.group_by(numero_action=a.numero).aggregate(import_id=a.import_id.max())
    actions = a.select(numero_action=a.numero, import_id="import_id", region="region")
    actions = actions.join(latest, ["numero_action", "import_id"])
    if region is not None:
        actions = actions.filter(actions.region == region)
    places = t.places.select(
        numero_action=t.places.action,
        import_id="import_id",
        financeur="financeur",
        places="places",
    )
    joined = launched.join(actions, "numero_action").join(places, ["numero_action", "import_id"])
    return joined.group_by(["region", joined.financeur.cast("string").name("key")]).aggregate(
        places=joined.places.sum()
    )


def demandeurs_by_region(t: Tables, year: int, region: str | None) -> ir.Table:
    d = t.demandeurs.filter(t.demandeurs.annee == year)
    if region is not None:
        d = d.filter(d.region == region)
    return d.group_by("region").aggregate(demandeurs=d.demandeurs.sum())


def actions_by_type(t: Tables, phase: Phase, region: str | None) -> ir.Table:
    """Aggregate non-training actions per region and type over the months of the phase."""
    a = t.actions_agregees
    month = a.annee * 12 + a.mois - 1
    first = phase.start.year * 12 + phase.start.month - 1
    last = phase.end.year * 12 + phase.end.month - 1
    a = a.filter(month.between(first, last))
    if region is not None:
        a = a.filter(a.region == region)
    return a.group_by(["region", a.type_action.name("key")]).aggregate(actions=a.nombre.sum())
