"""Charts and maps of the bilan: Vega-Lite specifications rendered to SVG by vl-convert.

Each function turns view data (a `Breakdown`, or values by area code) into a Vega-Lite spec (a
plain dict, declared here once), and `svg` renders it without a browser or network access
(`allowed_base_urls=[]`: every datum is inline). Rendering is deterministic: the same data give
the same SVG bytes. Maps use the outlines packaged in `jalon.reference` (`geojson`); overseas
départements and regions are drawn in small panels under mainland France.
"""

from __future__ import annotations

import base64
import itertools
import math
import re
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import vl_convert as vlc

from jalon.indicators import Breakdown
from jalon.plan.scales import NO_DATA, Scale
from jalon.reference import GeoLevel, geojson
from jalon.report.typographie import typographie

Spec = dict[str, Any]

# DSFR colours (système de design de l'État): bleu France, and the illustrative palette.
BLEU_FRANCE = "#000091"
ROUGE_MARIANNE = "#e1000f"
GRIS = "#666666"
GRIS_CLAIR = "#e5e5e5"
PALETTE = (
    "#000091",
    "#e4794a",
    "#009081",
    "#a558a0",
    "#c3992a",
    "#417dc4",
    "#ce614a",
    "#68a532",
    "#bd987a",
    "#929292",
)

FORMAT_LOCALE = {
    "decimal": ",",
    "thousands": "\u202f",
    "grouping": [3],
    "currency": ["", "\u00a0€"],
    "percent": "\u202f%",
}


@dataclass(frozen=True)
class Medium:
    """Where a chart is read: its font, text size and the monthly curve's size."""

    font: str
    font_size: int
    curve_size: tuple[int, int]

    def config(self) -> Spec:
        size = self.font_size
        return {
            "aria": False,  # Vega's generated descriptions are English; the page labels each chart
            "font": self.font,
            "background": "white",
            "view": {"stroke": None},
            "axis": {
                "labelColor": "#3a3a3a",
                "titleColor": "#3a3a3a",
                "gridColor": GRIS_CLAIR,
                "domainColor": "#929292",
                "tickColor": "#929292",
                "labelFontSize": size,
                "titleFontSize": size,
                "titleFontWeight": "normal",
            },
            "legend": {"labelFontSize": size, "titleFontSize": size, "titleFontWeight": "normal"},
            "title": {
                "aria": False,
                "fontSize": size + 1,
                "fontWeight": "normal",
                "color": "#3a3a3a",
            },
            "range": {"category": list(PALETTE)},
        }


#: The PDF bilan (WeasyPrint embeds DejaVu) and the web pages (the DSFR's Marianne), on a wide
#: screen and on a phone: an SVG scaled down to a phone's width would shrink its text to 5 px.
PRINT = Medium("DejaVu Sans", 10, (440, 220))
SCREEN = Medium("Marianne, Arial, sans-serif", 12, (640, 280))
PHONE = Medium("Marianne, Arial, sans-serif", 12, (270, 220))
OVERSEAS_REGIONS = ("01", "02", "03", "04", "06")
BAR_ROWS = 12
LABEL_WIDTH = 46  # characters per line of a bar's label


_PATH = re.compile(r'd="([^"]*)"')
_VEGA_ARIA = re.compile(r' (?:aria-roledescription|aria-label|role)="[^"]*"')
_LONG_DECIMAL = re.compile(r"(\.\d)\d+")


def _lighter_path(match: re.Match[str]) -> str:
    return 'd="' + _LONG_DECIMAL.sub(r"\1", match.group(1)) + '"'


def svg(spec: Spec, medium: Medium = PRINT) -> str:
    """The SVG text of a Vega-Lite spec (French number format, no network).

    Path coordinates are cut to a tenth of a pixel: invisible at print size, and it makes a
    national map several times lighter.
    """
    full = {"$schema": "https://vega.github.io/schema/vega-lite/v5.json", **spec}
    text = vlc.vegalite_to_svg(
        full,
        config=medium.config(),
        format_locale=FORMAT_LOCALE,
        time_format_locale="fr-FR",
        allowed_base_urls=[],
    )
    return _PATH.sub(_lighter_path, without_vega_aria(str(text)))


