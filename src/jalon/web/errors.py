"""Errors as the web app's readers see them: a DSFR page in French for pages, `{"erreur": …}` for
`/api/`, `.json` and `.csv` addresses.

Starlette's own refusals (unknown address, wrong method) carry English reason phrases; they are
replaced by French ones here. Pure functions of the request and the status, apart from the
account lookup that puts the right header on an error page.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse

from jalon.web.context import Web
from jalon.web.security import current_user

TITLES = {
    400: "Demande incorrecte",
    401: "Connexion nécessaire",
    403: "Accès refusé",
    404: "Page introuvable",
    405: "Méthode non autorisée",
    413: "Fichier trop volumineux",
    422: "Demande incomplète ou invalide",
    429: "Trop de tentatives",
    500: "Erreur du serveur",
    503: "Service indisponible",
}
MESSAGES = {
    400: "La demande envoyée au serveur est incorrecte.",
    401: "Connectez-vous pour accéder à cette page.",
    403: "Votre compte n'a pas accès à cette page.",
    404: (
        "La page que vous cherchez est introuvable : l'adresse est peut-être mal saisie, ou la "
        "page n'existe plus."
    ),
    405: "Cette adresse n'accepte pas ce type de demande.",
    413: "Le fichier envoyé dépasse la taille acceptée par le serveur.",
    500: (
        "Une erreur inattendue empêche d'afficher cette page. Réessayez dans quelques instants ; "
        "si l'erreur persiste, signalez-la à la personne qui administre Jalon en indiquant "
        "l'adresse de la page et l'heure."
    ),
    503: "Ce service est momentanément indisponible. Réessayez dans quelques instants.",
}
# Pydantic's error types, in the words of a form's reader.
VALIDATION = {
    "missing": "valeur obligatoire absente",
    "string_too_long": "texte trop long",
    "string_too_short": "texte trop court",
    "bool_parsing": "oui ou non attendu (true ou false)",
    "bool_type": "oui ou non attendu (true ou false)",
    "int_parsing": "nombre entier attendu",
    "int_type": "nombre entier attendu",
    "string_type": "texte attendu",
    "value_error": "valeur invalide",
}
PLACES = {"query": "paramètre", "body": "champ", "path": "adresse", "header": "en-tête"}


def title(status: int) -> str:
    return TITLES.get(status, "Demande impossible")


def message(status: int, detail: Any) -> str:
    """The French text of an error: the app's own detail, or a French default for Starlette's."""
    if isinstance(detail, str) and detail and detail != _phrase(status):
        return detail
    return MESSAGES.get(status, f"La demande n'a pas pu aboutir (erreur {status}).")


def validation_message(exc: RequestValidationError) -> str:
    problems = []
    for error in exc.errors():
        loc = [str(p) for p in error.get("loc", ())]
        where = f"{PLACES.get(loc[0], loc[0])} « {'.'.join(loc[1:])} »" if len(loc) > 1 else ""
        what = VALIDATION.get(str(error.get("type")), str(error.get("msg")))
        problems.append(f"{where} : {what}" if where else what)
    return f"Requête invalide ({' ; '.join(problems)})."


def page(
    web: Web, request: Request, status: int, text: str, *, signed_in: bool = True
) -> HTMLResponse:
    """The DSFR error page; after a server error, no account lookup (the base may be the cause)."""
    user = current_user(request, web.store) if signed_in else None
    response = web.page(
        request, "erreur.html", user, status=status, titre=title(status), message=text
    )
    response.status_code = status
    return response


def _phrase(status: int) -> str | None:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return None
