"""The site's own pages: « Accessibilité », « Mentions légales », « Données personnelles », and
the API page, a DSFR page listing every operation of the OpenAPI document (served locally: no
Swagger UI or ReDoc, whose scripts would come from a CDN that the CSP and offline sites refuse).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from jalon.web.context import Web
from jalon.web.security import current_user

LEGAL_PAGES = {
    "/accessibilite": ("accessibilite.html", "Déclaration d'accessibilité"),
    "/mentions-legales": ("mentions-legales.html", "Mentions légales"),
    "/donnees-personnelles": ("donnees-personnelles.html", "Données personnelles"),
}
METHODS = ("get", "post", "put", "patch", "delete")


def router(web: Web) -> APIRouter:
    router = APIRouter()

    def legal(template: str, title: str) -> Any:
        def show(request: Request) -> HTMLResponse:
            user = current_user(request, web.store)
            return web.shared_page(request, user, ("legal", template), template, titre=title)

        return show

    for url, (template, title) in LEGAL_PAGES.items():
        router.add_api_route(
            url,
            legal(template, title),
            methods=["GET"],
            response_class=HTMLResponse,
            summary=f"{title} (page)",
        )

    @router.get("/api", response_class=HTMLResponse, summary="Documentation de l'API (page)")
    def api_page(request: Request) -> HTMLResponse:
        document = request.app.openapi()
        user = current_user(request, web.store)
        return web.shared_page(
            request, user, ("api",), "api.html", document=document, operations=operations(document)
        )

    return router


def operations(document: dict[str, Any]) -> list[dict[str, Any]]:
    """Every operation of an OpenAPI document, with its parameters and answers, in path order."""
    found = []
    for path, item in document.get("paths", {}).items():
        for method in METHODS:
            if method not in item:
                continue
            operation = item[method]
            answers = operation.get("responses", {})
            found.append(
                {
                    "methode": method.upper(),
                    "chemin": path,
                    "resume": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "parametres": [
                        {
                            "nom": p["name"],
                            "lieu": p.get("in", ""),
                            "obligatoire": p.get("required", False),
                            "description": p.get("description", ""),
                        }
                        for p in operation.get("parameters", [])
                    ],
                    "corps": "requestBody" in operation,
                    "reponses": [
                        {
                            "code": code,
                            "description": answer.get("description", ""),
                            "schema": _schema_name(answer),
                        }
                        for code, answer in answers.items()
                    ],
                }
            )
    return found


def _schema_name(answer: dict[str, Any]) -> str | None:
    schema = answer.get("content", {}).get("application/json", {}).get("schema", {})
    ref = schema.get("$ref") or schema.get("items", {}).get("$ref")
    return str(ref).rsplit("/", 1)[-1] if ref else None