def without_vega_aria(svg_text: str) -> str:
    """The SVG without the roles and descriptions Vega writes in English (« group mark
    container », « Title text … »), which `"aria": False` leaves on containers, marks and titles,
    and hidden from screen readers as a whole: the page's French label and the table beside the
    chart say what it shows."""
    bare = _VEGA_ARIA.sub("", svg_text)
    return bare.replace("<svg ", '<svg aria-hidden="true" ', 1)


def data_uri(svg_text: str) -> str:
    """An `<img src>` for the SVG: charts keep their own ids, so several can share a page."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg_text.encode()).decode("ascii")


SERIES_MOIS = {
    code: typographie(label)
    for code, label in {
        "entrees": "Entrées de la phase (cumul)",
        "entrees_reference": "Entrées de la référence (cumul)",
        "rythme_objectif": "Rythme de l'objectif (cumul)",
    }.items()
}
#: Columns of the `mois` breakdown that the indicators give already cumulated.
CUMULATED_MOIS = ("rythme_objectif", "stock")


def courbe_mensuelle(
    mois: Breakdown, medium: Medium = PRINT, title: str | None = None
) -> Spec | None:
    """Cumulated entries month by month against the reference window and the target pace, for
    the PDF and the web page alike.

    Counts are summed here; the target pace comes cumulated. A month whose value is hidden
    (secret) or absent leaves every later total unknown: the line stops there rather than read
    as 0, and a cell hidden by secrecy is never drawn, whatever value it still holds.
    """
    series = [c for c in SERIES_MOIS if c in mois.columns]
    if "entrees" not in series or not mois.rows:
        return None
    values: list[dict[str, Any]] = []
    for column in series:
        total: float | None = 0.0
        for position, row in enumerate(mois.rows):
            raw = None if column in row.suppressed else row.values.get(column)
            if column in CUMULATED_MOIS:
                total = raw
            elif total is not None and raw is not None:
                total += raw
            else:
                total = None
            values.append(
                {"mois": row.label, "ordre": position, "serie": SERIES_MOIS[column], "v": total}
            )
    # The legend names only the series that show at least one point.
    shown = {point["serie"] for point in values if point["v"] is not None}
    series = [c for c in series if SERIES_MOIS[c] in shown]
    drawn = [SERIES_MOIS[c] for c in series]
    width, height = medium.curve_size
    spec: Spec = {
        "width": width,
        "height": height,
        "data": {"values": values},
        "mark": {"type": "line", "point": {"size": 18}, "strokeWidth": 2},
        "encoding": {
            "x": {
                "field": "mois",
                "type": "ordinal",
                "sort": {"field": "ordre"},
                "title": None,
                "axis": {"labelAngle": -45},
            },
            "y": {"field": "v", "type": "quantitative", "title": "Entrées cumulées"},
            "color": {
                "field": "serie",
                "type": "nominal",
                "title": None,
                "sort": drawn,
                "scale": {
                    "domain": drawn,
                    "range": [_CURVE_STYLE[c][0] for c in series],
                },
                "legend": {
                    "orient": "bottom",
                    "direction": "vertical",
                    "labelLimit": 0,
                    "symbolType": "stroke",
                    "symbolStrokeWidth": 2,
                },
            },
            # Same field and domain as the colour: one legend shows both.
            "strokeDash": {
                "field": "serie",
                "type": "nominal",
                "sort": drawn,
                "scale": {"domain": drawn, "range": [_CURVE_STYLE[c][1] for c in series]},
            },
        },
    }
    if title:
        spec["title"] = {"text": typographie(title), "anchor": "start"}
    return spec


_CURVE_STYLE = {
    "entrees": (BLEU_FRANCE, [1, 0]),
    "entrees_reference": ("#929292", [4, 3]),
    "rythme_objectif": (ROUGE_MARIANNE, [2, 2]),
}


def barres(breakdown: Breakdown, measure: str, title: str) -> Spec | None:
    """Horizontal bars of one measure, largest first (the first `BAR_ROWS` rows)."""
    shown = [r for r in breakdown.rows if isinstance(r.values.get(measure), int | float)]
    shown.sort(key=lambda r: (-float(r.values[measure] or 0), r.key))
    shown = shown[:BAR_ROWS]
    if not any(r.values[measure] for r in shown):
        return None
    wrapped = [_wrapped(r.label) for r in shown]
    values = [
        {"libelle": "\n".join(lines), "v": row.values[measure]}
        for lines, row in zip(wrapped, shown, strict=True)
    ]
    order = [v["libelle"] for v in values]
    bars: Spec = {"type": "bar", "color": BLEU_FRANCE, "height": {"band": 0.7}}
    lines = max(len(w) for w in wrapped)
    # Every label is shown whole, on as many lines as it needs: never cut (Vega's default limit
    # of 180 px would end it with "…"), and each bar gets the height of its tallest label.
    axis = {"labelExpr": "split(datum.label, '\\n')", "labelLimit": 0, "labelLineHeight": 12}
    return {
        "width": 300,
        "height": {"step": max(18, 12 * lines + 6)},
        "data": {"values": values},
        "encoding": {
            "y": {
                "field": "libelle",
                "type": "nominal",
                "sort": order,
                "title": None,
                "axis": axis,
            },
            "x": {"field": "v", "type": "quantitative", "title": title},
        },
        "layer": [
            {"mark": bars},
            {
                "mark": {"type": "text", "align": "left", "dx": 3, "fontSize": 9},
                "encoding": {"text": {"field": "v", "type": "quantitative", "format": ",d"}},
            },
        ],
    }


def _wrapped(label: str, width: int = LABEL_WIDTH) -> list[str]:
    """A bar's label in lines of at most `width` characters, cut between words only."""
    return textwrap.wrap(label, width, break_long_words=False) or [label]


