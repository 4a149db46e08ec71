"""The data-quality page (per funder source, scoped to the account's region) and its JSON twin."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from jalon.indicators.perimetre import declaration_checks
from jalon.ingest import quality
from jalon.reference import region as region_of
from jalon.reference import regions
from jalon.web.context import Web
from jalon.web.security import current_user, require_region, require_user


def router(web: Web) -> APIRouter:
    store = web.store
    plan = web.plan
    page = web.page
    phase_of = web.phase_of
    region_code = web.region_code
    router = APIRouter()

    def quality_view(request: Request, phase: str | None, region: str | None) -> Any:
        user = require_user(current_user(request, store))
        scope = region_code(region) if region else user.region
        require_region(user, scope)
        code = phase_of(phase)
        report = store.cached(
            ("qualite", code, scope), lambda: quality.quality_report(store.con, plan, code, scope)
        )
        checks = store.cached(
            ("declarations", code), lambda: declaration_checks(store.con, plan, code)
        )
        return user, report, [c for c in checks if scope is None or c.region == scope]

    @router.get("/qualite", response_class=HTMLResponse, summary="Qualité des données (page)")
    def quality_page(
        request: Request, phase: str | None = None, region: str | None = None
    ) -> HTMLResponse:
        user, report, checks = quality_view(request, phase, region)
        return page(
            request,
            "qualite.html",
            user,
            rapport=report,
            declarations=checks,
            phase=plan.phase(report.phase),
            territoire=region_of(report.region).nom if report.region else "France entière",
            regions_choix=regions(),
            mois=quality.month_label,
            mois_court=lambda m: quality.month_short(m, report.months),
            nom_source=quality.source_name,
            nom_region=lambda c: region_of(c).nom,
        )

    @router.get("/api/qualite", summary="Qualité des données : fichiers, motifs, couverture")
    def quality_json(
        request: Request, phase: str | None = None, region: str | None = None
    ) -> dict[str, Any]:
        _, report, checks = quality_view(request, phase, region)
        return {**report.as_dict(), "declarations": [asdict(c) for c in checks]}

    return router
