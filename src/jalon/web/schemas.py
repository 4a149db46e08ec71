"""The answers of the JSON API as Pydantic models: what the OpenAPI document says, in French.

The dashboards' answers are serialised once per data version from the indicator layer's own
`as_dict()` (`jalon.indicators`); their models describe those dictionaries for the reader of the
OpenAPI document and accept fields added later (`extra="allow"`), so a new indicator or column
never breaks an answer. The import and account answers are built from these models directly.
Pure data, no access to the base.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class Erreur(BaseModel):
    erreur: str = Field(description="Ce qui ne va pas, en français, et quoi faire.")


class Indicateur(_Open):
    libelle: str = Field(description="Nom de l'indicateur.")
    valeur: float | None = Field(description="Valeur ; absente si masquée ou non calculable.")
    note: str | None = Field(None, description="Précision : secret statistique, dénominateur…")


class Ventilation(_Open):
    libelle: str = Field(description="Titre du tableau.")
    dimension: str = Field(description="Ce que chaque ligne désigne (mois, département…).")
    colonnes: list[str] = Field(description="Codes des colonnes de mesure de chaque ligne.")
    lignes: list[dict[str, Any]] = Field(
        description=(
            "Une ligne par modalité : « cle », « libelle », une valeur par colonne (absente si "
            "masquée) et « masque », la liste des colonnes masquées par le secret statistique."
        )
    )
    secret_seuil: int | None = Field(None, description="Seuil du secret statistique appliqué.")
    total_masque: list[str] = Field(
        default_factory=list, description="Colonnes dont le total ne doit pas être publié."
    )


class BilanDonnees(_Open):
    plan: str = Field(description="Nom du plan.")
    plan_sha256: str = Field(description="Empreinte du fichier du plan qui a servi au calcul.")
    phase: str = Field(description="Code de la phase.")
    region: str | None = Field(description="Code INSEE de la région ; absent pour la France.")
    date_arret: dt.date | None = Field(
        None, description="Date à laquelle les chiffres sont calculés (AAAA-MM-JJ)."
    )
    date_arret_donnees: dt.date | None = Field(
        None, description="Dernier jour couvert par les fichiers importés de ce territoire."
    )
    au: dt.date | None = Field(None, description="Date demandée par le paramètre « au ».")
    phase_en_cours: bool | None = Field(
        None, description="Vrai si la phase n'est pas terminée à la date d'arrêt."
    )
    mois_observes: int | None = Field(None, description="Mois complets de la phase observés.")
    mois_total: int | None = Field(None, description="Nombre de mois de la phase.")
    etat_phase: str | None = Field(
        None, description="« phase en cours : 3 mois sur 6 » ou « phase terminée »."
    )
    indicateurs: dict[str, Indicateur] = Field(description="Indicateurs, par code.")
    ventilations: dict[str, Ventilation] = Field(description="Tableaux, par code.")


class RegionClassee(_Open):
    region: str = Field(description="Code INSEE de la région.")
    libelle: str = Field(description="Nom de la région.")
    donnees: bool = Field(description="Vrai si la région a des entrées importées.")
    rangs: dict[str, int | None] = Field(description="Rang de la région pour chaque critère.")


class Classement(_Open):
    plan: str
    phase: str
    regle_realisation: str = Field(description="Règle du taux de réalisation du plan.")
    criteres: list[str] = Field(description="Critères de classement, par code d'indicateur.")
    regions: list[RegionClassee]


class National(_Open):
    public: bool = Field(description="Vrai pour la version publique (secret statistique).")
    bilan: BilanDonnees
    classement: Classement


class RegionNom(BaseModel):
    code: str
    nom: str


class Prevision(_Open):
    phase: str
    region: str | None
    methode: str = Field(description="Méthode de projection, en français.")
    projection: float = Field(description="Entrées projetées en fin de phase.")
    low: float = Field(description="Borne basse de l'intervalle de projection.")
    high: float = Field(description="Borne haute de l'intervalle de projection.")
    probability: float | None = Field(description="Probabilité d'atteindre l'objectif (0 à 1).")


class Region(_Open):
    region: RegionNom
    public: bool = Field(description="Vrai pour la version publique (secret statistique).")
    bilan: BilanDonnees
    prevision: Prevision | None = Field(
        description="Prévision de fin de phase ; absente si elle trahirait des effectifs masqués."
    )


class DefinitionIndicateur(BaseModel):
    code: str
    libelle: str
    definition: str
    unite: str = Field(description="Unité : entrées, personnes, taux (0 à 1), heures…")
    reglage_du_plan: str | None = Field(description="Réglage du plan dont dépend l'indicateur.")
    ventilations: list[str] = Field(description="Tableaux où l'indicateur est ventilé.")


class ImportLigne(BaseModel):
    import_id: int = Field(description="Numéro de l'import.")
    profil: str = Field(description="Profil de lecture (format du fichier).")
    fichier: str = Field(description="Nom du fichier importé.")
    termine_le: dt.datetime = Field(description="Fin de l'import.")
    lues: int = Field(description="Lignes lues.")
    acceptees: int = Field(description="Lignes acceptées.")
    rejetees: int = Field(description="Lignes rejetées.")
    doublons: int = Field(description="Lignes en double, écartées.")
    statut: str = Field(description="« actif », ou « remplace » s'il a été remplacé.")
    importe_par: str | None = Field(description="Compte qui l'a importé depuis le navigateur.")


class RejetLigne(BaseModel):
    ligne: int = Field(description="Numéro de la ligne dans le fichier (en-tête : ligne 1).")
    colonne: str | None = Field(description="Colonne en cause ; absente pour toute la ligne.")
    motif: str = Field(description="Code du motif de rejet.")
    libelle_motif: str = Field(description="Motif de rejet, en français.")
    message: str = Field(description="Explication complète : ce qui était attendu.")
    valeur: str | None = Field(
        description="Valeur refusée ; jamais donnée pour une colonne de données personnelles."
    )


class ImportDetail(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    import_: ImportLigne = Field(alias="import", description="L'import.")
    rejets_total: int = Field(description="Nombre total de lignes rejetées.")
    debut: int = Field(description="Rang du premier rejet de cette page (à partir de 0).")
    rejets: list[RejetLigne] = Field(description="Lignes rejetées de cette page.")


class BilanDisponibilite(BaseModel):
    pdf_disponible: bool = Field(description="Vrai si ce serveur sait produire le PDF.")
    regions: list[str] = Field(description="Régions dont le compte peut produire le bilan.")
    phases: list[str] = Field(description="Phases du plan.")
    versions: list[str] = Field(
        description="Versions offertes au compte : « public », et « interne » s'il y a droit."
    )


#: Error answers every JSON operation may give, for the OpenAPI document.
ERREURS: dict[int | str, dict[str, Any]] = {
    400: {"model": Erreur, "description": "Paramètre mal formé (date « au » illisible…)."},
    401: {"model": Erreur, "description": "Connexion nécessaire."},
    403: {"model": Erreur, "description": "Hors du périmètre du compte."},
    404: {"model": Erreur, "description": "Phase, région ou ressource inconnue."},
    422: {"model": Erreur, "description": "Paramètre invalide."},
}
