"""The reason codes of rejected lines and anomalies, with the short French label shown in summaries.

Each code is written in `rejets.reason`; the full message of a rejection (with the column label and
what was expected) is in `rejets.message`. docs/import.md lists them for data officers.
"""

from __future__ import annotations

REASONS: dict[str, str] = {
    "ligne_vide": "ligne vide",
    "octet_nul": "octet nul (ligne abîmée)",
    "nombre_champs": "nombre de champs incorrect",
    "valeur_manquante": "valeur obligatoire absente",
    "date_invalide": "date illisible",
    "date_hors_plage": "date hors plage",
    "nombre_invalide": "nombre illisible",
    "hors_plage": "nombre hors des bornes",
    "booleen_invalide": "0 ou 1 attendu",
    "financeur_inconnu": "code financeur inconnu",
    "format_invalide": "valeur au format inattendu",
    "departement_inconnu": "département inconnu",
    "commune_inconnue": "commune inconnue",
    "region_inconnue": "région inconnue",
    "siret_invalide": "SIRET invalide",
    "code_postal_inconnu": "code postal inconnu",
    "date_incoherente": "date incohérente",
    "lieu_inconnu": "lieu de formation inconnu",
}


def reason_label(code: str) -> str:
    return REASONS.get(code, code)
