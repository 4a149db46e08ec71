"""The indicator registry: every figure and table Jalon publishes, declared once and defined.

Pure data (no I/O). Reports, the web app and the exports read labels, units and definitions from
here; `jalon.indicators.definitions` computes them (Ibis) and `jalon.indicators.bilan` assembles
them. `docs/indicateurs.md` is generated from this registry (`jalon indicateurs --markdown`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Unit = Literal[
    "entrées", "personnes", "places", "actions", "taux", "heures", "objectif", "pour 1 000"
]


#: What each setting of the plan file an indicator depends on is, in French: what a reader of a
#: bilan sees (the file's keys are for whoever edits the plan).
PLAN_SETTINGS: dict[str, str] = {
    "rules.counted_financeurs": "les financeurs comptés par le plan",
    "phases.reference_start, phases.reference_end": "la période de référence de la phase",
    "conventions.targets.declared_baseline": "la base déclarée par chaque convention",
    "conventions.targets.additional_entries": (
        "l'objectif d'entrées supplémentaires de chaque convention"
    ),
    "conventions.targets.total_entries": "l'objectif total d'entrées de chaque convention",
    "rules.realisation": "la règle de calcul du taux de réalisation",
    "rules.publics.low_qualified_levels": "les niveaux de formation dits peu ou pas qualifiés",
    "rules.publics.young_max_age": "l'âge maximal des jeunes",
    "rules.publics.senior_min_age": "l'âge minimal des seniors",
    "rules.publics.long_term_months": (
        "la durée d'inscription des demandeurs d'emploi de longue durée"
    ),
    "rules.emploi.window_months, rules.emploi.min_days": (
        "le délai et la durée minimale d'un emploi après la formation"
    ),
    "rules.emploi.durable_months": "la durée d'un emploi durable",
    "actions_agregees.included": "les types d'actions agrégées ajoutés au total du plan",
}


@dataclass(frozen=True)
class Indicator:
    code: str
    label: str
    definition: str
    unit: Unit
    plan_setting: str | None = None
    dimensions: tuple[str, ...] = ()

    @property
    def reglage(self) -> str | None:
        """The plan setting, in French words."""
        return None if self.plan_setting is None else PLAN_SETTINGS[self.plan_setting]

    @property
    def ventilations(self) -> tuple[str, ...]:
        """The titles of the tables that break the indicator down."""
        return tuple(BREAKDOWN_SPECS[d].label for d in self.dimensions if d in BREAKDOWN_SPECS)


@dataclass(frozen=True)
class BreakdownSpec:
    """A table of the bilan: its rows are the values of `dimension`, its columns measure codes."""

    code: str
    label: str
    dimension: str
    columns: tuple[str, ...]
    definition: str
    additive: bool = True  # rows partition the entries: their sum is the total


_COUNT_DIMENSIONS = (
    "mois",
    "financeur_principal",
    "financeur",
    "departement",
    "domaine",
    "organisme",
    "public",
    "tranche_age",
    "niveau",
)

INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        code="entrees",
        label="Entrées en formation",
        definition=(
            "Nombre d'entrées en formation dont la date d'entrée tombe dans la phase et qui ont au "
            "moins un financeur compté par le plan. Une entrée est une personne entrant dans une "
            "session : une même session déclarée par deux sources ne compte qu'une fois, ses "
            "financeurs étant fusionnés. On compte des formations, pas des personnes."
        ),
        unit="entrées",
        plan_setting="rules.counted_financeurs",
        dimensions=_COUNT_DIMENSIONS,
    ),
    Indicator(
        code="personnes",
        label="Personnes formées",
        definition=(
            "Nombre de personnes distinctes (empreinte de l'identifiant national) ayant au moins "
            "une entrée comptée dans la phase. Une personne entrée deux fois en formation compte "
            "une fois : ce nombre est toujours inférieur ou égal au nombre d'entrées."
        ),
        unit="personnes",
        plan_setting="rules.counted_financeurs",
    ),
    Indicator(
        code="entrees_reference",
        label="Entrées de la période de référence",
        definition=(
            "Entrées comptées selon les mêmes règles sur la période de référence de la phase "
            "déclarée par le plan (les mêmes mois de l'année de base, le plus souvent)."
        ),
        unit="entrées",
        plan_setting="phases.reference_start, phases.reference_end",
        dimensions=("mois",),
    ),
    Indicator(
        code="entrees_supplementaires",
        label="Entrées supplémentaires (mesurées)",
        definition=(
            "Entrées de la phase moins entrées de la période de référence, toutes deux mesurées "
            "dans les fichiers importés. Pour une phase en cours à la date d'arrêt des données, "
            "à données comparables : les mois observés moins les mêmes mois (et jours) de la "
            "période de référence, jamais toute la période de référence."
        ),
        unit="entrées",
    ),
    Indicator(
        code="entrees_projetees",
        label="Entrées projetées en fin de phase (projection)",
        definition=(
            "Phase en cours seulement : entrées de la phase projetées à sa fin par la méthode "
            "de la prévision, à partir des mois complets observés à la date d'arrêt. Une "
            "projection, non une mesure."
        ),
        unit="entrées",
    ),
    Indicator(
        code="entrees_supplementaires_projetees",
        label="Entrées supplémentaires projetées en fin de phase (projection)",
        definition=(
            "Phase en cours seulement : entrées projetées en fin de phase moins les entrées de "
            "toute la période de référence. La seule comparaison avec toute la période de "
            "référence qu'un bilan publie pour une phase en cours, et toujours comme projection."
        ),
        unit="entrées",
        plan_setting="phases.reference_start, phases.reference_end",
    ),
    Indicator(
        code="entrees_supplementaires_base_declaree",
        label="Entrées supplémentaires (sur la base déclarée)",
        definition=(
            "Entrées de la phase moins la base de référence déclarée dans la convention régionale "
            "(60 000 en 2015 pour l'Occitanie, par exemple). Non calculée pour une phase en "
            "cours : la base déclarée vaut pour toute la phase."
        ),
        unit="entrées",
        plan_setting="conventions.targets.declared_baseline",
    ),
    Indicator(
        code="objectif_supplementaires",
        label="Objectif d'entrées supplémentaires",
        definition="Objectif d'entrées supplémentaires fixé par la convention pour la phase.",
        unit="objectif",
        plan_setting="conventions.targets.additional_entries",
    ),
    Indicator(
        code="objectif_entrees",
        label="Objectif total d'entrées",
        definition=(
            "Objectif total d'entrées de la convention pour la phase : base déclarée plus "
            "entrées supplémentaires."
        ),
        unit="objectif",
        plan_setting="conventions.targets.total_entries",
    ),
    Indicator(
        code="taux_realisation",
        label="Taux de réalisation",
        definition=(
            "Selon la règle déclarée par le plan : entrées de la phase rapportées à l'objectif "
            "total d'entrées (règle « entrees »), ou entrées supplémentaires mesurées rapportées à "
            "l'objectif d'entrées supplémentaires (règle « supplementaires »). La règle appliquée "
            "est affichée avec le taux."
        ),
        unit="taux",
        plan_setting="rules.realisation",
    ),
    Indicator(
        code="places_lancees",
        label="Places lancées",
        definition=(
            "Somme des places financées (`nb-places-financees` du catalogue LHÉO) des actions "
            "dont au moins une session commence dans la phase, tous financeurs. Les places d'une "
            "action comptent une fois, quel que soit son nombre de sessions ; la région est celle "
            "du lieu de l'action."
        ),
        unit="places",
        dimensions=("financeur",),
    ),
    Indicator(
        code="stock_fin",
        label="Stagiaires en formation en fin de phase ou à la date d'arrêt",
        definition=(
            "Entrées comptées commencées au plus tard le dernier jour de la phase (la date "
            "d'arrêt des données, pour une phase en cours) et non encore terminées ce jour-là "
            "(date de fin réelle, sinon prévue, postérieure ; une entrée "
            "sans date de fin est comptée en cours). Le stock à chaque fin de mois figure dans "
            "la ventilation par mois."
        ),
        unit="entrées",
        dimensions=("mois",),
    ),
    Indicator(
        code="taux_acces",
        label="Taux d'accès à la formation",
        definition=(
            "Personnes distinctes entrées en formation pendant la phase, quels que soient les "
            "financeurs (comme la statistique publique, toutes les formations comptent), "
            "rapportées aux demandeurs d'emploi de l'année de début de la phase (personnes ayant "
            "au moins un mois principalement au chômage, fichier « demandeurs »). Pour une phase "
            "d'un semestre, le numérateur ne couvre que le semestre."
        ),
        unit="taux",
    ),
    Indicator(
        code="part_peu_qualifies",
        label="Part des peu ou pas qualifiés",
        definition=(
            "Part des entrées dont la personne avait, à la date d'entrée, un niveau de formation "
            "de niveau V ou infra (niveaux de la nomenclature LHÉO déclarés par le plan), "
            "d'après l'extrait du registre des demandeurs d'emploi (fichier « personnes ») et "
            "non d'après le niveau requis par la formation. Dénominateur : entrées dont la "
            "personne figure dans ce fichier avec une inscription commencée au plus tard à la "
            "date d'entrée."
        ),
        unit="taux",
        plan_setting="rules.publics.low_qualified_levels",
        dimensions=("public",),
    ),
    Indicator(
        code="part_jeunes",
        label="Part des jeunes",
        definition=(
            "Part des entrées dont la personne avait au plus l'âge déclaré par le plan (25 ans : "
            "moins de 26 ans) à la date d'entrée, l'âge étant calculé à partir du mois de "
            "naissance (anniversaire supposé le premier du mois). Même dénominateur que la part "
            "des peu qualifiés."
        ),
        unit="taux",
        plan_setting="rules.publics.young_max_age",
        dimensions=("public", "tranche_age"),
    ),
    Indicator(
        code="part_seniors",
        label="Part des seniors",
        definition=(
            "Part des entrées dont la personne avait au moins l'âge déclaré par le plan (45 ans) "
            "à la date d'entrée. Même dénominateur que la part des peu qualifiés."
        ),
        unit="taux",
        plan_setting="rules.publics.senior_min_age",
        dimensions=("public", "tranche_age"),
    ),
    Indicator(
        code="part_deld",
        label="Part des demandeurs d'emploi de longue durée",
        definition=(
            "Part des entrées dont la personne était, à la date d'entrée, inscrite comme "
            "demandeur d'emploi depuis au moins la durée déclarée par le plan (12 mois), sans "
            "interruption (une seule période d'inscription couvrant la date d'entrée)."
        ),
        unit="taux",
        plan_setting="rules.publics.long_term_months",
        dimensions=("public",),
    ),
    Indicator(
        code="part_handicapes",
        label="Part des travailleurs handicapés",
        definition=(
            "Part des entrées dont la personne avait, à la date d'entrée, une reconnaissance de "
            "travailleur handicapé (fichier « personnes »)."
        ),
        unit="taux",
        dimensions=("public",),
    ),
    Indicator(
        code="duree_moyenne",
        label="Durée moyenne des formations",
        definition=(
            "Moyenne, sur les entrées de la phase dont la durée est connue, du nombre d'heures "
            "de la formation (heures en centre plus heures en entreprise)."
        ),
        unit="heures",
    ),
    Indicator(
        code="part_certifiante",
        label="Part des formations certifiantes",
        definition=(
            "Part des entrées de la phase dont la formation vise une certification (un code "
            "Certif Info est renseigné par au moins une des sources de l'entrée)."
        ),
        unit="taux",
    ),
    Indicator(
        code="acces_emploi",
        label="Accès à l'emploi dans les 6 mois",
        definition=(
            "Parmi les personnes sorties de formation pendant la phase (date de fin réelle, "
            "sinon prévue, d'une entrée comptée), part de celles ayant au moins un emploi d'au "
            "moins un mois (durée minimale déclarée par le plan, en jours) commençant entre le "
            "jour de la sortie et six mois après (bornes incluses). Un emploi en cours, sans "
            "date de fin, compte comme assez long. Les personnes connues seulement par un "
            "identifiant propre à leur source (export régional sans identifiant national) ne "
            "peuvent pas être retrouvées dans les fichiers d'emploi : elles sont hors de cette "
            "population."
        ),
        unit="taux",
        plan_setting="rules.emploi.window_months, rules.emploi.min_days",
    ),
    Indicator(
        code="emploi_durable",
        label="Accès à l'emploi durable dans les 6 mois",
        definition=(
            "Même population et même fenêtre que l'accès à l'emploi ; l'emploi est durable s'il "
            "s'agit d'un CDI, d'une création d'entreprise, ou d'un CDD ou d'une mission "
            "d'intérim d'au moins six mois (durée déclarée par le plan ; en cours, il compte)."
        ),
        unit="taux",
        plan_setting="rules.emploi.durable_months",
    ),
    Indicator(
        code="entrees_non_rapprochees",
        label="Entrées non rapprochables par la personne",
        definition=(
            "Entrées comptées dont la personne n'est connue que par un identifiant propre à sa "
            "source (un export régional sans l'identifiant national du demandeur d'emploi) : "
            "elles ne peuvent être rapprochées ni des autres sources ni des périodes d'emploi. "
            "Une formation déclarée aussi par Pôle emploi y serait comptée deux fois."
        ),
        unit="entrées",
    ),
    Indicator(
        code="actions_agregees",
        label="Actions hors formations régionalisées",
        definition=(
            "Somme, sur les mois de la phase, des actions comptées dans les fichiers agrégés "
            "(accompagnement à la création d'entreprise, contrats de professionnalisation, VAE "
            "collective) dont le type figure dans la liste du plan."
        ),
        unit="actions",
        plan_setting="actions_agregees.included",
        dimensions=("type_action",),
    ),
    Indicator(
        code="total_actions_plan",
        label="Total des actions du plan",
        definition=(
            "Entrées en formation de la phase plus les actions hors formations régionalisées "
            "que le plan ajoute à son total (bilan national 2016 : 975 000 + 68 000 + 76 000 + "
            "7 000 = 1 126 000)."
        ),
        unit="actions",
        plan_setting="actions_agregees.included",
    ),
    Indicator(
        code="entrees_pour_1000_demandeurs",
        label="Entrées pour 1 000 demandeurs d'emploi",
        definition=(
            "Entrées de la phase rapportées aux demandeurs d'emploi de l'année de début de la "
            "phase, multipliées par 1 000 : permet de comparer des régions de tailles différentes."
        ),
        unit="pour 1 000",
    ),
)

REGISTRY: dict[str, Indicator] = {indicator.code: indicator for indicator in INDICATORS}

# Labels of the measure columns of breakdown tables that are not indicators themselves.
COLUMNS: dict[str, str] = {
    "entrees": "Entrées",
    "entrees_reference": "Entrées de la période de référence",
    "rythme_objectif": "Rythme de l'objectif (cumul)",
    "stock": "En formation en fin de mois",
    "glissement_entrees": "Glissement annuel des entrées",
    "glissement_stock": "Glissement annuel du stock",
    "part": "Part des entrées",
    "places": "Places financées",
    "actions": "Actions",
}

BREAKDOWNS: tuple[BreakdownSpec, ...] = (
    BreakdownSpec(
        "mois",
        "Entrées par mois",
        "Mois",
        (
            "entrees",
            "glissement_entrees",
            "entrees_reference",
            "rythme_objectif",
            "stock",
            "glissement_stock",
        ),
        "Entrées de chaque mois de la phase observé à la date d'arrêt des données (les mois "
        "suivants sont absents, non nuls ; le dernier peut être partiel), entrées du mois "
        "correspondant de la période de référence (coupé au même jour), objectif total cumulé "
        "réparti selon le profil mensuel de la période de référence (uniformément si elle est "
        "vide), stagiaires en formation en fin de mois (à la date d'arrêt pour un mois "
        "partiel). Glissement annuel : variation sur les mêmes jours de l'année précédente.",
    ),
    BreakdownSpec(
        "financeur_principal",
        "Entrées par financeur principal",
        "Financeur principal",
        ("entrees",),
        "Le financeur principal d'une entrée est le premier financeur déclaré par la première "
        "source qui l'a transmise.",
    ),
    BreakdownSpec(
        "financeur",
        "Entrées par financeur (cofinancements inclus)",
        "Financeur",
        ("entrees",),
        "Une entrée cofinancée compte pour chacun de ses financeurs : la somme des lignes "
        "dépasse le total.",
        additive=False,
    ),
    BreakdownSpec(
        "departement",
        "Entrées par département",
        "Département",
        ("entrees",),
        "Département du lieu de formation.",
    ),
    BreakdownSpec(
        "domaine",
        "Entrées par domaine de formation",
        "Domaine de formation",
        ("entrees",),
        "Domaine du Formacode® principal de la formation, désigné par ses deux premiers "
        "chiffres et nommé d'après les champs sémantiques du Formacode qu'il réunit.",
    ),
    BreakdownSpec(
        "organisme",
        "Entrées par organisme de formation",
        "Organisme de formation",
        ("entrees",),
        "Les vingt organismes qui comptent le plus d'entrées, puis les autres regroupés. "
        "Un organisme est désigné par son SIRET et nommé par la raison sociale que les fichiers "
        "importés lui donnent le plus souvent.",
    ),
    BreakdownSpec(
        "public",
        "Entrées par public prioritaire",
        "Public",
        ("entrees", "part"),
        "Une personne peut appartenir à plusieurs publics : la somme des lignes n'est pas le "
        "total. Part : rapportée aux entrées dont la personne est connue du fichier personnes.",
        additive=False,
    ),
    BreakdownSpec(
        "tranche_age",
        "Entrées par tranche d'âge",
        "Âge à l'entrée",
        ("entrees",),
        "Tranches bornées par les âges des jeunes et des seniors déclarés par le plan.",
    ),
    BreakdownSpec(
        "niveau",
        "Entrées par niveau de formation de la personne",
        "Niveau de formation",
        ("entrees",),
        "Niveau de formation le plus élevé de la personne à l'entrée (fichier personnes).",
    ),
    BreakdownSpec(
        "places_financeur",
        "Places lancées par financeur",
        "Financeur",
        ("places",),
        "Places financées des actions dont une session commence dans la phase.",
    ),
    BreakdownSpec(
        "type_action",
        "Actions hors formations régionalisées par type",
        "Type d'action",
        ("actions",),
        "Actions comptées à partir des fichiers agrégés, sur les mois de la phase.",
    ),
)

BREAKDOWN_SPECS: dict[str, BreakdownSpec] = {spec.code: spec for spec in BREAKDOWNS}

#: Tables that cross two tables of the bilan (their margins), published in the open data set
#: only; the bilan carries them (`Bilan.crossings`) so that secrecy protects them with the others.
CROSSINGS: tuple[BreakdownSpec, ...] = (
    BreakdownSpec(
        "mois_financeur",
        "Entrées par mois et financeur principal",
        "Mois et financeur principal",
        ("entrees",),
        "Entrées de chaque mois de la phase observé à la date d'arrêt des données, par "
        "financeur principal (le premier financeur déclaré par la première source qui a transmis "
        "l'entrée). Les lignes d'un mois ont pour somme les entrées du mois (tableau par mois), "
        "celles d'un financeur les entrées de ce financeur principal (tableau par financeur "
        "principal). Publié dans le jeu de données ouvertes seulement (`jalon opendata`).",
    ),
)
CROSSING_SPECS: dict[str, BreakdownSpec] = {spec.code: spec for spec in CROSSINGS}

#: The statistical secrecy rule, as `docs/indicateurs.md` states it (applied by
#: `jalon.indicators.secret_pattern`).
SECRET_STATISTIQUE = """# Secret statistique

