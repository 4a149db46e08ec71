"""Conditional GET for public downloads: `ETag` and `Last-Modified` from the data version, so
that re-users polling `/api/…`, `.json`, `.csv` and `.xlsx` addresses get `304 Not Modified`
until new files are imported.

A pure ASGI middleware. The tag is the data version code (imports and plan, `jalon.report.
version`) and a digest of the address with its query: the same figures give the same tag across
restarts. Answers meant for one signed-in user (`Cache-Control: no-store`) get no tag.
"""

from __future__ import annotations

import hashlib
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from jalon.plan import Plan
from jalon.report.version import data_version
from jalon.web.views import WebStore

DOWNLOADS = (".json", ".csv", ".xlsx")


def is_download(path: str) -> bool:
    return path.startswith("/api/") or path.endswith(DOWNLOADS)


class ConditionalGet:
    def __init__(self, app: ASGIApp, store: WebStore, plan: Plan) -> None:
        self.app = app
        self.store = store
        self.plan = plan

    def _version(self) -> tuple[str, str]:
        def compute() -> tuple[str, str]:
            with self.store.lock:
                version = data_version(self.store.con, self.plan)
            return version.code, format_datetime(version.as_of.astimezone(), usegmt=True)

        return self.store.cached(("version_donnees",), compute)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        path = str(scope["path"])
        if not is_download(path) or path == "/api/openapi.json":
            await self.app(scope, receive, send)
            return
        code, modified = self._version()
        address = path + "?" + scope.get("query_string", b"").decode("latin-1")
        tag = f'"{code}-{hashlib.sha256(address.encode()).hexdigest()[:12]}"'
        asked = Headers(scope=scope)
        fresh = tag in [t.strip() for t in asked.get("if-none-match", "").split(",")]
        if not fresh and (since := asked.get("if-modified-since")):
            try:
                fresh = parsedate_to_datetime(since) >= parsedate_to_datetime(modified)
            except (TypeError, ValueError):
                fresh = False
        state: dict[str, Any] = {"not_modified": False}

        async def tagged(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if message["status"] != 200 or "no-store" in headers.get("cache-control", ""):
                    await send(message)
                    return
                headers["ETag"] = tag
                headers["Last-Modified"] = modified
                if fresh:
                    state["not_modified"] = True
                    kept = {k: v for k, v in headers.items() if k.lower() not in
                            ("content-length", "content-type")}  # fmt: skip
                    raw = [(k.encode(), v.encode()) for k, v in kept.items()]
                    await send({"type": "http.response.start", "status": 304, "headers": raw})
                    return
                await send(message)
            elif state["not_modified"]:
                if not message.get("more_body", False):
                    await send({"type": "http.response.body", "body": b""})
            else:
                await send(message)

        await self.app(scope, receive, tagged)
