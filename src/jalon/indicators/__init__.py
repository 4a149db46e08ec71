"""Indicators: one registry of definitions, computed with Ibis on the store (read only).

`compute_bilan` / `compute_all_bilans` build the bilan views, `compute_classement` the ranking of
regions, `compute_prevision` the forecast of a phase; `plan_pattern` computes the one statistical
secrecy pattern of the tables published together and `apply_secret_bilan` applies it to a bilan.
`jalon.indicators.marts` keeps the mart they read (`entrees_marts`) current after each import.

The names below are loaded on first use (PEP 562): the computations need Ibis, which takes
about 0.4 s to import, and commands that only read the registry (`jalon import`, `jalon
profils`, `jalon --help`) should not pay for it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jalon.indicators.bilan import Bilan as Bilan
    from jalon.indicators.bilan import Breakdown as Breakdown
    from jalon.indicators.bilan import Figure as Figure
    from jalon.indicators.bilan import Row as Row
    from jalon.indicators.bilan import compute_all_bilans as compute_all_bilans
    from jalon.indicators.bilan import compute_bilan as compute_bilan
    from jalon.indicators.classement import Classement as Classement
    from jalon.indicators.classement import RegionRank as RegionRank
    from jalon.indicators.classement import compute_classement as compute_classement
    from jalon.indicators.prevision import Forecast as Forecast
    from jalon.indicators.prevision import Prevision as Prevision
    from jalon.indicators.prevision import compute_prevision as compute_prevision
    from jalon.indicators.registry import BREAKDOWN_SPECS as BREAKDOWN_SPECS
    from jalon.indicators.registry import INDICATORS as INDICATORS
    from jalon.indicators.registry import REGISTRY as REGISTRY
    from jalon.indicators.registry import Indicator as Indicator
    from jalon.indicators.secret import apply_secret_bilan as apply_secret_bilan
    from jalon.indicators.secret import plan_pattern as plan_pattern

_HOME = {
    "jalon.indicators.bilan": (
        "Bilan",
        "Breakdown",
        "Figure",
        "Row",
        "compute_all_bilans",
        "compute_bilan",
    ),
    "jalon.indicators.classement": ("Classement", "RegionRank", "compute_classement"),
    "jalon.indicators.prevision": ("Forecast", "Prevision", "compute_prevision"),
    "jalon.indicators.registry": ("BREAKDOWN_SPECS", "INDICATORS", "REGISTRY", "Indicator"),
    "jalon.indicators.secret": ("apply_secret_bilan", "plan_pattern"),
}
_MODULE_OF = {name: module for module, names in _HOME.items() for name in names}

__all__ = sorted(_MODULE_OF)


def __getattr__(name: str) -> Any:
    if name not in _MODULE_OF:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_MODULE_OF[name]), name)
    globals()[name] = value
    return value
