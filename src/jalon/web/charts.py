"""Charts of the web pages: Vega-Lite specifications rendered to SVG on the server (vl-convert).

Pure functions of the view data (no database); the web app caches the SVG per data version, so
the cost of vl-convert (about 0.1 s a chart, 0.8 s for the first one of a process) is paid once.
The page also offers the figures as a table and a CSV file, so the chart is never the only way
to read them.
"""

from __future__ import annotations

from typing import Any

import vl_convert as vlc

from jalon.indicators import REGISTRY, Breakdown
from jalon.report.graphiques import without_vega_aria

SERIES = {
    "entrees": "Entrées de la phase (cumul)",
    "entrees_reference": "Période de référence (cumul)",
    "rythme_objectif": "Rythme de l'objectif (cumul)",
}
COLOURS = {"entrees": "#000091", "entrees_reference": "#929292", "rythme_objectif": "#e1000f"}
_CUMULATIVE = ("entrees", "entrees_reference")
_FONT = "Marianne, Arial, sans-serif"


def _config() -> dict[str, Any]:
    # Vega's own screen-reader descriptions are English (« X-axis titled … »): none are
    # generated, and the figure around the chart carries its French label.
    return {
        "aria": False,
        "font": _FONT,
        "axis": {"labelFontSize": 12, "titleFontSize": 12, "gridColor": "#e5e5e5"},
        "legend": {"orient": "bottom", "labelFontSize": 12, "title": None, "labelLimit": 320},
        "view": {"stroke": None},
    }


def monthly_curve_spec(breakdown: Breakdown, title: str) -> dict[str, Any]:
    """Cumulated monthly entries of the phase and of the reference window, and the target pace."""
    values: list[dict[str, Any]] = []
    totals: dict[str, float | None] = dict.fromkeys(_CUMULATIVE, 0.0)
    for order, row in enumerate(breakdown.rows):
        for code, label in SERIES.items():
            if code not in breakdown.columns:
                continue
            raw = row.values.get(code)
            masked = code in row.suppressed or raw is None
            if code in _CUMULATIVE:
                # A masked month leaves every later total unknown: the line stops there.
                total = totals[code]
                totals[code] = None if total is None or masked else total + float(raw or 0)
                shown = totals[code]
            else:
                shown = None if masked else float(raw or 0)
            if shown is not None:
                values.append({"ordre": order, "mois": row.label, "serie": label, "valeur": shown})
    drawn = {point["serie"] for point in values}
    present = [code for code in SERIES if SERIES[code] in drawn]
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": {"text": title, "anchor": "start", "fontSize": 14},
        "width": 640,
        "height": 280,
        "data": {"values": values},
        "mark": {"type": "line", "point": True, "strokeWidth": 2},
        "encoding": {
            "x": {
                "field": "mois",
                "type": "ordinal",
                "sort": {"field": "ordre"},
                "title": None,
                "axis": {"labelAngle": -40, "labelLimit": 120},
            },
            "y": {
                "field": "valeur",
                "type": "quantitative",
                "title": REGISTRY["entrees"].label if "entrees" in REGISTRY else "Entrées",
                "axis": {"format": ",.0f"},
            },
            "color": {
                "field": "serie",
                "type": "nominal",
                "scale": {
                    "domain": [SERIES[c] for c in present],
                    "range": [COLOURS[c] for c in present],
                },
            },
            "strokeDash": {
                "field": "serie",
                "type": "nominal",
                "scale": {
                    "domain": [SERIES[c] for c in present],
                    "range": [[1, 0] if c == "entrees" else [6, 4] for c in present],
                },
                # Same field and domain as the colour: one legend shows both.
            },
        },
        "config": _config(),
    }


def render_svg(spec: dict[str, Any]) -> str:
    """SVG of a Vega-Lite spec, numbers and dates in French."""
    svg: str = vlc.vegalite_to_svg(spec, format_locale="fr-FR", time_format_locale="fr-FR")
    return without_vega_aria(svg)
