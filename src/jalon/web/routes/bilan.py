"""The bilan PDF page: which bilans an account may generate, and the generation itself."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from jalon.reference import region as region_of
from jalon.reference import regions
from jalon.web.accounts import audit
from jalon.web.context import Web
from jalon.web.security import audience_for, check_csrf, current_user, require_user
from jalon.web.views import optional


def router(web: Web) -> APIRouter:
    store = web.store
    plan = web.plan
    page = web.page
    phase_of = web.phase_of
    region_code = web.region_code
    router = APIRouter()

    def pdf_engine() -> tuple[Any, Any] | None:
        """The report area's bilan: (document HTML from the base, PDF from HTML), if installed.

        Only the first step reads the base (under the lock); WeasyPrint's rendering, the slow
        part, runs outside it so that other pages keep being served meanwhile.
        """
        build = optional("jalon.report.document", "build_document")
        html = optional("jalon.report.rendu", "bilan_html")
        to_pdf = optional("jalon.report.rendu", "pdf")
        if build is None or html is None or to_pdf is None:
            return None

        def document(con: Any, phase: str, region: str | None) -> str:
            return str(html(build(con, plan, phase, region, interne=True)))

        return document, to_pdf

    @router.get("/bilan", response_class=HTMLResponse, summary="Bilan PDF (page)")
    def bilan_page(request: Request, region: str | None = None) -> HTMLResponse:
        user = require_user(current_user(request, store))
        choices = regions() if user.role == "national" else [region_of(user.region or "")]
        return page(
            request,
            "bilan.html",
            user,
            regions_choix=choices,
            region_choisie=region,
            pdf_disponible=pdf_engine() is not None,
        )

    @router.get("/api/bilan", summary="Disponibilité de la génération des bilans PDF")
    def bilan_json(request: Request) -> dict[str, Any]:
        user = require_user(current_user(request, store))
        allowed = [r.code for r in regions()] if user.role == "national" else [user.region or ""]
        return {
            "pdf_disponible": pdf_engine() is not None,
            "regions": allowed,
            "phases": [p.code for p in plan.phases],
        }

    @router.post("/bilan/pdf", summary="Générer le bilan PDF d'une région ou national")
    def bilan_pdf(
        request: Request,
        phase: Annotated[str, Form()],
        region: Annotated[str, Form()] = "",
        csrf: Annotated[str | None, Form()] = None,
    ) -> Response:
        user = require_user(current_user(request, store))
        check_csrf(request, csrf)
        code = region_code(region) if region else None
        if audience_for(user, code) != "prive":
            raise HTTPException(403, "Le bilan national est réservé aux comptes nationaux.")
        phase_code = phase_of(phase)
        engine = pdf_engine()
        if engine is None:
            raise HTTPException(503, "La génération du bilan PDF n'est pas encore disponible.")
        document, to_pdf = engine
        with store.lock:
            html = document(store.con, phase_code, code)
            audit(store.con, user, "bilan_pdf", code, f"phase {phase_code}")
        pdf = to_pdf(html)
        name = f"bilan-{code or 'national'}-{phase_code}.pdf"
        return Response(
            bytes(pdf),
            media_type="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    return router
