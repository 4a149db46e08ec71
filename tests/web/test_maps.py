"""The SVG maps drawn from the packaged outlines."""

from __future__ import annotations

import re

from jalon.plan import Scale
from jalon.plan.scales import NO_DATA, PALETTE
from jalon.reference import departements_of_region, regions
from jalon.web import maps

RATES = Scale(bounds=[0.5, 0.75, 0.9, 1.0], legend=["a", "b", "c", "d", "e"])


def test_national_map_has_every_region_with_its_colour_title_and_link() -> None:
    values = {r.code: 0.95 for r in regions()}
    values["76"] = 1.2
    values["53"] = None
    svg = maps.choropleth(
        "regions",
        values,
        {"76": "120 %"},
        RATES,
        title="Taux",
        links={"76": "/regions/76"},
    )
    codes = re.findall(r'data-code="([^"]+)"', svg)
    assert sorted(codes) == sorted(r.code for r in regions())
    occitanie = re.search(r'<a href="/regions/76"[^>]*><path d="[^"]+" fill="([^"]+)"', svg)
    assert occitanie and occitanie.group(1) == PALETTE[-1]
    bretagne = re.search(r'<path d="[^"]+" fill="([^"]+)"[^>]*data-code="53"', svg)
    assert bretagne and bretagne.group(1) == NO_DATA
    assert "<title>Occitanie : 120 %</title>" in svg


def test_shapes_stay_inside_the_view_box() -> None:
    svg = maps.choropleth("regions", {}, {}, RATES, title="t", width=500, height=400)
    numbers = [float(n) for n in re.findall(r"[ML]?(-?\d+\.\d),", svg)]
    assert numbers and min(numbers) >= 0 and max(numbers) <= 500


def test_departement_map_of_one_region() -> None:
    occitanie = [d.code for d in departements_of_region("76")]
    scale = Scale(bounds=[10.0, 20.0], legend=["a", "b", "c"])
    svg = maps.choropleth("departements", {"31": 40.0}, {}, scale, title="t", only=occitanie)
    assert sorted(re.findall(r'data-code="([^"]+)"', svg)) == sorted(occitanie)
