"""Indicators: one registry of definitions, computed with Ibis on the store (read only).

`compute_bilan` / `compute_all_bilans` build the bilan views, `compute_classement` the ranking of
regions, `compute_prevision` the forecast of a phase; `apply_secret` protects any table before
it is published.
"""

from jalon.indicators.bilan import (
    Bilan,
    Breakdown,
    Figure,
    Row,
    compute_all_bilans,
    compute_bilan,
)
from jalon.indicators.classement import Classement, RegionRank, compute_classement
from jalon.indicators.prevision import Forecast, Prevision, compute_prevision
from jalon.indicators.registry import BREAKDOWN_SPECS, INDICATORS, REGISTRY, Indicator
from jalon.indicators.secret import apply_secret, apply_secret_bilan

__all__ = [
    "BREAKDOWN_SPECS",
    "INDICATORS",
    "REGISTRY",
    "Bilan",
    "Breakdown",
    "Classement",
    "Figure",
    "Forecast",
    "Indicator",
    "Prevision",
    "RegionRank",
    "Row",
    "apply_secret",
    "apply_secret_bilan",
    "compute_all_bilans",
    "compute_bilan",
    "compute_classement",
    "compute_prevision",
]
