"""The favicon and the health check."""

from __future__ import annotations

import os
from typing import Any

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse, Response

from jalon.web.context import DSFR, Web


def router(web: Web) -> APIRouter:
    store = web.store
    router = APIRouter()

    @router.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        icon = DSFR / "favicon" / "favicon.ico"
        if not icon.is_file():
            raise HTTPException(404, "Pas d'icône : les fichiers du DSFR ne sont pas installés.")
        return FileResponse(icon, media_type="image/x-icon")

    @router.get("/sante", summary="État du serveur", include_in_schema=False)
    def health() -> dict[str, Any]:
        return {"ok": True, "pid": os.getpid(), "version_donnees": store.version}

    return router