Toute sortie publique (bilan PDF public, pages web et leurs versions JSON et CSV, dossier de presse, `jalon bilan --public`) applique une seule règle, calculée une fois pour toutes les tables publiées ensemble pour une phase : le bilan national et ceux de chaque région, par mois, financeur, département, domaine, organisme, public, tranche d'âge et niveau, avec leurs totaux, le classement des régions et, pour le jeu de données ouvertes, le croisement des entrées par mois et financeur principal. Une même case a donc le même statut partout.

- **Seuil** : déclaré par le plan (`[secret] threshold`, 11 dans le plan livré avec Jalon). Tout effectif de 1 à seuil − 1 est masqué : c'est le secret **primaire**. Les objectifs et les places ne sont pas des effectifs de personnes et ne sont jamais masqués.
- **Tables liées** : les lignes d'une table additive font le total du territoire (entrées, entrées de la période de référence) ; la case nationale est la somme des cases régionales (France ⊃ région ⊃ département : la ligne d'un département figure dans le bilan de sa région et dans le bilan national) ; le tableau des organismes (les vingt premiers, puis « autres ») est lié par ses regroupements ; le stock de fin de phase est la case du dernier mois ; les actions agrégées comptées sont la somme de leurs types ; le croisement mois × financeur principal a pour marges les tables par mois et par financeur principal. Quand des chiffres publiés ne se recoupent pas exactement (entrées sans région connue…), l'écart est lui-même une case protégée s'il est petit. Les tables dont les lignes se recouvrent (financeurs avec cofinancement, publics prioritaires) ne sont liées qu'entre territoires.
- **Secret secondaire** (`[secret] secondary = true`) : tant qu'une case masquée peut être recalculée à partir de l'ensemble des chiffres publiés (par différence, en combinant le bilan national, les bilans régionaux et le classement), on masque en plus la plus petite case publiée qui partage une relation avec elle (une case intérieure avant un total), de préférence une case qui la rend indéterminée, puis une case du croisement des données ouvertes (il se protège lui-même avant de masquer une case des tableaux du bilan) ; puis, de la plus grande à la plus petite, les cases du croisement en dernier, on republie chaque case masquée en secondaire dont le masquage ne protège plus rien (sans elle, toute case masquée reste indéterminée). Une case masquée est sûre quand le système linéaire de tous les chiffres publiés la laisse indéterminée : le noyau de ce système restreint aux cases masquées est tenu à jour case par case pendant la recherche, puis le schéma final est vérifié par une décomposition en valeurs singulières, groupe de cases liées par groupe.
- **Chiffres dérivés** : un taux, une part ou un écart calculé à partir d'un effectif masqué est masqué avec lui ; une part d'un public masqué est masquée ; un taux dont le numérateur ou le dénominateur est petit est masqué. Une région dont les entrées sont masquées n'apparaît dans le classement ni avec ses valeurs ni avec son rang, et ses entrées de référence sont masquées aussi ; la prévision n'est pas publiée quand les entrées dont elle part sont masquées.
- **Ce que voit le lecteur** : « secret statistique » à la place du chiffre (« s » dans les tableaux du PDF, `null` avec la note « secret statistique » dans le JSON) ; un total masqué est marqué de même. Un chiffre dont la source n'a jamais été importée est « donnée non disponible », jamais masqué ni nul.
- **Calcul** : le schéma de masquage est calculé à la première lecture et gardé en mémoire par version des données (le contenu des tables, le plan et la phase) ; il n'est pas écrit dans la base, pour qu'un changement du plan (seuil) s'applique sans réimport. Sur la base de démonstration (2 640 cases publiées dont 550 du croisement, 337 masquées en primaire), il demande 4 à 5 s de processeur par phase et masque 358 cases en secondaire ; sans le croisement, 1,5 à 1,9 s et 141 cases (mesures de `bench/secret_bench.py` sur une machine partagée, `bench/RESULTS.md`).
- **Référence** : `bench/secret_bench.py` compare le schéma, sur la table région × domaine, à celui de τ-Argus (`pytauargus` 0.6, règle de fréquence `FREQ(11,0)`, suppression optimale `OPT`, solveur HiGHS), installé comme dépendance de développement : sur la base de démonstration, les deux schémas de cette table sont identiques (42 cases, effectif masqué 405). Le paquet R `sdcTable` n'a pas été essayé : τ-Argus s'installe.
"""  # noqa: E501 (Markdown paragraphs, one line each)


def column_label(code: str) -> str:
    return COLUMNS.get(code) or REGISTRY[code].label


def markdown(backtest: str | None = None) -> str:
    """The registry as the Markdown page `docs/indicateurs.md`, with the forecast's backtest."""
    lines = [
        "# Indicateurs",
        "",
        "Page générée à partir du registre des indicateurs (`src/jalon/indicators/registry.py`) "
        "par `jalon indicateurs --markdown` ; ne pas la modifier à la main.",
        "",
    ]
    for ind in INDICATORS:
        lines += [f"## {ind.label} (`{ind.code}`)", "", ind.definition, ""]
        lines.append(f"- Unité : {ind.unit}")
        if ind.plan_setting:
            lines.append(f"- Réglage du plan : {ind.reglage} (`{ind.plan_setting}`)")
        if ind.dimensions:
            lines.append(f"- Ventilations : {', '.join(ind.dimensions)}")
        lines.append("")
    lines += ["# Ventilations", ""]
    for spec in (*BREAKDOWNS, *CROSSINGS):
        columns = ", ".join(f"{column_label(c)} (`{c}`)" for c in spec.columns)
        lines += [f"## {spec.label} (`{spec.code}`)", "", spec.definition, ""]
        lines += [f"- Lignes : {spec.dimension}", f"- Colonnes : {columns}", ""]
    lines += [SECRET_STATISTIQUE.rstrip(), ""]
    if backtest:
        lines += [backtest.rstrip(), ""]
    return "\n".join(lines)
