"""The OpenAPI document of the web app, in French.

FastAPI writes its own parts in English (« Successful Response », « Validation Error ») and
describes a refused parameter with its `HTTPValidationError` schema, whereas this app answers
every refusal with `{"erreur": …}` (`jalon.web.errors`). `french_openapi` rewrites those parts
once, when the document is first asked for. Pure function of the generated document.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from jalon.web.schemas import Erreur

DESCRIPTIONS = {
    "Successful Response": "Réponse réussie.",
    "Validation Error": "Paramètre invalide : message en français.",
}
FASTAPI_SCHEMAS = ("HTTPValidationError", "ValidationError")
ERREUR_REF = {"$ref": "#/components/schemas/Erreur"}


def install(app: FastAPI) -> None:
    """Serve the French document at the app's `openapi_url`, computed once."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            app.openapi_schema = french_openapi(document)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def french_openapi(document: dict[str, Any]) -> dict[str, Any]:
    for item in document.get("paths", {}).values():
        for operation in item.values():
            for answer in operation.get("responses", {}).values():
                answer["description"] = DESCRIPTIONS.get(
                    answer.get("description", ""), answer.get("description", "")
                )
                schema = answer.get("content", {}).get("application/json", {}).get("schema")
                if schema and schema.get("$ref", "").endswith(FASTAPI_SCHEMAS):
                    answer["content"]["application/json"]["schema"] = dict(ERREUR_REF)
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for name in FASTAPI_SCHEMAS:
        schemas.pop(name, None)
    schemas.setdefault("Erreur", Erreur.model_json_schema())
    return document
