"""The column layouts of the Pôle emploi trainee export the simulator writes, by period.

Pure data, written from DESIGN §5 ("Real exports: what they look like"), never read from the
importer's profile: simulator and importer must not share a mistake. The export changed layout
several times: session dates in 2015, module dates in the 38-column layout of 2016, plan dates in
the 34-column layout of early 2017 (no levels, durations, AES flags or Certif Info label; four
secondary Formacodes and five Certif Info codes), then the 35-column one with the training
scheme after `liste_financeur`; the latest files carry columns about co-financing that no
profile declares.
"""

from __future__ import annotations

IDENTITY: tuple[str, ...] = (
    "c_nomcorrespondance",
    "c_prenomcorrespondance",
    "c_adresseemail",
    "c_telephone1",
    "c_telephone2",
    "c_validitemail_id",
)
# Columns whose value depends on the trainee line, not only on the session.
ENTRY_COLUMNS = frozenset(
    {
        "dn_individu_national",
        "dc_aes_recue",
        "dc_referencement",
        "c_individulocal",
        "liste_financeur",
    }
)

LAYOUT_2016: tuple[str, ...] = (
    *IDENTITY,
    "dn_individu_national",
    "dn_session_id",
    "dc_aes_recue",
    "dc_referencement",
    "c_individulocal",
    "dc_formation_id",
    "dc_origine_session_id",
    "dc_lblformation",
    "dd_datedebutmodule",
    "dd_datefinmodule",
    "dc_organisme_id",
    "dc_cp_lieuformation",
    "dc_insee_lieuformation",
    "dc_ville_lieuformation",
    "dc_formacode_ppal_id",
    "dn_certifinfo_1_id",
    "dc_lblcertifinfo",
    "dc_siret",
    "dc_lblorganisme",
    "dc_raisonsociale",
    "departement",
    "dc_niveauformation_entree_id",
    "dc_niveauformation_sortie_id",
    "dn_dureehebdo",
    "dn_dureemaxi",
    "dn_dureeentreprise",
    "dc_dureeindicative",
    "dn_nombreheurescentre",
    "dc_numeroicsession",
    "dc_numeroicaction",
    "kn_session_id",
    "liste_financeur",
)
_SESSION_DATES = {
    "dd_datedebutmodule": "dd_datedebutsession",
    "dd_datefinmodule": "dd_datefinsession",
}
LAYOUT_2015: tuple[str, ...] = tuple(_SESSION_DATES.get(c, c) for c in LAYOUT_2016)
LAYOUT_34: tuple[str, ...] = (
    *IDENTITY,
    "dn_individu_national",
    "dn_session_id",
    "c_individulocal",
    "dc_formation_id",
    "dc_lblformation",
    "dd_datedebutplanformation",
    "dd_datefinplanformation",
    "dc_organisme_id",
    "dc_cp_lieuformation",
    "dc_insee_lieuformation",
    "dc_ville_lieuformation",
    "dc_formacode_ppal_id",
    *(f"dc_formacode_secondaire{i}_id" for i in range(1, 5)),
    *(f"dn_certifinfo_{i}_id" for i in range(1, 6)),
    "dc_siret",
    "dc_lblorganisme",
    "dc_raisonsociale",
    "departement",
    "dc_numeroicsession",
    "dc_numeroicaction",
    "liste_financeur",
)
LAYOUT_35: tuple[str, ...] = (*LAYOUT_34, "c_dispositifformation")
# Invented names in the style of the export: the co-funder's SIRET, the co-financed amount in
# euros and the managing body (no personal data). No profile declares them.
COFINANCEMENT_COLUMNS: tuple[str, ...] = (
    "dc_siret_cofinanceur",
    "dn_montant_cofinance",
    "dc_lblorganisme_gestionnaire",
)
LAYOUT_35_COFINANCEMENT: tuple[str, ...] = (*LAYOUT_35, *COFINANCEMENT_COLUMNS)
# The 40-column layout an earlier DESIGN guessed for 2017 (plan dates, every Formacode and
# Certif Info column, the scheme before `liste_financeur`). No profile declares it and no
# simulated data set uses it: `write_pe_stagiaires(layout="2017")` writes it, for tests of
# reading an undeclared layout by its columns' names.
LAYOUT_2017: tuple[str, ...] = (
    *LAYOUT_2016[:14],
    "dd_datedebutplanformation",
    "dd_datefinplanformation",
    *LAYOUT_2016[16:21],
    *(f"dc_formacode_secondaire{i}_id" for i in range(1, 5)),
    *(f"dn_certifinfo_{i}_id" for i in range(1, 6)),
    *LAYOUT_2016[22:27],
    *LAYOUT_2016[34:37],
    "c_dispositifformation",
    "liste_financeur",
)

LAYOUTS: dict[str, tuple[str, ...]] = {
    "2015": LAYOUT_2015,
    "2016": LAYOUT_2016,
    "2017-34": LAYOUT_34,
    "2017-35": LAYOUT_35,
    "2017-35-cofinancement": LAYOUT_35_COFINANCEMENT,
    "2017": LAYOUT_2017,
}
START_DATE = ("dd_datedebutsession", "dd_datedebutmodule", "dd_datedebutplanformation")
END_DATE = ("dd_datefinsession", "dd_datefinmodule", "dd_datefinplanformation")


def layout_of_month(month: str) -> str:
    """The layout of the monthly export of `month` (`YYYY-MM`): session dates in 2015, the
    38-column layout in 2016, 34 columns from January 2017, 35 from April 2017, and the extra
    co-financing columns in the June 2017 exports."""
    if month < "2016-01":
        return "2015"
    if month < "2017-01":
        return "2016"
    if month < "2017-04":
        return "2017-34"
    if month < "2017-06":
        return "2017-35"
    return "2017-35-cofinancement"


def column_index(layout: str, names: tuple[str, ...]) -> int:
    """Position in `layout` of the first of `names` it has."""
    columns = LAYOUTS[layout]
    return next(columns.index(n) for n in names if n in columns)
