"""The public dashboards: the national overview, each region's page, the indicator definitions,
with their JSON twins, the CSV of each breakdown and the Excel workbooks.

Every view of a bilan takes `?au=AAAA-MM-JJ` (`AuQuery`): the figures as of that earlier date, as
`jalon bilan --au` gives them; the page says so and its links (phase selector, regions,
downloads) keep the date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from jalon import formatting
from jalon.export.xlsx import bilan_workbook
from jalon.indicators import INDICATORS, Bilan, Figure
from jalon.indicators.bilan import estimated_note
from jalon.indicators.classement import CRITERION_LABELS
from jalon.plan import Scale
from jalon.reference import departements_of_region, regions
from jalon.reference import region as region_of
from jalon.report import graphiques
from jalon.report.version import data_version
from jalon.web import maps, rendering, schemas
from jalon.web.context import AuQuery, Web, as_plain, num, query_of
from jalon.web.rendering import afficher
from jalon.web.security import audience_for, current_user, other_region
from jalon.web.views import Audience, National

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Sections of the region page: (title, "tuiles" or "table", figure codes in order).
FIGURE_GROUPS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "Chiffres clés",
        "tuiles",
        (
            "entrees",
            "entrees_supplementaires",
            "objectif_entrees",
            "taux_realisation",
            "entrees_reference",
            "entrees_supplementaires_base_declaree",
            "objectif_supplementaires",
            "personnes",
        ),
    ),
    (
        "Offre, stock et accès",
        "tuiles",
        ("places_lancees", "stock_fin", "taux_acces", "entrees_pour_1000_demandeurs"),
    ),
    (
        "Publics prioritaires",
        "table",
        ("part_peu_qualifies", "part_jeunes", "part_seniors", "part_deld", "part_handicapes"),
    ),
    ("Formations", "table", ("duree_moyenne", "part_certifiante")),
    (
        "Sorties de formation",
        "tuiles",
        ("acces_emploi", "emploi_durable", "entrees_non_rapprochees"),
    ),
    ("Ensemble du plan", "table", ("actions_agregees", "total_actions_plan")),
)


def router(web: Web) -> APIRouter:
    store = web.store
    plan = web.plan
    page = web.page
    phase_of = web.phase_of
    region_code = web.region_code
    shared_page = web.shared_page
    shared_json = web.shared_json
    router = APIRouter()

    def national_map(data: National, phase: str, audience: Audience, au: dt.date | None) -> str:
        def draw() -> str:
            rates = {
                r.region: num(r.values.get("taux_realisation")) for r in data.classement.regions
            }
            texts = {
                code: f"taux de réalisation {formatting.pourcentage(rate, 1)}"
                if rate is not None
                else "sans données"
                for code, rate in rates.items()
            }
            links = {code: f"/regions/{code}?{query_of(phase, au)}" for code in rates}
            return maps.choropleth(
                "regions",
                rates,
                texts,
                plan.scales["taux_realisation"],
                title=f"Taux de réalisation par région, phase {phase}",
                links=links,
            )

        return store.cached(("carte-regions", phase, audience, au), draw)

    @router.get("/", response_class=HTMLResponse, summary="Vue nationale (page)")
    def national_page(
        request: Request, phase: str | None = None, au: AuQuery = None
    ) -> HTMLResponse:
        user = current_user(request, store)
        code = phase_of(phase)
        day = web.au_of(au)
        audience = audience_for(user, None)
        data = store.national(code, audience, day)
        return shared_page(
            request,
            user,
            ("national", code, day),
            "national.html",
            phase=plan.phase(code),
            au=day,
            requete=query_of(code, day),
            arret=data.bilan.arret,
            data=data,
            carte=national_map(data, code, audience, day),
            legende=plan.scales["taux_realisation"].entries(),
            figures=_figures_dict(data.bilan),
            lignes=data.classement.ordered(),
            libelle_critere=CRITERION_LABELS,
            estimes={
                r.code
                for r in regions()
                if estimated_note(plan, code, r.code, "additional_entries") is not None
            },
        )

    @router.get(
        "/api/national",
        summary="Vue nationale : totaux et classement des régions",
        description=(
            "Le bilan national d'une phase (indicateurs et ventilations) et le classement des "
            "régions. Version publique (secret statistique) pour un visiteur non connecté ou un "
            "compte régional ; version complète pour un compte national. Avec « au », les "
            "chiffres à cette date."
        ),
        response_class=JSONResponse,
        responses={
            200: {"model": schemas.National},
            400: schemas.ERREURS[400],
            404: schemas.ERREURS[404],
        },
    )
    def national_json(request: Request, phase: str | None = None, au: AuQuery = None) -> Response:
        user = current_user(request, store)
        code = phase_of(phase)
        day = web.au_of(au)
        audience = audience_for(user, None)
        return shared_json(
            ("national", code, audience, day), lambda: national_payload(code, audience, day)
        )

    def national_payload(code: str, audience: Audience, au: dt.date | None) -> dict[str, Any]:
        data = store.national(code, audience, au)
        return {
            "public": audience == "public",
            "bilan": data.bilan.as_dict(),
            "classement": data.classement.as_dict(),
        }

    # --- region page -------------------------------------------------------------------

    def region_view(
        request: Request, code: str, phase: str | None, au: str | None
    ) -> tuple[Any, ...]:
        user = current_user(request, store)
        region = region_code(code)
        audience = audience_for(user, region)
        phase_code = phase_of(phase)
        day = web.au_of(au)
        bilan = store.bilan(phase_code, region, audience, day)
        return user, region, phase_code, audience, day, bilan

    def region_ranks(
        phase: str, region: str, audience: Audience, au: dt.date | None
    ) -> list[tuple[str, int | None]]:
        """The region's national ranks, the plan's headline criterion first."""
        classement = store.national(phase, audience, au).classement
        found = next((r for r in classement.regions if r.region == region), None)
        criteria = (classement.headline, *classement.secondary)
        return [(CRITERION_LABELS[c], found.ranks.get(c) if found else None) for c in criteria]

    def region_extras(
        bilan: Bilan, region: str, phase: str, audience: Audience, au: dt.date | None
    ) -> dict[str, Any]:
        def curve() -> dict[str, str] | None:
            """The curve drawn for a wide screen and for a phone (the page shows one)."""
            months = next((b for b in bilan.breakdowns if b.code == "mois"), None)
            if months is None or not months.rows:
                return None
            drawn = {}
            title = f"Entrées cumulées, phase {phase}"
            for name, medium in (("ecran", graphiques.SCREEN), ("mobile", graphiques.PHONE)):
                spec = graphiques.courbe_mensuelle(months, medium, title)
                if spec is None:
                    return None
                drawn[name] = graphiques.svg(spec, medium)
            return drawn

        def dep_map() -> str | None:
            deps = next((b for b in bilan.breakdowns if b.code == "departement"), None)
            if deps is None:
                return None
            values = {row.key: num(row.values.get("entrees")) for row in deps.rows}
            texts = {
                row.key: f"{afficher('entrees', row.values.get('entrees'))} "
                f"{rendering.accord(num(row.values.get('entrees')), 'entrée')}"
                for row in deps.rows
            }
            return maps.choropleth(
                "departements",
                values,
                texts,
                Scale.quantiles(values.values()),
                title=f"Entrées par département, phase {phase}",
                only=[d.code for d in departements_of_region(region)],
                width=420,
                height=380,
            )

        return {
            "courbe": store.cached(("courbe", phase, region, audience, au), curve),
            "carte_departements": store.cached(("carte-dep", phase, region, audience, au), dep_map),
        }

    @router.get("/regions/{code}", response_class=HTMLResponse, summary="Page d'une région")
    def region_page(
        request: Request, code: str, phase: str | None = None, au: AuQuery = None
    ) -> HTMLResponse:
        user, region, phase_code, audience, day, bilan = region_view(request, code, phase, au)
        return shared_page(
            request,
            user,
            ("region", region, phase_code, day),
            "region.html",
            region=region_of(region),
            phase=plan.phase(phase_code),
            au=day,
            requete=query_of(phase_code, day),
            arret=bilan.arret,
            bilan=bilan,
            audience=audience,
            compte_region=region_of(user.region) if other_region(user, region) else None,
            figures=_figures_dict(bilan),
            groupes=_groups(bilan),
            prevision=store.prevision(phase_code, region, audience, day),
            prevision_objectif=estimated_note(plan, phase_code, region, "total_entries"),
            prevision_refus=store.prevision_refusal(phase_code, region, day),
            rangs=region_ranks(phase_code, region, audience, day),
            **region_extras(bilan, region, phase_code, audience, day),
        )

    @router.get(
        "/api/regions/{code}",
        summary="Bilan d'une région pour une phase (données)",
        description=(
            "Le bilan d'une région (code INSEE, par exemple 76) pour une phase, et la prévision "
            "de fin de phase. Version publique pour un visiteur non connecté et pour un compte "
            "régional qui ouvre une autre région que la sienne. Avec « au », les chiffres à "
            "cette date ; sans "
            "prévision (null) quand aucun mois de la phase n'est observé."
        ),
        response_class=JSONResponse,
        responses={
            200: {"model": schemas.Region},
            400: schemas.ERREURS[400],
            403: schemas.ERREURS[403],
            404: schemas.ERREURS[404],
        },
    )
    def region_json(
        request: Request, code: str, phase: str | None = None, au: AuQuery = None
    ) -> Response:
        _, region, phase_code, audience, day, bilan = region_view(request, code, phase, au)
        return shared_json(
            ("region", region, phase_code, audience, day),
            lambda: {
                "region": {"code": region, "nom": region_of(region).nom},
                "public": audience == "public",
                "bilan": bilan.as_dict(),
                "prevision": as_plain(store.prevision(phase_code, region, audience, day)),
            },
        )

    @router.get(
        "/regions/{code}/ventilations/{ventilation}.csv",
        summary="Une ventilation du bilan régional, en CSV",
        description=(
            "Un tableau de la page d'une région pour un tableur français : séparateur « ; », "
            "virgule décimale, marque d'ordre des octets ; « secret » dans une case masquée."
        ),
        response_class=Response,
        responses={
            200: {"content": {"text/csv": {}}, "description": "Le tableau en CSV."},
            400: schemas.ERREURS[400],
            403: schemas.ERREURS[403],
            404: schemas.ERREURS[404],
        },
    )
    def region_csv(
        request: Request, code: str, ventilation: str, phase: str | None = None, au: AuQuery = None
    ) -> Response:
        _, region, phase_code, _, day, bilan = region_view(request, code, phase, au)
        table = next((b for b in bilan.breakdowns if b.code == ventilation), None)
        if table is None:
            raise HTTPException(404, f"Ventilation inconnue ou non publiée : {ventilation}.")
        name = f"jalon-{region}-{phase_code}{_dated(day)}-{ventilation}.csv"
        return Response(
            rendering.breakdown_csv(table),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    def workbook_response(build: Callable[[], bytes], key: tuple[Any, ...], name: str) -> Response:
        """A workbook built once per data version and audience (`jalon.export.xlsx`)."""
        return Response(
            store.cached(("xlsx", *key), build),
            media_type=XLSX_TYPE,
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    def version() -> Any:
        def read() -> Any:
            with store.lock:
                return data_version(store.con, plan)

        return store.cached(("version",), read)

    @router.get(
        "/regions/{code}/bilan.xlsx",
        summary="Bilan d'une région, classeur Excel",
        responses={400: schemas.ERREURS[400], 403: schemas.ERREURS[403]},
    )
    def region_xlsx(
        request: Request, code: str, phase: str | None = None, au: AuQuery = None
    ) -> Response:
        _, region, phase_code, audience, day, bilan = region_view(request, code, phase, au)
        v = version()
        return workbook_response(
            lambda: bilan_workbook(bilan, plan, v.code, v.as_of, audience == "public"),
            (region, phase_code, audience, day),
            f"jalon-{region}-{phase_code}{_dated(day)}.xlsx",
        )

    @router.get(
        "/national.xlsx",
        summary="Bilan national et classement, classeur Excel",
        responses={400: schemas.ERREURS[400]},
    )
    def national_xlsx(request: Request, phase: str | None = None, au: AuQuery = None) -> Response:
        code = phase_of(phase)
        day = web.au_of(au)
        audience = audience_for(current_user(request, store), None)
        data = store.national(code, audience, day)
        v = version()
        return workbook_response(
            lambda: bilan_workbook(
                data.bilan, plan, v.code, v.as_of, audience == "public", data.classement
            ),
            ("national", code, audience, day),
            f"jalon-national-{code}{_dated(day)}.xlsx",
        )

    # --- indicator definitions ---------------------------------------------------------

    @router.get("/indicateurs", response_class=HTMLResponse, summary="Définitions des indicateurs")
    def indicators_page(request: Request) -> HTMLResponse:
        return page(
            request, "indicateurs.html", current_user(request, store), indicateurs=INDICATORS
        )

    @router.get(
        "/api/indicateurs",
        summary="Registre des indicateurs",
        description="Code, libellé, définition, unité et ventilations de chaque indicateur.",
        response_model=list[schemas.DefinitionIndicateur],
    )
    def indicators_json() -> list[dict[str, Any]]:
        return [
            {
                "code": ind.code,
                "libelle": ind.label,
                "definition": ind.definition,
                "unite": ind.unit,
                "reglage_du_plan": ind.plan_setting,
                "ventilations": list(ind.dimensions),
            }
            for ind in INDICATORS
        ]

    return router


def _groups(bilan: Bilan) -> list[tuple[str, str, list[Figure]]]:
    """The bilan's figures in the sections of the region page; unknown codes go to the last."""
    by_code = {f.code: f for f in bilan.figures}
    placed = {code for _, _, codes in FIGURE_GROUPS for code in codes}
    groups = [
        (title, style, [by_code[c] for c in codes if c in by_code])
        for title, style, codes in FIGURE_GROUPS
    ]
    others = [f for f in bilan.figures if f.code not in placed]
    groups.append(("Autres indicateurs", "table", others))
    return [g for g in groups if g[2]]


def _dated(au: dt.date | None) -> str:
    """The date in a download's file name (« -au-2017-03-31 »), so two dates never collide."""
    return "" if au is None else f"-au-{au.isoformat()}"


def _figures_dict(bilan: Bilan) -> dict[str, Any]:
    return {f.code: f for f in bilan.figures}
