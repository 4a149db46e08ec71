"""The colour scale of an indicator, declared once in the plan file, and the two maps using it:
the web map (`jalon.web.maps`) and the PDF map (`jalon.report.graphiques`) must give the same
class, hence the same colour, to the same value, and show the same legend."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from jalon.plan import Scale, load_plan
from jalon.plan.scales import NO_DATA, PALETTE
from jalon.report import graphiques
from jalon.web import maps


def test_declared_rate_scale_classes_and_legend() -> None:
    scale = load_plan().scales["taux_realisation"]
    assert scale.bounds == [0.75, 0.9, 1.0, 1.2]
    # a bound belongs to the class above it
    classes = [scale.classify(v) for v in (0.0, 0.7499, 0.75, 0.95, 1.0, 1.1999, 1.2, 1.62)]
    assert classes == [0, 0, 1, 2, 3, 3, 4, 4]
    assert scale.classify(None) is None and scale.colour(None) == NO_DATA
    assert scale.legend[4] == "120\u202f% ou plus"
    assert scale.colours == PALETTE


def test_quantile_scale_of_counts() -> None:
    scale = Scale.quantiles([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, None])
    assert scale.bounds == [3, 5, 7, 9]
    assert scale.legend[0] == "moins de 3" and scale.legend[-1] == "9 ou plus"
    assert Scale.quantiles([None]).bounds == []


def test_inconsistent_scale_is_refused() -> None:
    with pytest.raises(ValueError, match="croissantes"):
        Scale(bounds=[1.0, 0.5], legend=["a", "b", "c"])
    with pytest.raises(ValueError, match="la légende en nomme 2"):
        Scale(bounds=[1.0, 2.0], legend=["a", "b"])


def _web_fill(svg: str, code: str) -> str:
    found = re.search(rf'<path d="[^"]+" fill="([^"]+)"[^>]*data-code="{code}"', svg)
    assert found
    return found.group(1)


def _pdf_fill(svg: str) -> str:
    """The class colour of the one region with a value: the legend draws each class colour
    once, the region's shape a second time."""
    counts = Counter(re.findall(r'fill="(#[0-9a-fA-F]{6})"', svg))
    twice = [colour for colour in PALETTE if counts[colour] == 2]
    assert len(twice) == 1, counts
    return twice[0]


@pytest.mark.parametrize("value", [0.5, 0.75, 0.8999, 0.9, 1.0, 1.1999, 1.2, 1.62])
def test_web_and_pdf_maps_give_the_same_class_to_the_same_value(value: float) -> None:
    scale = load_plan().scales["taux_realisation"]
    values = {"76": value}
    web = maps.choropleth("regions", values, {}, scale, title="Taux")
    pdf = graphiques.svg(graphiques.carte("regions", values, "Taux", scale=scale) or {})
    assert _web_fill(web, "76") == _pdf_fill(pdf) == scale.colour(value)
    assert _web_fill(web, "53") == NO_DATA
    legend = re.findall(r"<text[^>]*>([^<]*\u202f%[^<]*)</text>", pdf)
    assert legend == scale.legend
