"""Choropleth maps as inline SVG, drawn from the packaged outlines (`jalon.reference.geojson`).

Pure functions of their arguments (no database, no network); the web app caches their output per
data version. Metropolitan France is drawn in one frame with an equirectangular projection
corrected by the cosine of its mean latitude; overseas regions, at their true positions in the
outlines, are drawn in small insets beside it. Every shape carries a `<title>` (name and value)
and, when given, a link, so the map is readable by screen readers and by keyboard. Colours come
from a `jalon.plan.Scale` (the plan's declared scale of the indicator, or classes of the values),
the one the PDF map uses too.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import cache
from html import escape
from typing import Any

from jalon.plan import Scale
from jalon.reference import GeoLevel, geojson

Ring = Sequence[Sequence[float]]
Polygon = Sequence[Ring]

_INSET = 70.0
_MIN_STEP = 1.2


@cache
def _features(level: GeoLevel) -> tuple[dict[str, Any], ...]:
    return tuple(geojson(level)["features"])


def _polygons(feature: dict[str, Any]) -> list[Polygon]:
    geometry = feature["geometry"]
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    return list(geometry["coordinates"])


def _bbox(polygons: Iterable[Polygon]) -> tuple[float, float, float, float]:
    xs: list[float] = []
    ys: list[float] = []
    for polygon in polygons:
        for ring in polygon:
            xs.extend(p[0] for p in ring)
            ys.extend(p[1] for p in ring)
    return min(xs), min(ys), max(xs), max(ys)


Projector = Callable[[float, float], tuple[float, float]]


def _projector(
    bbox: tuple[float, float, float, float], x0: float, y0: float, width: float, height: float
) -> Projector:
    lon0, lat0, lon1, lat1 = bbox
    squeeze = math.cos(math.radians((lat0 + lat1) / 2))
    span_x = max((lon1 - lon0) * squeeze, 1e-9)
    span_y = max(lat1 - lat0, 1e-9)
    scale = min(width / span_x, height / span_y)
    off_x = x0 + (width - span_x * scale) / 2
    off_y = y0 + (height - span_y * scale) / 2

    def project(lon: float, lat: float) -> tuple[float, float]:
        return off_x + (lon - lon0) * squeeze * scale, off_y + (lat1 - lat) * scale

    return project


def _path(polygons: Iterable[Polygon], project: Projector) -> str:
    """SVG path data; points closer than `_MIN_STEP` pixels to the last kept one are dropped
    (invisible at the drawn size, and they made a region page several times heavier)."""
    parts = []
    for polygon in polygons:
        for ring in polygon:
            kept: list[tuple[float, float]] = []
            for lon, lat in ring:
                x, y = project(lon, lat)
                if not kept or abs(x - kept[-1][0]) + abs(y - kept[-1][1]) >= _MIN_STEP:
                    kept.append((x, y))
            if len(kept) >= 3:
                parts.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in kept) + "Z")
    return "".join(parts)


def _shape(
    code: str,
    name: str,
    d: str,
    value: float | None,
    text: str,
    scale: Scale,
    link: str | None,
) -> str:
    title = f"<title>{escape(name)} : {escape(text)}</title>"
    shape = (
        f'<path d="{d}" fill="{scale.colour(value)}" stroke="#ffffff" stroke-width="0.8" '
        f'data-code="{escape(code)}">{title}</path>'
    )
    if link is None:
        return shape
    return f'<a href="{escape(link)}" aria-label="{escape(name)} : {escape(text)}">{shape}</a>'


def choropleth(
    level: GeoLevel,
    values: Mapping[str, float | None],
    texts: Mapping[str, str],
    scale: Scale,
    *,
    title: str,
    only: Iterable[str] | None = None,
    links: Mapping[str, str] | None = None,
    width: float = 560.0,
    height: float = 520.0,
) -> str:
    """An SVG map of `level` (regions or départements) coloured by `values` (code → value).

    `texts` gives the formatted value shown in each shape's title; `only` restricts the map to
    some codes (the départements of one region); `links` maps codes to page addresses.
    """
    wanted = set(only) if only is not None else None
    features = [f for f in _features(level) if wanted is None or f["properties"]["code"] in wanted]
    overseas = [f for f in features if _is_overseas(f, level)] if wanted is None else []
    main = [f for f in features if f not in overseas]
    inset_width = _INSET + 10 if overseas else 0.0
    body: list[str] = []
    if main:
        project = _projector(
            _bbox(p for f in main for p in _polygons(f)),
            inset_width + 5,
            5,
            width - inset_width - 10,
            height - 10,
        )
        body += [_feature_svg(f, project, values, texts, scale, links) for f in main]
    for index, feature in enumerate(overseas):
        y0 = 5 + index * (_INSET + 14)
        project = _projector(_bbox(_polygons(feature)), 5, y0, _INSET, _INSET)
        body.append(
            f'<rect x="3" y="{y0 - 2}" width="{_INSET + 4}" height="{_INSET + 4}" '
            'fill="none" stroke="#cecece"/>'
        )
        body.append(_feature_svg(feature, project, values, texts, scale, links))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'role="img" aria-labelledby="carte-titre" class="jalon-carte">'
        f'<title id="carte-titre">{escape(title)}</title>{"".join(body)}</svg>'
    )


def _is_overseas(feature: dict[str, Any], level: GeoLevel) -> bool:
    code = str(feature["properties"]["code"])
    return code.startswith("97") if level == "departements" else code.startswith("0")


def _feature_svg(
    feature: dict[str, Any],
    project: Projector,
    values: Mapping[str, float | None],
    texts: Mapping[str, str],
    scale: Scale,
    links: Mapping[str, str] | None,
) -> str:
    code = str(feature["properties"]["code"])
    name = str(feature["properties"]["nom"])
    return _shape(
        code,
        name,
        _path(_polygons(feature), project),
        values.get(code),
        texts.get(code, "pas de données"),
        scale,
        (links or {}).get(code),
    )
