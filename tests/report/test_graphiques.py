"""Charts and maps: Vega-Lite specs from view data, rendered to SVG offline and reproducibly."""

from __future__ import annotations

import itertools
import re

from jalon.indicators import Breakdown, Row
from jalon.reference import departements_of_region
from jalon.report import graphiques


def _mois() -> Breakdown:
    rows = [
        Row(
            f"2016-{m:02d}",
            f"m{m}",
            {"entrees": 10, "entrees_reference": 5, "rythme_objectif": 12 * m},
        )
        for m in range(1, 4)
    ]
    rows[1] = Row(
        "2016-02",
        "m2",
        {"entrees": None, "entrees_reference": 5, "rythme_objectif": 24},
        frozenset({"entrees"}),
    )
    return Breakdown(
        "mois",
        "Entrées par mois",
        "Mois",
        ("entrees", "entrees_reference", "rythme_objectif"),
        rows,
    )


def test_monthly_curve_cumulates_counts_and_breaks_on_hidden_months() -> None:
    spec = graphiques.courbe_mensuelle(_mois())
    assert spec is not None
    series: dict[str, list[float | None]] = {}
    for point in spec["data"]["values"]:
        series.setdefault(point["serie"], []).append(point["v"])
    assert series["Entrées de la référence (cumul)"] == [5, 10, 15]
    assert series["Entrées de la phase (cumul)"] == [10, None, None]
    assert series["Rythme de l’objectif (cumul)"] == [12, 24, 36]


def test_monthly_curve_never_draws_a_hidden_cell_and_names_only_drawn_series() -> None:
    rows = [
        Row(
            f"2016-{m:02d}",
            f"m{m}",
            {"entrees": 20, "rythme_objectif": 30.0 * m},
            frozenset({"entrees"}) if m in (1, 3) else frozenset(),
        )
        for m in range(1, 4)
    ]
    # The secret cells keep their value in the row: the curve must not read it.
    spec = graphiques.courbe_mensuelle(
        Breakdown("mois", "Entrées par mois", "mois", ("entrees", "rythme_objectif"), rows)
    )
    assert spec is not None
    phase = [p["v"] for p in spec["data"]["values"] if p["serie"].startswith("Entrées")]
    assert phase == [None, None, None]
    assert spec["encoding"]["color"]["scale"]["domain"] == ["Rythme de l’objectif (cumul)"]


def test_the_web_curve_is_the_pdf_curve_at_screen_size_with_a_legend() -> None:
    printed = graphiques.courbe_mensuelle(_mois())
    screen = graphiques.courbe_mensuelle(_mois(), graphiques.SCREEN, "Entrées cumulées")
    assert printed is not None and screen is not None
    assert screen["data"] == printed["data"] and screen["encoding"] == printed["encoding"]
    assert (screen["width"], screen["height"]) == graphiques.SCREEN.curve_size
    svg = graphiques.svg(screen, graphiques.SCREEN)
    legend = svg[svg.index("role-legend") :]
    for label in graphiques.SERIES_MOIS.values():
        assert f"{label}</text>" in legend
    assert "Marianne" in svg and "DejaVu" not in svg
    # Vega describes charts to screen readers in English: no such description is left.
    assert "aria-roledescription" not in svg and "aria-label" not in svg
    assert svg.startswith('<svg aria-hidden="true" ') and "role=" not in svg


def test_rings_are_wound_for_d3_and_outlines_filtered() -> None:
    features = graphiques._features("departements", {d.code for d in departements_of_region("76")})
    assert sorted(f["properties"]["code"] for f in features)[:3] == ["09", "11", "12"]
    assert len(features) == 13
    for feature in features:
        for polygon in feature["geometry"]["coordinates"]:
            ring = polygon[0]
            area = sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in itertools.pairwise(ring))
            assert area < 0  # clockwise exterior


def test_national_map_puts_overseas_in_their_own_panels() -> None:
    spec = graphiques.carte("regions", {"76": 10, "04": 3, "11": None}, "Entrées")
    assert spec is not None
    mainland, overseas = spec["vconcat"]
    assert len(overseas["hconcat"]) == 5
    assert {p["title"]["text"] for p in overseas["hconcat"]} >= {"La Réunion", "Mayotte"}
    assert all(p["projection"]["type"] == "mercator" for p in overseas["hconcat"])
    assert mainland["projection"] == {"type": "conicConformal"}


def test_svg_is_offline_deterministic_and_french() -> None:
    rows = [Row(str(i), f"Financeur {i}", {"entrees": 1000 * i}) for i in range(1, 5)]
    spec = graphiques.barres(
        Breakdown("financeur", "F", "Financeur", ("entrees",), rows), "entrees", "Entrées"
    )
    assert spec is not None
    first, second = graphiques.svg(spec), graphiques.svg(spec)
    assert first == second
    assert first.startswith("<svg")
    assert "4\u202f000" in first  # French thousands separator in the labels
    assert graphiques.data_uri(first).startswith("data:image/svg+xml;base64,")
    assert not re.search(r"aria-(label|roledescription)=", first)  # Vega's are English


def test_nothing_to_draw_gives_no_chart() -> None:
    empty = Breakdown("public", "P", "Public", ("entrees",), [Row("a", "A", {"entrees": 0})])
    assert graphiques.barres(empty, "entrees", "Entrées") is None
    assert graphiques.carte("regions", {"76": None}, "Entrées") is None


def test_bar_labels_are_wrapped_whole_never_cut() -> None:
    long = "Peu ou pas qualifiés (niveau V ou infra)"
    longest = "Demandeurs d'emploi de longue durée inscrits depuis plus d'un an ou davantage"
    rows = [
        Row("a", long, {"entrees": 30}),
        Row("b", longest, {"entrees": 20}),
        Row("c", "Jeunes", {"entrees": 10}),
    ]
    spec = graphiques.barres(
        Breakdown("public", "P", "Public", ("entrees",), rows), "entrees", "Entrées"
    )
    assert spec is not None
    svg = graphiques.svg(spec)
    assert "…" not in svg
    assert f">{long}</text>" in svg and ">Jeunes</text>" in svg  # short enough: one line
    lines = re.findall(r"<tspan[^>]*>([^<]*)</tspan>", svg)
    # The longest is drawn on lines of at most 46 characters that give it back whole…
    assert len(lines) == 2 and max(len(line) for line in lines) <= 46
    assert " ".join(lines) == longest
    # … and every bar gets the height of a two-line label, more than the 18 px of one line.
    assert spec["height"] == {"step": 12 * 2 + 6}
