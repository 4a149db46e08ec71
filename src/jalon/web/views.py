"""The web app's hold on the database, and its views' data, computed once per data version.

`WebStore` owns the one DuckDB connection of the server process. Every use of it goes through
`WebStore.lock` (DuckDB connections are not safe to share between threads), and the views built
from it (bilans, the national ranking, charts, maps) are cached per (data version, view, phase,
region, audience, date `au`): a page asked a thousand times between two imports is computed once.
Only the server writes to the base (DuckDB's lock keeps other processes out), so the data version
is a counter the server bumps after each of its own imports.

Every view takes an optional date `au` (`?au=AAAA-MM-JJ`): the figures as of that earlier date
(`jalon.indicators.arret`), as `jalon bilan --au` computes them. Any visitor can ask for any
date, so the views of a date (a key holding a `datetime.date`) go to a bounded cache of their
own, the least recently used dropped first; the latest views stay until the next import.

Anonymous visitors get the public audience: the bilan, the ranking and the forecast pass
through the one secrecy rule of `jalon.indicators.secret` (`apply_secret_bilan`,
`apply_secret_classement`, `apply_secret_prevision`), with the one suppression pattern of the
phase's tables (`plan_pattern`, cached per data version and date like the views): the pattern of
a bilan as of a date is computed on the bilans of that date.
"""

from __future__ import annotations

import datetime as dt
import importlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from functools import partial
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
# Views of an earlier date kept at once: a page of a date asked again is not recomputed, and no
# stream of distinct dates can make the cache grow without bound.
DATED_VIEWS = 256


def optional(module: str, name: str) -> Any | None:
    """A function another area publishes (the report's PDF bilan) if it exists.

    The web app is built against names the report area publishes as they land; until one does,
    the page that needs it says the feature is not available yet.
    """
    try:
        return getattr(importlib.import_module(module), name, None)
    except ImportError:
        return None


def _same(value: T) -> T:
    return value


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
        self._dated: OrderedDict[Hashable, Any] = OrderedDict()

    def close(self) -> None:
        with self.lock, self.accounts_lock:
            self.accounts.close()
            self.con.close()

    def data_changed(self) -> None:
        """Call after every write the server makes: cached views are recomputed on next use."""
        with self.lock:
            self.version += 1
            self._cache.clear()
            self._dated.clear()

    def cached(self, key: tuple[Hashable, ...], compute: Callable[[], T]) -> T:
        full = (self.version, *key)
        if any(isinstance(part, dt.date) for part in key):
            return self._cached_dated(full, compute)
        hit = self._cache.get(full)
        if hit is not None:
            return hit
        with self.lock:
            full = (self.version, *key)
            if full not in self._cache:
                self._cache[full] = compute()
            return self._cache[full]

    def _cached_dated(self, full: tuple[Hashable, ...], compute: Callable[[], T]) -> T:
        with self.lock:
            if full in self._dated:
                self._dated.move_to_end(full)
                return self._dated[full]
            value = compute()
            self._dated[full] = value
            while len(self._dated) > DATED_VIEWS:
                self._dated.popitem(last=False)
            return value

    def bilan(
        self, phase: str, region: str | None, audience: Audience, au: dt.date | None = None
    ) -> Bilan:
        raw = self.cached(
            ("brut", phase, region, au),
            lambda: compute_bilan(self.con, self.plan, phase, region, au),
        )
        if audience == "prive":
            return raw
        threshold = self.plan.secret.threshold
        return self.cached(
            ("public", phase, region, au),
            lambda: apply_secret_bilan(raw, threshold, self.secret_pattern(phase, au)),
        )

    def all_bilans(self, phase: str, au: dt.date | None = None) -> dict[str | None, Bilan]:
        return self.cached(
            ("tous", phase, au), lambda: compute_all_bilans(self.con, self.plan, phase, au)
        )

    def secret_pattern(self, phase: str, au: dt.date | None = None) -> SecretPattern:
        """The secrecy pattern of every table of the phase published together, as of `au`."""
        return self.cached(
            ("secret", phase, au), lambda: plan_pattern(self.all_bilans(phase, au), self.plan)
        )

    def _forecast(self, phase: str, region: str | None, au: dt.date | None) -> Prevision | str:
        def compute() -> Prevision | str:
            try:
                return compute_prevision(self.con, self.plan, phase, region, au)
            except PrevisionError as exc:  # no month of the phase observed: nothing to project
                return str(exc)

        return self.cached(("prevision", phase, region, au), compute)

    def prevision(
        self, phase: str, region: str | None, audience: Audience, au: dt.date | None = None
    ) -> Prevision | None:
        """The forecast; withheld from the public when it would give back secret entries."""
        found = self._forecast(phase, region, au)
        if isinstance(found, str):
            return None
        if audience == "prive":
            return found
        public = self.bilan(phase, region, "public", au)
        return apply_secret_prevision(found, self.plan.secret.threshold, public)

    def prevision_refusal(self, phase: str, region: str | None, au: dt.date | None) -> str | None:
        """Why no forecast exists (no month of the phase observed at the date), in French."""
        found = self._forecast(phase, region, au)
        return found if isinstance(found, str) else None

    def national(self, phase: str, audience: Audience, au: dt.date | None = None) -> National:
        def compute() -> National:
            every = self.all_bilans(phase, au)
            for code, raw in every.items():
                self.cached(("brut", phase, code, au), partial(_same, raw))
            shown = {code: self.bilan(phase, code, audience, au) for code in every}
            classement = classement_of(every, self.plan, phase)
            if audience == "public":
                classement = apply_secret_classement(classement, self.secret_pattern(phase, au))
            return National(shown[None], classement)

        return self.cached(("national", phase, audience, au), compute)

    def query(self, sql: str, params: list[object] | None = None) -> list[tuple[Any, ...]]:
        with self.lock:
            return self.con.execute(sql, params or []).fetchall()
