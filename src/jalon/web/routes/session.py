"""Signing in and out."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from jalon.web.accounts import audit, authenticate, close_session, open_session
from jalon.web.context import Web
from jalon.web.security import CSRF_FIELD, SESSION_FIELD, check_csrf, current_user


def router(web: Web) -> APIRouter:
    store = web.store
    page = web.page
    throttle = web.throttle
    router = APIRouter()

    @router.get("/connexion", response_class=HTMLResponse, summary="Connexion (page)")
    def login_page(request: Request, suite: str = "/") -> HTMLResponse:
        return page(request, "connexion.html", current_user(request, store), suite=_local(suite))

    @router.post("/connexion", response_class=HTMLResponse, summary="Se connecter")
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

    @router.post("/deconnexion", summary="Se déconnecter")
    def logout(request: Request, csrf: Annotated[str | None, Form()] = None) -> RedirectResponse:
        check_csrf(request, csrf)
        if token := request.session.get(SESSION_FIELD):
            with store.lock:
                close_session(store.con, str(token))
        request.session.clear()
        return RedirectResponse("/", status_code=303)

    return router


def _local(target: str) -> str:
    """Only same-site paths after sign-in: an open redirect would help phishing."""
    return target if target.startswith("/") and not target.startswith("//") else "/"
