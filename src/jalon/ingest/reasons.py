"""The reason codes of rejected lines, with the short French label shown in summaries.

Each code is written in `rejets.reason`; the full message of a rejection (with the column label and
what was expected) is in `rejets.message`. docs/import.md lists them for data officers.
"""

from __future__ import annotations

REASONS: dict[str, str] = {
    "ligne_vide": "ligne vide",
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
    "valeur_substitut": "texte de remplacement (« - ») au lieu d'une valeur",
}


def reason_label(code: str) -> str:
    return REASONS.get(code, code)
