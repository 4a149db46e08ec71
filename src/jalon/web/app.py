"""The steering web app (FastAPI): DSFR pages, their JSON twins, CSV downloads, imports, bilans.

`create_app(settings)` opens the base through `WebStore` (the process then owns it) and returns
the ASGI app; `jalon serveur` runs it with uvicorn. Route handlers are plain functions, so
Starlette runs them in its thread pool; every database access goes through the store's lock and
its per-data-version cache. Each HTML page has a JSON twin under `/api/...` built from the same
view data, described in the OpenAPI schema (`/api/openapi.json`).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import tempfile
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import FastAPI, File, Form, HTTPException, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import Scope

from jalon import formatting
from jalon.export.xlsx import bilan_workbook
from jalon.indicators import INDICATORS, Bilan, Figure
from jalon.indicators.classement import CRITERION_LABELS
from jalon.indicators.perimetre import declaration_checks
from jalon.ingest import IngestError, SecretError, quality
from jalon.plan import Scale, load_plan
from jalon.reference import departements_of_region, regions
from jalon.reference import region as region_of
from jalon.report.version import data_version
from jalon.sources import builtin_profiles
from jalon.web import charts, maps, rendering, uploads
from jalon.web.accounts import SESSION_HOURS, User, audit, authenticate, close_session, open_session
from jalon.web.rendering import afficher
from jalon.web.security import (
    CSRF_FIELD,
    SESSION_FIELD,
    LoginThrottle,
    SecurityHeaders,
    UploadGuard,
    audience_for,
    check_csrf,
    csrf_token,
    current_user,
    require_user,
    user_of_session,
)
from jalon.web.views import Audience, National, WebStore, optional

STATIC = Path(__file__).parent / "static"
DSFR = STATIC / "dsfr"
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
HISTORY_SHOWN = 25
FORM_PAGES = frozenset({"connexion.html", "imports.html", "bilan.html"})


@dataclass(frozen=True)
class Settings:
    db_path: Path
    plan_path: Path | None = None
    https_only: bool = True
    session_secret: str | None = None
    max_upload_bytes: int = 200 * (1 << 20)
    upload_dir: Path | None = None


def create_app(settings: Settings) -> FastAPI:
    plan = load_plan(settings.plan_path)
    store = WebStore(settings.db_path, plan)
    if settings.upload_dir is not None:
        settings.upload_dir.mkdir(parents=True, exist_ok=True)
    upload_dir = Path(tempfile.mkdtemp(prefix="jalon-envois-", dir=settings.upload_dir))
    pending: dict[str, uploads.Pending] = {}
    templates = rendering.environment()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        store.close()
        shutil.rmtree(upload_dir, ignore_errors=True)

    app = FastAPI(
        lifespan=lifespan,
        # Refuses a body larger than an upload plus its multipart envelope before it is read.
        max_body_size=settings.max_upload_bytes + (1 << 20),
        title="Jalon",
        description=(
            "Pilotage du plan de formation des demandeurs d'emploi : vues nationale et "
            "régionales, définitions des indicateurs, imports, bilans. Les visiteurs non "
            "connectés ne voient que des agrégats protégés par le secret statistique."
        ),
        version="1",
        docs_url=None,  # Swagger UI loads from a CDN: neither the CSP nor offline sites allow it
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    throttle = LoginThrottle()
    app.state.store = store
    app.state.login_throttle = throttle

    def upload_refusal(scope: Scope) -> Response | None:
        """Why an upload is refused before its body is read: no live session, or no key."""
        path = str(scope["path"])
        api = path.startswith("/api/")
        if user_of_session(scope.get("session", {}), store) is None:
            if api:
                return JSONResponse({"erreur": "Connectez-vous pour envoyer un fichier."}, 401)
            return RedirectResponse(f"/connexion?suite={path}", status_code=303)
        if (reason := uploads.disabled_reason()) is not None:
            if api:
                return JSONResponse({"erreur": reason}, 503)
            return RedirectResponse("/imports", status_code=303)  # the page says why
        return None

    # The last added runs first: the session is decoded before the upload guard looks at it.
    app.add_middleware(UploadGuard, refusal=upload_refusal)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.session_secret or secrets.token_urlsafe(32),
        session_cookie="jalon_session",
        https_only=settings.https_only,
        same_site="lax",
        max_age=SESSION_HOURS * 3600,
    )
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    def phase_of(phase: str | None) -> str:
        code = phase or plan.phases[0].code
        try:
            plan.phase(code)
        except KeyError as exc:
            raise HTTPException(status_code=404, detail=str(exc.args[0])) from None
        return code

    def region_code(code: str) -> str:
        try:
            return region_of(code).code
        except KeyError:
            raise HTTPException(status_code=404, detail=f"Région inconnue : {code}.") from None

    def render(request: Request, name: str, user: User | None, **context: Any) -> str:
        # Anonymous read-only pages carry no form, hence no CSRF token and no session cookie:
        # they are the same for every visitor and can be cached whole.
        needs_token = user is not None or name in FORM_PAGES
        return templates.get_template(name).render(
            user=user,
            plan=plan,
            csrf=csrf_token(request) if needs_token else "",
            dsfr=DSFR.is_dir(),
            path=request.url.path,
            **context,
        )

    def page(request: Request, name: str, user: User | None, **context: Any) -> HTMLResponse:
        return HTMLResponse(render(request, name, user, **context))

    def shared_page(
        request: Request, user: User | None, key: tuple[Any, ...], name: str, **context: Any
    ) -> HTMLResponse:
        """A page rendered once per data version for anonymous visitors, each time otherwise."""
        if user is not None:
            return page(request, name, user, **context)
        body = store.cached(
            ("html", *key), lambda: render(request, name, None, **context).encode("utf-8")
        )
        return HTMLResponse(body)

    def shared_json(key: tuple[Any, ...], build: Callable[[], Any]) -> Response:
        """A JSON answer serialised once per data version and audience."""
        body = store.cached(
            ("json", *key),
            lambda: json.dumps(build(), ensure_ascii=False, default=rendering.json_default).encode(
                "utf-8"
            ),
        )
        return Response(body, media_type="application/json")

    def is_api(request: Request) -> bool:
        return request.url.path.startswith("/api/") or request.url.path.endswith((".csv", ".json"))

    @app.exception_handler(HTTPException)
    def _http_error(request: Request, exc: HTTPException) -> Response:
        if is_api(request):
            return JSONResponse({"erreur": exc.detail}, status_code=exc.status_code)
        if exc.status_code == 401:
            return RedirectResponse(f"/connexion?suite={request.url.path}", status_code=303)
        response = page(
            request,
            "erreur.html",
            current_user(request, store),
            status=exc.status_code,
            message=exc.detail,
        )
        response.status_code = exc.status_code
        return response

    @app.exception_handler(RequestValidationError)
    def _validation_error(request: Request, exc: RequestValidationError) -> Response:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ()))} : {e.get('msg')}" for e in exc.errors()
        )
        return _http_error(request, HTTPException(422, f"Requête invalide ({problems})."))

    # --- national overview -------------------------------------------------------------

    def national_map(data: National, phase: str, audience: Audience) -> str:
        def draw() -> str:
            rates = {
                r.region: _num(r.values.get("taux_realisation")) for r in data.classement.regions
            }
            texts = {
                code: f"taux de réalisation {formatting.pourcentage(rate, 1)}"
                if rate is not None
                else "sans données"
                for code, rate in rates.items()
            }
            links = {code: f"/regions/{code}?phase={phase}" for code in rates}
            return maps.choropleth(
                "regions",
                rates,
                texts,
                plan.scales["taux_realisation"],
                title=f"Taux de réalisation par région, phase {phase}",
                links=links,
            )

        return store.cached(("carte-regions", phase, audience), draw)

    @app.get("/", response_class=HTMLResponse, summary="Vue nationale (page)")
    def national_page(request: Request, phase: str | None = None) -> HTMLResponse:
        user = current_user(request, store)
        code = phase_of(phase)
        audience = audience_for(user, None)
        data = store.national(code, audience)
        return shared_page(
            request,
            user,
            ("national", code),
            "national.html",
            phase=plan.phase(code),
            data=data,
            carte=national_map(data, code, audience),
            legende=plan.scales["taux_realisation"].entries(),
            figures=_figures_dict(data.bilan),
            lignes=data.classement.ordered(),
            libelle_critere=CRITERION_LABELS,
        )

    @app.get(
        "/api/national",
        summary="Vue nationale : totaux et classement des régions",
        response_class=JSONResponse,
    )
    def national_json(request: Request, phase: str | None = None) -> Response:
        user = current_user(request, store)
        code = phase_of(phase)
        audience = audience_for(user, None)
        return shared_json(("national", code, audience), lambda: national_payload(code, audience))

    def national_payload(code: str, audience: Audience) -> dict[str, Any]:
        data = store.national(code, audience)
        return {
            "public": audience == "public",
            "bilan": data.bilan.as_dict(),
            "classement": data.classement.as_dict(),
        }

    # --- region page -------------------------------------------------------------------

    def region_view(request: Request, code: str, phase: str | None) -> tuple[Any, ...]:
        user = current_user(request, store)
        region = region_code(code)
        audience = audience_for(user, region)
        phase_code = phase_of(phase)
        return user, region, phase_code, audience, store.bilan(phase_code, region, audience)

    def region_extras(bilan: Bilan, region: str, phase: str, audience: Audience) -> dict[str, Any]:
        def curve() -> str | None:
            months = next((b for b in bilan.breakdowns if b.code == "mois"), None)
            if months is None or not months.rows:
                return None
            return charts.render_svg(
                charts.monthly_curve_spec(months, f"Entrées cumulées, phase {phase}")
            )

        def dep_map() -> str | None:
            deps = next((b for b in bilan.breakdowns if b.code == "departement"), None)
            if deps is None:
                return None
            values = {row.key: _num(row.values.get("entrees")) for row in deps.rows}
            texts = {
                row.key: f"{afficher('entrees', row.values.get('entrees'))} "
                f"{rendering.accord(_num(row.values.get('entrees')), 'entrée')}"
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
            "courbe": store.cached(("courbe", phase, region, audience), curve),
            "carte_departements": store.cached(("carte-dep", phase, region, audience), dep_map),
        }

    @app.get("/regions/{code}", response_class=HTMLResponse, summary="Page d'une région")
    def region_page(request: Request, code: str, phase: str | None = None) -> HTMLResponse:
        user, region, phase_code, audience, bilan = region_view(request, code, phase)
        return shared_page(
            request,
            user,
            ("region", region, phase_code),
            "region.html",
            region=region_of(region),
            phase=plan.phase(phase_code),
            bilan=bilan,
            audience=audience,
            figures=_figures_dict(bilan),
            groupes=_groups(bilan),
            prevision=store.prevision(phase_code, region, audience),
            rangs=region_ranks(phase_code, region, audience),
            **region_extras(bilan, region, phase_code, audience),
        )

    def region_ranks(phase: str, region: str, audience: Audience) -> list[tuple[str, int | None]]:
        """The region's national ranks, the plan's headline criterion first."""
        classement = store.national(phase, audience).classement
        found = next((r for r in classement.regions if r.region == region), None)
        criteria = (classement.headline, *classement.secondary)
        return [(CRITERION_LABELS[c], found.ranks.get(c) if found else None) for c in criteria]

    @app.get(
        "/api/regions/{code}",
        summary="Bilan d'une région pour une phase (données)",
        response_class=JSONResponse,
    )
    def region_json(request: Request, code: str, phase: str | None = None) -> Response:
        _, region, phase_code, audience, bilan = region_view(request, code, phase)
        return shared_json(
            ("region", region, phase_code, audience),
            lambda: {
                "region": {"code": region, "nom": region_of(region).nom},
                "public": audience == "public",
                "bilan": bilan.as_dict(),
                "prevision": _as_plain(store.prevision(phase_code, region, audience)),
            },
        )

    @app.get(
        "/regions/{code}/ventilations/{ventilation}.csv",
        summary="Une ventilation du bilan régional, en CSV",
        response_class=Response,
    )
    def region_csv(
        request: Request, code: str, ventilation: str, phase: str | None = None
    ) -> Response:
        _, region, phase_code, _, bilan = region_view(request, code, phase)
        table = next((b for b in bilan.breakdowns if b.code == ventilation), None)
        if table is None:
            raise HTTPException(404, f"Ventilation inconnue ou non publiée : {ventilation}.")
        name = f"jalon-{region}-{phase_code}-{ventilation}.csv"
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

    @app.get("/regions/{code}/bilan.xlsx", summary="Bilan d'une région, classeur Excel")
    def region_xlsx(request: Request, code: str, phase: str | None = None) -> Response:
        _, region, phase_code, audience, bilan = region_view(request, code, phase)
        v = version()
        return workbook_response(
            lambda: bilan_workbook(bilan, plan, v.code, v.as_of, audience == "public"),
            (region, phase_code, audience),
            f"jalon-{region}-{phase_code}.xlsx",
        )

    @app.get("/national.xlsx", summary="Bilan national et classement, classeur Excel")
    def national_xlsx(request: Request, phase: str | None = None) -> Response:
        code = phase_of(phase)
        audience = audience_for(current_user(request, store), None)
        data = store.national(code, audience)
        v = version()
        return workbook_response(
            lambda: bilan_workbook(
                data.bilan, plan, v.code, v.as_of, audience == "public", data.classement
            ),
            ("national", code, audience),
            f"jalon-national-{code}.xlsx",
        )

    # --- indicator definitions ---------------------------------------------------------

    @app.get("/indicateurs", response_class=HTMLResponse, summary="Définitions des indicateurs")
    def indicators_page(request: Request) -> HTMLResponse:
        return page(
            request, "indicateurs.html", current_user(request, store), indicateurs=INDICATORS
        )

    @app.get("/api/indicateurs", summary="Registre des indicateurs")
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

    # --- imports -----------------------------------------------------------------------

    def history(user: User, limit: int = 200) -> list[dict[str, Any]]:
        scope = (
            ""
            if user.role == "national"
            else (
                "WHERE i.import_id IN (SELECT CAST(regexp_extract(detail, 'import n° (\\d+)', 1) "
                "AS INTEGER) FROM audit WHERE action = 'import' AND region = ?)"
            )
        )
        rows = store.query(
            "SELECT i.import_id, i.profile, i.file_name, i.finished_at, i.lines_read, "
            "i.accepted, i.rejected, i.duplicates, i.status, i.imported_by "
            f"FROM imports i {scope} ORDER BY i.import_id DESC LIMIT ?",
            ([] if user.role == "national" else [user.region]) + [limit],
        )
        keys = (
            "import_id", "profil", "fichier", "termine_le", "lues", "acceptees", "rejetees",
            "doublons", "statut", "importe_par",
        )  # fmt: skip
        return [dict(zip(keys, row, strict=True)) for row in rows]

    def import_page(
        request: Request, user: User, status: int = 200, **context: Any
    ) -> HTMLResponse:
        response = page(
            request,
            "imports.html",
            user,
            historique=history(user, HISTORY_SHOWN),
            profils=builtin_profiles(),
            limite=settings.max_upload_bytes // (1 << 20),
            envois_desactives=uploads.disabled_reason(),
            **context,
        )
        response.status_code = status
        return response

    def receive(upload: UploadFile, user: User, profil: str) -> uploads.Pending:
        path = uploads.save_upload(
            upload.file, upload.filename or "fichier", upload_dir, settings.max_upload_bytes
        )
        try:
            found = uploads.preview(store, user, path, profil)
        except BaseException:
            uploads.discard_path(path)
            raise
        pending[found.token] = found
        return found

    @app.get("/imports", response_class=HTMLResponse, summary="Imports (page)")
    def imports_page(request: Request) -> HTMLResponse:
        return import_page(request, require_user(current_user(request, store)))

    @app.post("/imports", response_class=HTMLResponse, summary="Envoyer un fichier (aperçu)")
    def imports_upload(
        request: Request,
        fichier: Annotated[UploadFile, File()],
        profil: Annotated[str, Form()] = "auto",
        csrf: Annotated[str | None, Form()] = None,
    ) -> HTMLResponse:
        user = require_user(current_user(request, store))
        check_csrf(request, csrf)
        try:
            found = receive(fichier, user, profil)
        except (IngestError, SecretError) as exc:
            return import_page(request, user, 422, erreur=str(exc))
        return import_page(request, user, apercu=found)

    @app.post(
        "/imports/{token}/confirmer", response_class=HTMLResponse, summary="Confirmer un import"
    )
    def imports_confirm(
        request: Request, token: str, csrf: Annotated[str | None, Form()] = None
    ) -> HTMLResponse:
        user = require_user(current_user(request, store))
        check_csrf(request, csrf)
        found = pending.get(token)
        if found is None or found.owner != user.identifiant:
            raise HTTPException(404, "Aucun fichier en attente sous cette référence.")
        try:
            summary = uploads.confirm(store, user, found)
        except (IngestError, SecretError) as exc:
            return import_page(request, user, 422, erreur=str(exc))
        finally:
            pending.pop(token, None)
        rejets = store.query(
            "SELECT line, column_name, reason, message FROM rejets WHERE import_id = ? "
            "ORDER BY line, column_name LIMIT ?",
            [summary.import_id, uploads.MAX_REJECTS_SHOWN],
        )
        return import_page(
            request,
            user,
            importe=summary,
            rejets_importes=[uploads.Rejet(int(r[0]), r[1], r[2], r[3]) for r in rejets],
        )

    @app.post("/imports/{token}/abandonner", summary="Abandonner un fichier en attente")
    def imports_cancel(
        request: Request, token: str, csrf: Annotated[str | None, Form()] = None
    ) -> RedirectResponse:
        user = require_user(current_user(request, store))
        check_csrf(request, csrf)
        found = pending.get(token)
        if found is not None and found.owner == user.identifiant:
            uploads.discard(pending.pop(token))
        return RedirectResponse("/imports", status_code=303)

    @app.get("/api/imports", summary="Historique des imports")
    def imports_json(request: Request) -> list[dict[str, Any]]:
        return history(require_user(current_user(request, store)))

    @app.post("/api/imports", summary="Contrôler (essai) ou importer un fichier")
    def imports_api(
        request: Request,
        fichier: Annotated[UploadFile, File()],
        profil: Annotated[str, Form()] = "auto",
        essai: Annotated[bool, Form()] = True,
        csrf: Annotated[str | None, Form()] = None,
    ) -> dict[str, Any]:
        user = require_user(current_user(request, store))
        check_csrf(request, csrf)
        try:
            found = receive(fichier, user, profil)
        except (IngestError, SecretError) as exc:
            raise HTTPException(422, str(exc)) from None
        pending.pop(found.token, None)
        result: dict[str, Any] = {
            "essai": found.summary.as_dict(),
            "rejets": [asdict(r) for r in found.rejets],
            "regions": found.regions,
            "refus": found.refused,
        }
        if essai:
            uploads.discard(found)
            return result
        try:
            result["import"] = uploads.confirm(store, user, found).as_dict()
        except (IngestError, SecretError) as exc:
            uploads.discard(found)
            raise HTTPException(422, str(exc)) from None
        return result

    # --- bilan PDF ---------------------------------------------------------------------

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

    @app.get("/bilan", response_class=HTMLResponse, summary="Bilan PDF (page)")
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

    @app.get("/api/bilan", summary="Disponibilité de la génération des bilans PDF")
    def bilan_json(request: Request) -> dict[str, Any]:
        user = require_user(current_user(request, store))
        allowed = [r.code for r in regions()] if user.role == "national" else [user.region or ""]
        return {
            "pdf_disponible": pdf_engine() is not None,
            "regions": allowed,
            "phases": [p.code for p in plan.phases],
        }

    @app.post("/bilan/pdf", summary="Générer le bilan PDF d'une région ou national")
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

    # --- data quality (per funder source, scoped to the account's region) -------------

    def quality_view(request: Request, phase: str | None, region: str | None) -> Any:
        user = require_user(current_user(request, store))
        scope = region_code(region) if region else user.region
        audience_for(user, scope)  # a regional account asking for another region: 403
        code = phase_of(phase)
        report = store.cached(
            ("qualite", code, scope), lambda: quality.quality_report(store.con, plan, code, scope)
        )
        checks = store.cached(
            ("declarations", code), lambda: declaration_checks(store.con, plan, code)
        )
        return user, report, [c for c in checks if scope is None or c.region == scope]

    @app.get("/qualite", response_class=HTMLResponse, summary="Qualité des données (page)")
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

    @app.get("/api/qualite", summary="Qualité des données : fichiers, motifs, couverture")
    def quality_json(
        request: Request, phase: str | None = None, region: str | None = None
    ) -> dict[str, Any]:
        _, report, checks = quality_view(request, phase, region)
        return {**report.as_dict(), "declarations": [asdict(c) for c in checks]}

    # --- sign in and out ---------------------------------------------------------------

    @app.get("/connexion", response_class=HTMLResponse, summary="Connexion (page)")
    def login_page(request: Request, suite: str = "/") -> HTMLResponse:
        return page(request, "connexion.html", current_user(request, store), suite=_local(suite))

    @app.post("/connexion", response_class=HTMLResponse, summary="Se connecter")
    def login(
        request: Request,
        identifiant: Annotated[str, Form(max_length=64)],
        mot_de_passe: Annotated[str, Form(max_length=256)],
        suite: Annotated[str, Form()] = "/",
        csrf: Annotated[str | None, Form()] = None,
    ) -> Response:
        check_csrf(request, csrf)
        address = request.client.host if request.client else "inconnue"

        def refused(status: int, message: str) -> Response:
            response = page(request, "connexion.html", None, suite=_local(suite), erreur=message)
            response.status_code = status
            return response

        # Checked before the password, so that the right one guessed while blocked is refused.
        if (blocked := throttle.refusal(identifiant, address)) is not None:
            with store.lock:
                audit(store.con, None, "connexion_bloquee", None, identifiant)
            return refused(429, blocked)
        with store.lock:
            user = authenticate(store.con, identifiant, mot_de_passe)
            audit(store.con, user, "connexion" if user else "connexion_refusee", None, identifiant)
            token = open_session(store.con, user) if user else None
        if user is None or token is None:
            throttle.failed(identifiant, address)
            return refused(401, "Identifiant ou mot de passe incorrect.")
        throttle.succeeded(identifiant)
        request.session.clear()
        request.session[SESSION_FIELD] = token
        request.session[CSRF_FIELD] = secrets.token_urlsafe(32)
        return RedirectResponse(_local(suite), status_code=303)

    @app.post("/deconnexion", summary="Se déconnecter")
    def logout(request: Request, csrf: Annotated[str | None, Form()] = None) -> RedirectResponse:
        check_csrf(request, csrf)
        if token := request.session.get(SESSION_FIELD):
            with store.lock:
                close_session(store.con, str(token))
        request.session.clear()
        return RedirectResponse("/", status_code=303)

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        icon = DSFR / "favicon" / "favicon.ico"
        if not icon.is_file():
            raise HTTPException(404, "Pas d'icône : les fichiers du DSFR ne sont pas installés.")
        return FileResponse(icon, media_type="image/x-icon")

    @app.get("/sante", summary="État du serveur", include_in_schema=False)
    def health() -> dict[str, Any]:
        return {"ok": True, "pid": os.getpid(), "version_donnees": store.version}

    return app


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


def _figures_dict(bilan: Bilan) -> dict[str, Any]:
    return {f.code: f for f in bilan.figures}


def _num(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def _local(target: str) -> str:
    """Only same-site paths after sign-in: an open redirect would help phishing."""
    return target if target.startswith("/") and not target.startswith("//") else "/"


def _as_plain(value: Any) -> Any:
    if value is None:
        return None
    as_dict = getattr(value, "as_dict", None)
    return as_dict() if callable(as_dict) else value
