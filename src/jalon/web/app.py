"""The steering web app (FastAPI): DSFR pages, their JSON twins, CSV downloads, imports, bilans.

`create_app(settings)` opens the base through `WebStore` (the process then owns it), builds the
shared `Web` context, adds the middleware and the error handlers, and includes one router per
area (`jalon.web.routes`); `jalon serveur` runs it with uvicorn. Route handlers are plain
functions, so Starlette runs them in its thread pool; every database access goes through the
store's lock and its per-data-version cache. Each HTML page has a JSON twin under `/api/...` built
from the same view data, described in the OpenAPI schema (`/api/openapi.json`).
"""

from __future__ import annotations

import secrets
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import Scope

from jalon.plan import load_plan
from jalon.web import errors, openapi, rendering, uploads
from jalon.web.accounts import SESSION_HOURS
from jalon.web.caching import ConditionalGet
from jalon.web.context import STATIC, Settings, Web, is_api
from jalon.web.routes import (
    about,
    bilan,
    dashboards,
    evenements,
    imports,
    misc,
    opendata,
    quality,
    session,
)
from jalon.web.security import (
    LoginThrottle,
    SecurityHeaders,
    UploadGuard,
    user_of_session,
)
from jalon.web.views import WebStore

__all__ = ["Settings", "create_app"]


def create_app(settings: Settings) -> FastAPI:
    plan = load_plan(settings.plan_path)
    store = WebStore(settings.db_path, plan)
    upload_dir = uploads.fresh_upload_dir(settings.upload_dir)
    web = Web(settings, store, plan, rendering.environment(), upload_dir, LoginThrottle())

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
        # Swagger UI and ReDoc load from a CDN, which neither the CSP nor offline sites allow:
        # the API page (`/api`) is a DSFR page built from the OpenAPI document instead.
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.store = store
    app.state.login_throttle = web.throttle

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
    # Outside SecurityHeaders, so that it sees the `no-store` of answers to signed-in users.
    app.add_middleware(ConditionalGet, store=store, plan=plan)
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.session_secret or secrets.token_urlsafe(32),
        session_cookie="jalon_session",
        https_only=settings.https_only,
        same_site="lax",
        max_age=SESSION_HOURS * 3600,
    )
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.exception_handler(StarletteHTTPException)
    def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = errors.message(exc.status_code, exc.detail)
        if is_api(request):
            return JSONResponse({"erreur": message}, status_code=exc.status_code)
        if exc.status_code == 401:
            return RedirectResponse(f"/connexion?suite={request.url.path}", status_code=303)
        return errors.page(web, request, exc.status_code, message)

    @app.exception_handler(RequestValidationError)
    def _validation_error(request: Request, exc: RequestValidationError) -> Response:
        return _http_error(request, HTTPException(422, errors.validation_message(exc)))

    @app.exception_handler(Exception)
    def _server_error(request: Request, exc: Exception) -> Response:
        # Starlette re-raises after this answer, so the server's log keeps the traceback.
        if is_api(request):
            return JSONResponse({"erreur": errors.message(500, None)}, status_code=500)
        return errors.page(web, request, 500, errors.message(500, None), signed_in=False)

    for area in (dashboards, imports, bilan, quality, session, evenements, about, opendata, misc):
        app.include_router(area.router(web))
    openapi.install(app)
    return app