def _ring_for_d3(ring: list[list[float]], exterior: bool) -> list[list[float]] | None:
    """A ring cut to 0.01° (about 1 km, under a pixel at report size), wound as d3 wants it.

    GeoJSON (RFC 7946) winds exteriors counter-clockwise; d3, behind Vega's geoshape, reads such
    a ring as "the whole globe but this area". Rings that the rounding flattens are dropped.
    """
    points: list[list[float]] = []
    for x, y in ring:
        point = [round(x, 2), round(y, 2)]
        if not points or point != points[-1]:
            points.append(point)
    if len(points) < 4:
        return None
    area = sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in itertools.pairwise(points))
    if area == 0:
        return None
    return points if (area < 0) == exterior else points[::-1]


def _geometry_for_d3(geometry: Mapping[str, Any]) -> dict[str, Any]:
    polygons = (
        [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    )
    shaped = []
    for polygon in polygons:
        rings = [_ring_for_d3(ring, position == 0) for position, ring in enumerate(polygon)]
        if rings[0] is not None:
            shaped.append([r for r in rings if r is not None])
    return {"type": "MultiPolygon", "coordinates": shaped}


def _features(level: GeoLevel, codes: set[str] | None) -> list[dict[str, Any]]:
    return [
        {"properties": f["properties"], "geometry": _geometry_for_d3(f["geometry"])}
        for f in geojson(level)["features"]
        if codes is None or f["properties"]["code"] in codes
    ]


def _overseas(feature: Mapping[str, Any], level: GeoLevel) -> bool:
    props = feature["properties"]
    region = props["code"] if level == "regions" else props["region"]
    return region in OVERSEAS_REGIONS


def _mercator_fit(features: list[dict[str, Any]], width: int, height: int) -> Spec:
    """An explicit Mercator projection framing `features`.

    Concatenated views with the same projection type would otherwise share one fitted projection,
    and each overseas panel must frame its own territory.
    """
    points = [
        point
        for f in features
        for polygon in f["geometry"]["coordinates"]
        for ring in polygon
        for point in ring
    ]
    lons = [p[0] for p in points]
    ys = [math.log(math.tan(math.pi / 4 + math.radians(p[1]) / 2)) for p in points]
    span_x = math.radians(max(lons) - min(lons)) or 1e-3
    span_y = (max(ys) - min(ys)) or 1e-3
    scale = 0.9 * min(width / span_x, height / span_y)
    centre_y = math.degrees(2 * math.atan(math.exp((max(ys) + min(ys)) / 2)) - math.pi / 2)
    return {
        "type": "mercator",
        "scale": round(scale, 2),
        "center": [round((max(lons) + min(lons)) / 2, 4), round(centre_y, 4)],
        "translate": [width / 2, height / 2],
    }


def _map_layer(
    features: list[dict[str, Any]],
    values: Mapping[str, float | int | None],
    title: str,
    scale: Scale,
    projection: str,
    width: int,
    height: int,
    panel_title: str | None = None,
) -> Spec:
    shaped = []
    for f in features:
        value = values.get(f["properties"]["code"])
        index = scale.classify(value)
        shaped.append(
            {
                "type": "Feature",
                "geometry": f["geometry"],
                "properties": {
                    "code": f["properties"]["code"],
                    "nom": f["properties"]["nom"],
                    "classe": None if index is None else scale.legend[index],
                },
            }
        )
    spec: Spec = {
        "width": width,
        "height": height,
        "data": {"values": shaped},
        "projection": (
            _mercator_fit(features, width, height)
            if projection == "mercator"
            else {"type": projection}
        ),
        "layer": [
            {
                "transform": [{"filter": "!isValid(datum.properties.classe)"}],
                "mark": {"type": "geoshape", "fill": NO_DATA, "stroke": "white"},
            },
            {
                "transform": [{"filter": "isValid(datum.properties.classe)"}],
                "mark": {"type": "geoshape", "stroke": "white", "strokeWidth": 0.7},
                "encoding": {
                    "color": {
                        "field": "properties.classe",
                        "type": "ordinal",
                        "title": title,
                        "scale": {"domain": list(scale.legend), "range": list(scale.colours)},
                        "legend": {"orient": "right", "symbolType": "square"},
                    }
                },
            },
        ],
    }
    if panel_title:
        spec["title"] = {"text": panel_title, "fontSize": 8}
    return spec


def carte(
    level: GeoLevel,
    values: Mapping[str, float | int | None],
    title: str,
    codes: set[str] | None = None,
    scale: Scale | None = None,
) -> Spec | None:
    """A choropleth of `values` by area code, over the areas `codes` (all when None).

    Mainland areas share one conic conformal map; overseas ones get a small panel each below it.
    Values fall in the classes of `scale` (the plan's declared scale of the indicator, the one
    the web map uses; without one, classes of about equal size over the values), coloured and
    named by it: a classed map reads better in print than a continuous ramp, and its legend is
    plain squares. Areas without a value (absent or hidden by secrecy) are drawn in light grey.
    """
    features = _features(level, codes)
    known = [v for v in values.values() if v is not None]
    if not features or not known:
        return None
    scale = scale or Scale.quantiles(known)
    mainland = [f for f in features if not _overseas(f, level)]
    overseas = [f for f in features if _overseas(f, level)]
    panels: list[Spec] = []
    if mainland:
        size = 420 if codes is None or len(mainland) > 15 else 320
        panels.append(_map_layer(mainland, values, title, scale, "conicConformal", size, size))
    small = 70 if mainland else 260
    insets = [
        _map_layer([f], values, title, scale, "mercator", small, small, f["properties"]["nom"])
        for f in overseas
    ]
    if insets:
        panels.append({"hconcat": insets, "spacing": 6})
    if len(panels) == 1 and "hconcat" not in panels[0]:
        return panels[0]
    return {"vconcat": panels, "spacing": 4, "resolve": {"scale": {"color": "shared"}}}
