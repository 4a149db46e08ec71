"""The bilan PDF page: which bilans an account may generate, and the generation itself, at the
date d'arrêt des données or at an earlier date (« au », as `jalon rapport --au`)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from jalon.reference import region as region_of
from jalon.reference import regions
from jalon.web.accounts import User, audit
from jalon.web.context import Web
from jalon.web.schemas import ERREURS, BilanDisponibilite, Erreur
from jalon.web.security import check_csrf, current_user, require_user
from jalon.web.views import optional

VERSIONS = ("public", "interne")


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

        def document(
            con: Any, phase: str, region: str | None, interne: bool, au: dt.date | None
        ) -> str:
            return str(html(build(con, plan, phase, region, interne=interne, au=au)))

        return document, to_pdf

    def internal_scope(user: User) -> list[str | None]:
        """The territories whose internal bilan the account may have (None: France entière)."""
        if user.role == "national":
            return [None, *(r.code for r in regions())]
        return [user.region]

    @router.get("/bilan", response_class=HTMLResponse, summary="Bilan PDF (page)")
    def bilan_page(request: Request, region: str | None = None) -> HTMLResponse:
        user = require_user(current_user(request, store))
        return page(
            request,
            "bilan.html",
            user,
            regions_choix=regions(),
            region_choisie=region or (user.region if user.role == "regional" else None),
            interne_nom=(
                "toutes les régions et la France entière"
                if user.role == "national"
                else f"votre région ({region_of(user.region or '').nom}) seulement"
            ),
            pdf_disponible=pdf_engine() is not None,
        )

    @router.get(
        "/api/bilan",
        summary="Disponibilité de la génération des bilans PDF",
        description=(
            "Si ce serveur produit les bilans PDF, les phases, et les versions offertes au "
            "compte : la version publique pour tout territoire, la version interne pour son "
            "périmètre."
        ),
        response_model=BilanDisponibilite,
        responses={401: ERREURS[401]},
    )
    def bilan_json(request: Request) -> BilanDisponibilite:
        user = require_user(current_user(request, store))
        allowed = [code for code in internal_scope(user) if code is not None]
        return BilanDisponibilite(
            pdf_disponible=pdf_engine() is not None,
            regions=allowed,
            phases=[p.code for p in plan.phases],
            versions=list(VERSIONS),
        )

    @router.post(
        "/bilan/pdf",
        summary="Générer le bilan PDF d'une région ou national",
        description=(
            "« version » : « public » (secret statistique appliqué, pour tout compte et tout "
            "territoire) ou « interne » (diffusion restreinte : pour un compte national, ou un "
            "compte régional et sa région). « au » (facultatif, AAAA-MM-JJ) : le bilan à cette "
            "date, antérieure à la date d'arrêt des données."
        ),
        responses={
            200: {"content": {"application/pdf": {}}, "description": "Le bilan en PDF."},
            400: ERREURS[400],
            403: ERREURS[403],
            503: {"model": Erreur, "description": "Génération des PDF non installée."},
        },
    )
    def bilan_pdf(
        request: Request,
        phase: Annotated[str, Form()],
        region: Annotated[str, Form()] = "",
        version: Annotated[Literal["public", "interne"], Form()] = "public",
        au: Annotated[
            str | None,
            Form(description="Date d'arrêt demandée (AAAA-MM-JJ) ; vide : la plus récente."),
        ] = None,
        csrf: Annotated[str | None, Form()] = None,
    ) -> Response:
        user = require_user(current_user(request, store))
        check_csrf(request, csrf)
        day = web.au_of(au)
        code = region_code(region) if region else None
        interne = version == "interne"
        if interne and code not in internal_scope(user):
            raise HTTPException(
                403,
                "La version interne du bilan "
                + ("national" if code is None else f"de la région {region_of(code).nom}")
                + " est réservée aux comptes nationaux"
                + ("." if code is None else " et à ceux de cette région.")
                + " La version publique reste disponible.",
            )
        phase_code = phase_of(phase)
        engine = pdf_engine()
        if engine is None:
            raise HTTPException(503, "La génération du bilan PDF n'est pas encore disponible.")
        document, to_pdf = engine
        with store.lock:
            html = document(store.con, phase_code, code, interne, day)
            detail = f"phase {phase_code}, version {version}"
            detail += "" if day is None else f", au {day.isoformat()}"
            audit(store.con, user, "bilan_pdf", code, detail)
        pdf = to_pdf(html)
        dated = "" if day is None else f"-au-{day.isoformat()}"
        name = f"bilan-{code or 'national'}-{phase_code}{dated}-{version}.pdf"
        return Response(
            bytes(pdf),
            media_type="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    return router
