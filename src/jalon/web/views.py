"""The web app's hold on the database, and its views' data, computed once per data version.

`WebStore` owns the one DuckDB connection of the server process. Every use of it goes through
`WebStore.lock` (DuckDB connections are not safe to share between threads), and the views built
from it (bilans, the national ranking, charts, maps) are cached per (data version, view, phase,
region, audience): a page asked a thousand times between two imports is computed once. Only the
server writes to the base (DuckDB's lock keeps other processes out), so the data version is a
counter the server bumps after each of its own imports.

Anonymous visitors get the public audience: the bilan, the ranking and the forecast pass
through the one secrecy rule of `jalon.indicators.secret` (`apply_secret_bilan`,
`apply_secret_classement`, `apply_secret_prevision`), with the one suppression pattern of the
phase's tables (`plan_pattern`, cached per data version like the views).
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeVar

import duckdb

from jalon.indicators import (
    Bilan,
    Classement,
    Prevision,
    apply_secret_bilan,
    compute_all_bilans,
    compute_bilan,
    compute_prevision,
    plan_pattern,
)
from jalon.indicators.classement import classement_of
from jalon.indicators.prevision import PrevisionError
from jalon.indicators.secret import SECRET_NOTE, apply_secret_classement, apply_secret_prevision
from jalon.indicators.secret_pattern import SecretPattern
from jalon.plan import Plan
from jalon.store import open_store

Audience = Literal["public", "prive"]
T = TypeVar("T")
__all__ = ["SECRET_NOTE", "Audience", "National", "WebStore", "optional"]


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
        threshold = self.plan.secret.threshold
        return self.cached(
            ("public", phase, region),
            lambda: apply_secret_bilan(raw, threshold, self.secret_pattern(phase)),
        )

    def all_bilans(self, phase: str) -> dict[str | None, Bilan]:
        return self.cached(("tous", phase), lambda: compute_all_bilans(self.con, self.plan, phase))

    def secret_pattern(self, phase: str) -> SecretPattern:
        """The secrecy pattern of every table of the phase published together."""
        return self.cached(
            ("secret", phase), lambda: plan_pattern(self.all_bilans(phase), self.plan)
        )

    def prevision(self, phase: str, region: str | None, audience: Audience) -> Prevision | None:
        """The forecast; withheld from the public when it would give back secret entries."""

        def compute() -> Prevision | None:
            try:
                return compute_prevision(self.con, self.plan, phase, region, None)
            except PrevisionError:  # no month of the phase observed yet: nothing to project
                return None

        found = self.cached(("prevision", phase, region), compute)
        if found is None:
            return None
        if audience == "prive":
            return found
        public = self.bilan(phase, region, "public")
        return apply_secret_prevision(found, self.plan.secret.threshold, public)

    def national(self, phase: str, audience: Audience) -> National:
        def compute() -> National:
            every = self.all_bilans(phase)
            for code, raw in every.items():
                self._cache.setdefault((self.version, "brut", phase, code), raw)
            shown = {code: self.bilan(phase, code, audience) for code in every}
            classement = classement_of(every, self.plan, phase)
            if audience == "public":
                classement = apply_secret_classement(classement, self.secret_pattern(phase))
            return National(shown[None], classement)

        return self.cached(("national", phase, audience), compute)

    def query(self, sql: str, params: list[object] | None = None) -> list[tuple[Any, ...]]:
        with self.lock:
            return self.con.execute(sql, params or []).fetchall()
