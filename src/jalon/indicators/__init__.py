"""Indicators: one registry of definitions, computed with Ibis on the store."""

from jalon.indicators.bilan import Bilan, Breakdown, Figure, Row, compute_bilan
from jalon.indicators.registry import INDICATORS, REGISTRY, Indicator

__all__ = [
    "INDICATORS",
    "REGISTRY",
    "Bilan",
    "Breakdown",
    "Figure",
    "Indicator",
    "Row",
    "compute_bilan",
]
