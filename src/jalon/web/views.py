"""The web app's hold on the database, and its views' data, computed once per data version.

`WebStore` owns the one DuckDB connection of the server process. Every use of it goes through
`WebStore.lock` (DuckDB connections are not safe to share between threads), and the views built
from it (bilans, the national ranking, charts, maps) are cached per (data version, view, phase,
region, audience): a page asked a thousand times between two imports is computed once. Only the
server writes to the base (DuckDB's lock keeps other processes out), so the data version is a
counter the server bumps after each of its own imports.

Anonymous visitors get the public audience: counts under the plan's secrecy threshold are
hidden, and the bilan passes through `jalon.indicators.apply_secret_bilan` (primary and
secondary suppression of every table); the forecast is withheld when the entries are secret.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal, TypeVar

import duckdb

from jalon.indicators import (
    REGISTRY,
    Bilan,
    Classement,
    Figure,
    Prevision,
    apply_secret_bilan,
    compute_all_bilans,
    compute_bilan,
    compute_prevision,
)
from jalon.indicators.classement import classement_of
from jalon.plan import Plan
from jalon.store import open_store

Audience = Literal["public", "prive"]
T = TypeVar("T")
SECRET_NOTE = "secret statistique"
_COUNT_UNITS = ("entrées", "personnes", "places")
# Figures computed from other counts: hidden whenever one of those is.
_DERIVED = {
    "entrees_supplementaires": ("entrees", "entrees_reference"),
    "entrees_supplementaires_base_declaree": ("entrees",),
    "taux_realisation": ("entrees", "entrees_reference"),
    "entrees_pour_1000_demandeurs": ("entrees",),
}


def optional(module: str, name: str) -> Any | None:
    """A function another area publishes (the report's PDF bilan) if it exists.

    The web app is built against names the report area publishes as they land; until one does,
    the page that needs it says the feature is not available yet.
    """
    try:
        return getattr(importlib.import_module(module), name, None)
    except ImportError:
        return None


@dataclass(frozen=True)
class National:
    bilan: Bilan
    classement: Classement


class WebStore:
    """The server's database connection, its lock, its data version and its view cache."""

    def __init__(self, db_path: Path, plan: Plan) -> None:
        self.db_path = db_path
        self.plan = plan
        self.con: duckdb.DuckDBPyConnection = open_store(db_path)
        self.lock = threading.RLock()
        # Account lookups (every signed-in request) use their own cursor and lock, so they never
        # wait behind a long computation holding the main connection.
        self.accounts = self.con.cursor()
        self.accounts_lock = threading.Lock()
        self.version = 0
        self._cache: dict[Hashable, Any] = {}

    def close(self) -> None:
        with self.lock, self.accounts_lock:
            self.accounts.close()
            self.con.close()

    def data_changed(self) -> None:
        """Call after every write the server makes: cached views are recomputed on next use."""
        with self.lock:
            self.version += 1
            self._cache.clear()

    def cached(self, key: tuple[Hashable, ...], compute: Callable[[], T]) -> T:
        full = (self.version, *key)
        hit = self._cache.get(full)
        if hit is not None:
            return hit
        with self.lock:
            full = (self.version, *key)
            if full not in self._cache:
                self._cache[full] = compute()
            return self._cache[full]

    def bilan(self, phase: str, region: str | None, audience: Audience) -> Bilan:
        raw = self.cached(
            ("brut", phase, region), lambda: compute_bilan(self.con, self.plan, phase, region)
        )
        if audience == "prive":
            return raw
        return self.cached(("public", phase, region), lambda: self.protect(raw))

    def prevision(self, phase: str, region: str | None, audience: Audience) -> Prevision | None:
        """The forecast; withheld from the public when the phase's entries are secret."""
        if audience == "public" and self.bilan(phase, region, "public").value("entrees") is None:
            return None
        return self.cached(
            ("prevision", phase, region),
            lambda: compute_prevision(self.con, self.plan, phase, region, None),
        )

    def national(self, phase: str, audience: Audience) -> National:
        def compute() -> National:
            every = self.cached(
                ("tous", phase), lambda: compute_all_bilans(self.con, self.plan, phase)
            )
            for code, raw in every.items():
                self._cache.setdefault((self.version, "brut", phase, code), raw)
            shown = {code: self.bilan(phase, code, audience) for code in every}
            return National(shown[None], classement_of(shown, self.plan, phase))

        return self.cached(("national", phase, audience), compute)

    def protect(self, bilan: Bilan) -> Bilan:
        """The public version of a bilan: small counts hidden, breakdowns through the secret."""
        threshold = self.plan.secret.threshold
        hidden: set[str] = set()
        for figure in bilan.figures:
            unit = REGISTRY[figure.code].unit if figure.code in REGISTRY else None
            if unit in _COUNT_UNITS and isinstance(figure.value, int | float):
                if figure.code.startswith("objectif"):
                    continue
                if 0 < figure.value < threshold:
                    hidden.add(figure.code)
        for code, sources in _DERIVED.items():
            if any(source in hidden for source in sources):
                hidden.add(code)
        figures = [
            Figure(f.code, None, SECRET_NOTE) if f.code in hidden else f for f in bilan.figures
        ]
        return apply_secret_bilan(replace(bilan, figures=figures), threshold)

    def query(self, sql: str, params: list[object] | None = None) -> list[tuple[Any, ...]]:
        with self.lock:
            return self.con.execute(sql, params or []).fetchall()
