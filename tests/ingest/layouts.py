"""The Pôle emploi export layouts of DESIGN §5 ("Real exports"), typed from the format's text.

Test data only: neither the importer's profile nor the simulator is read here, so a test built on
these lists checks the importer against the format, not against itself.
"""

from __future__ import annotations

PERSONAL = [
    "c_nomcorrespondance",
    "c_prenomcorrespondance",
    "c_adresseemail",
    "c_telephone1",
    "c_telephone2",
    "c_validitemail_id",
]

#: The 38-column layout (module dates, levels and durations).
PE_38 = PERSONAL + [  # noqa: RUF005 (one column a line, as in the format)
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
]

#: The older layout: the same, with the session dates of the first exports.
PE_SESSION = [
    {"dd_datedebutmodule": "dd_datedebutsession", "dd_datefinmodule": "dd_datefinsession"}.get(c, c)
    for c in PE_38
]

#: The later 34-column layout (plan dates; several Formacode and Certif Info; no levels).
PE_34 = PERSONAL + [  # noqa: RUF005
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
    "dc_formacode_secondaire1_id",
    "dc_formacode_secondaire2_id",
    "dc_formacode_secondaire3_id",
    "dc_formacode_secondaire4_id",
    "dn_certifinfo_1_id",
    "dn_certifinfo_2_id",
    "dn_certifinfo_3_id",
    "dn_certifinfo_4_id",
    "dn_certifinfo_5_id",
    "dc_siret",
    "dc_lblorganisme",
    "dc_raisonsociale",
    "departement",
    "dc_numeroicsession",
    "dc_numeroicaction",
    "liste_financeur",
]

#: The next one adds the training scheme (AIF, POEI…) after the financeurs.
PE_35 = [*PE_34, "c_dispositifformation"]

assert len(PE_38) == 38 and len(PE_34) == 34 and len(PE_35) == 35
