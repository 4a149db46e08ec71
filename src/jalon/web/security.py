"""Sessions, CSRF tokens, access scope and security headers of the web app.

The session is a cookie signed by Starlette's SessionMiddleware (itsdangerous), HTTP-only,
`SameSite=Lax`, `Secure` unless the server is started for plain-HTTP local tests. It holds only
the account identifier and the CSRF token; the account is re-read from the base on every request,
so a deleted account loses access at once. Every POST carries the CSRF token (form field `csrf`
or header `X-CSRF-Token`), compared in constant time.
"""

from __future__ import annotations

import hmac
import secrets

from fastapi import HTTPException, Request
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from jalon.web.accounts import User, get_user
from jalon.web.views import Audience, WebStore

CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"
_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        "script-src 'self'; frame-ancestors 'none'; form-action 'self'"
    ),
}


class SecurityHeaders:
    """Pure ASGI middleware (cheaper than BaseHTTPMiddleware) adding the headers above."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in _HEADERS.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def csrf_token(request: Request) -> str:
    token = request.session.get(CSRF_FIELD)
    if not token:
        token = secrets.token_urlsafe(32)
        request.session[CSRF_FIELD] = token
    return str(token)


def check_csrf(request: Request, sent: str | None) -> None:
    expected = request.session.get(CSRF_FIELD)
    sent = request.headers.get(CSRF_HEADER) or sent
    if not expected or not sent or not hmac.compare_digest(str(expected).encode(), sent.encode()):
        raise HTTPException(
            status_code=403,
            detail="Jeton de sécurité du formulaire absent ou périmé : rechargez la page.",
        )


def current_user(request: Request, store: WebStore) -> User | None:
    identifiant = request.session.get("utilisateur")
    if not identifiant:
        return None
    with store.accounts_lock:
        user = get_user(store.accounts, str(identifiant))
    if user is None:
        request.session.pop("utilisateur", None)
    return user


def require_user(user: User | None) -> User:
    if user is None:
        raise HTTPException(status_code=401, detail="Connectez-vous pour accéder à cette page.")
    return user


def audience_for(user: User | None, region: str | None) -> Audience:
    """Micro-data aggregates for users allowed to see `region`; the public version otherwise.

    A regional account asking for another region is refused outright rather than served the
    public version, so that a mistaken link never looks like its own region's figures.
    """
    if user is None:
        return "public"
    if region is not None and user.role == "regional" and user.region != region:
        raise HTTPException(
            status_code=403,
            detail=f"Votre compte donne accès à la région {user.region} seulement.",
        )
    return "prive" if user.can_see(region) else "public"
