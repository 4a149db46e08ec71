"""Sessions, CSRF tokens, sign-in throttling, access scope and security headers of the web app.

The session cookie is signed by Starlette's SessionMiddleware (itsdangerous), HTTP-only,
`SameSite=Lax`, `Secure` unless the server is started for plain-HTTP local tests. It holds a
session token and the CSRF token; the token is looked up in `sessions_web` on every request, so
signing out or deleting the account ends the session for every copy of the cookie. Every POST
carries the CSRF token (form field `csrf` or header `X-CSRF-Token`), compared in constant time.

Failed sign-ins are counted in the server's memory (the server is the only process that holds
the base) per account and per client address; past the limit, sign-in is refused for the rest
of the window, even with the right password. Upload bodies (multipart POSTs) from anonymous
visitors are refused before they are read. Answers to signed-in users are `no-store`; HSTS is
sent on HTTPS (uvicorn takes the scheme from `X-Forwarded-Proto` set by a proxy on the machine).
"""

from __future__ import annotations

import hmac
import math
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import HTTPException, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from jalon.web.accounts import User, session_user
from jalon.web.views import Audience, WebStore

CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"
SESSION_FIELD = "jeton"
PRIVATE_FLAG = "jalon_prive"
HSTS = "max-age=31536000; includeSubDomains"
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
                if scope.get("scheme") == "https":
                    headers.setdefault("Strict-Transport-Security", HSTS)
                private = scope.get("state", {}).get(PRIVATE_FLAG)
                if private or "set-cookie" in headers:
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)


class UploadGuard:
    """Answers a multipart POST with `refusal(scope)`, when it gives one, before reading its body.

    FastAPI parses a form before the route runs, so a route cannot refuse an upload unread; this
    middleware sits inside the session middleware, so `refusal` sees the session.
    """

    def __init__(self, app: ASGIApp, refusal: Callable[[Scope], Response | None]) -> None:
        self.app = app
        self.refusal = refusal

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST":
            content_type = dict(scope["headers"]).get(b"content-type", b"")
            if content_type.lower().startswith(b"multipart/form-data"):
                refused = await run_in_threadpool(self.refusal, scope)
                if refused is not None:
                    await refused(scope, receive, send)
                    return
        await self.app(scope, receive, send)


@dataclass(frozen=True)
class Limit:
    failures: int
    window: float  # seconds


class LoginThrottle:
    """Failed sign-ins per account and per address over a sliding window, in memory.

    Counting stops growing with the number of keys: past `max_keys`, keys whose failures have
    all expired are dropped, then the oldest ones.
    """

    def __init__(
        self,
        per_account: Limit = Limit(5, 15 * 60),
        per_address: Limit = Limit(20, 15 * 60),
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 10_000,
    ) -> None:
        self.limits = {"compte": per_account, "adresse": per_address}
        self.clock = clock
        self.max_keys = max_keys
        self._failures: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def refusal(self, account: str, address: str) -> str | None:
        """The French message refusing this attempt, or None if it may go ahead."""
        now = self.clock()
        with self._lock:
            for kind, key in (("compte", account), ("adresse", address)):
                limit = self.limits[kind]
                times = self._recent((kind, key), now)
                if len(times) >= limit.failures:
                    wait = math.ceil((times[0] + limit.window - now) / 60)
                    minutes = f"{wait} minute{'s' if wait > 1 else ''}"
                    who = "ce compte" if kind == "compte" else "votre adresse réseau"
                    return (
                        f"Trop de tentatives de connexion refusées pour {who} "
                        f"({limit.failures} échecs en {round(limit.window / 60)} minutes) : "
                        "la connexion est bloquée "
                        f"pendant {minutes}. Réessayez ensuite, ou demandez à un administrateur "
                        "de vérifier votre compte si vous avez oublié votre mot de passe."
                    )
        return None

    def failed(self, account: str, address: str) -> None:
        now = self.clock()
        with self._lock:
            if len(self._failures) >= self.max_keys:
                self._prune(now)
            for key in (("compte", account), ("adresse", address)):
                self._failures.setdefault(key, deque()).append(now)

    def succeeded(self, account: str) -> None:
        with self._lock:
            self._failures.pop(("compte", account), None)

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        times = self._failures.get(key, deque())
        window = self.limits[key[0]].window
        while times and times[0] <= now - window:
            times.popleft()
        return times

    def _prune(self, now: float) -> None:
        for key in list(self._failures):
            if not self._recent(key, now):
                del self._failures[key]
        while len(self._failures) >= self.max_keys:
            oldest = min(self._failures, key=lambda k: self._failures[k][-1])
            del self._failures[oldest]


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


def user_of_session(session: dict[str, object], store: WebStore) -> User | None:
    token = session.get(SESSION_FIELD)
    if not token:
        return None
    with store.accounts_lock:
        user = session_user(store.accounts, str(token))
    if user is None:
        session.pop(SESSION_FIELD, None)
    return user


def current_user(request: Request, store: WebStore) -> User | None:
    user = user_of_session(request.session, store)
    if user is not None:
        setattr(request.state, PRIVATE_FLAG, True)
    return user


def require_user(user: User | None) -> User:
    if user is None:
        raise HTTPException(status_code=401, detail="Connectez-vous pour accéder à cette page.")
    return user


def audience_for(user: User | None, region: str | None) -> Audience:
    """Micro-data aggregates for users allowed to see `region`; the public version otherwise.

    A regional account asking for another region gets that region's public version, as any
    visitor would (its page says so, see `other_region`): an account never sees less than an
    anonymous visitor. Pages that exist only as micro-data refuse it (`require_region`).
    """
    if user is None:
        return "public"
    return "prive" if user.can_see(region) else "public"


def other_region(user: User | None, region: str | None) -> bool:
    """A regional account looking at another region's (public) figures."""
    return user is not None and user.role == "regional" and region not in (None, user.region)


def require_region(user: User, region: str | None) -> None:
    """Refuse a regional account the micro-data of another region (or of the nation)."""
    if user.role == "regional" and user.region != region:
        raise HTTPException(
            status_code=403,
            detail=f"Votre compte donne accès à la région {user.region} seulement.",
        )
