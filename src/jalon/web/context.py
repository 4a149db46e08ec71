"""What every router of the web app shares: the settings, the store, the plan, the templates and
the helpers that turn a request into a rendered page or a cached JSON answer.

`create_app` builds one `Web` per app; the routers of `jalon.web.routes` close over it. Nothing
here touches the base except through `WebStore` (its lock and its per-data-version cache).
`AuQuery` is the optional `?au=AAAA-MM-JJ` of the dashboards, read by `Web.au_of` with the CLI's
own parser (`jalon.indicators.arret.parse_au`), so that `--au` and `?au=` agree on every date.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment

from jalon.indicators.arret import ArretError, parse_au
from jalon.plan import Plan
from jalon.reference import region as region_of
from jalon.web import rendering, uploads
from jalon.web.accounts import User
from jalon.web.security import LoginThrottle, csrf_token
from jalon.web.views import WebStore

STATIC = Path(__file__).parent / "static"
DSFR = STATIC / "dsfr"
FORM_PAGES = frozenset({"connexion.html", "imports.html", "bilan.html"})
AuQuery = Annotated[
    str | None,
    Query(
        description=(
            "Date d'arrêt demandée (AAAA-MM-JJ) : les chiffres sont calculés à cette date, les "
            "entrées postérieures étant ignorées, comme avec « jalon bilan --au ». Une phase non "
            "terminée à cette date est dite « phase en cours » (mois observés sur mois de la "
            "phase) et comparée aux mêmes mois de sa période de référence. Une date postérieure "
            "à la date d'arrêt des données donne les chiffres de cette dernière. Absente : la "
            "date d'arrêt des données."
        ),
        examples=["2017-03-31"],
        json_schema_extra={"format": "date"},
    ),
]


@dataclass(frozen=True)
class Settings:
    db_path: Path
    plan_path: Path | None = None
    https_only: bool = True
    session_secret: str | None = None
    max_upload_bytes: int = 200 * (1 << 20)
    upload_dir: Path | None = None


@dataclass
class Web:
    """One app's shared state and its rendering helpers."""

    settings: Settings
    store: WebStore
    plan: Plan
    templates: Environment
    upload_dir: Path
    throttle: LoginThrottle
    pending: dict[str, uploads.Pending] = field(default_factory=dict)

    def phase_of(self, phase: str | None) -> str:
        code = phase or self.plan.phases[0].code
        try:
            self.plan.phase(code)
        except KeyError as exc:
            raise HTTPException(status_code=404, detail=str(exc.args[0])) from None
        return code

    def au_of(self, text: str | None) -> dt.date | None:
        """The date of `?au=`, or a French 400 naming the parameter and the expected form."""
        try:
            return parse_au(text)
        except ArretError as exc:
            raise HTTPException(status_code=400, detail=f"Paramètre « au » : {exc}") from None

    def region_code(self, code: str) -> str:
        try:
            return region_of(code).code
        except KeyError:
            raise HTTPException(status_code=404, detail=f"Région inconnue : {code}.") from None

    def render(self, request: Request, name: str, user: User | None, **context: Any) -> str:
        # Anonymous read-only pages carry no form, hence no CSRF token and no session cookie:
        # they are the same for every visitor and can be cached whole.
        needs_token = user is not None or name in FORM_PAGES
        return self.templates.get_template(name).render(
            user=user,
            plan=self.plan,
            csrf=csrf_token(request) if needs_token else "",
            dsfr=DSFR.is_dir(),
            path=request.url.path,
            **context,
        )

    def page(self, request: Request, name: str, user: User | None, **context: Any) -> HTMLResponse:
        return HTMLResponse(self.render(request, name, user, **context))

    def shared_page(
        self, request: Request, user: User | None, key: tuple[Any, ...], name: str, **context: Any
    ) -> HTMLResponse:
        """A page rendered once per data version for anonymous visitors, each time otherwise."""
        if user is not None:
            return self.page(request, name, user, **context)
        body = self.store.cached(
            ("html", *key), lambda: self.render(request, name, None, **context).encode("utf-8")
        )
        return HTMLResponse(body)

    def shared_json(self, key: tuple[Any, ...], build: Callable[[], Any]) -> Response:
        """A JSON answer serialised once per data version and audience."""
        body = self.store.cached(
            ("json", *key),
            lambda: json.dumps(build(), ensure_ascii=False, default=rendering.json_default).encode(
                "utf-8"
            ),
        )
        return Response(body, media_type="application/json")


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path.endswith((".csv", ".json"))


def query_of(phase: str, au: dt.date | None) -> str:
    """The query string that keeps a page's phase and date in its links (`phase=…&au=…`)."""
    return urlencode({"phase": phase, **({} if au is None else {"au": au.isoformat()})})


def num(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def as_plain(value: Any) -> Any:
    if value is None:
        return None
    as_dict = getattr(value, "as_dict", None)
    return as_dict() if callable(as_dict) else value
