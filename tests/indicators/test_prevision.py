"""Forecast of a phase read from a store: the projection, the refusal of a phase with no month
observed, the interval calibrated on the plan's finished phases, and the backtest. The stores
are written by hand: the hand-made store of tests/data/indicateurs, and below a store of ten
regions whose monthly entries are chosen so that every error can be computed by hand."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import duckdb
import pytest
from typer.testing import CliRunner

from jalon.cli import app
from jalon.indicators import compute_prevision
from jalon.indicators.prevision import PrevisionError, interval_label, phase_series
from jalon.indicators.prevision_backtest import END, START, backtest, backtest_markdown
from jalon.indicators.projection import forecast
from jalon.report.document import build_document
from jalon.store import open_store

# Ten metropolitan regions, numbered 1 to 10 below.
REGIONS = ("11", "24", "27", "28", "32", "44", "52", "53", "75", "76")


def test_prevision_on_the_hand_made_store(store, plan) -> None:
    cut = compute_prevision(store, plan, "2016", "76", dt.date(2016, 6, 30))
    f = cut.forecast
    assert (f.months_observed, f.observed, f.target) == (6, 2, 90_000)
    # last two months (May, June) have no reference entries: the ratio uses all six months,
    # 2 observed for 1 in the reference (March): 2 + 2 × 2 reference entries still to come
    assert f.projection == pytest.approx(6)
    assert f.pace_needed == pytest.approx((90_000 - 2) / 6)
    assert "du seul modèle" in cut.method  # no phase of the plan is over in June 2016
    default = compute_prevision(store, plan, "2016", "76")
    assert default.as_of == dt.date(2016, 12, 31)  # latest entry: 19 December
    assert default.forecast.months_observed == 12
    assert "phase terminée : son total est définitif, sans intervalle" in default.method
    assert default.as_dict()["date_arret"] == "2016-12-31"


def test_a_phase_with_no_month_observed_is_refused(store, plan) -> None:
    with pytest.raises(PrevisionError, match="aucun de ses mois n'est observé au 15 janvier"):
        compute_prevision(store, plan, "2016", "76", dt.date(2016, 1, 15))
    with pytest.raises(PrevisionError, match="31 janvier 2017 ou après"):
        compute_prevision(store, plan, "2017S1", "76")  # the data stop in December 2016


def _insert(con: duckdb.DuckDBPyConnection, counts: list[tuple[str, int, int, int]]) -> None:
    """`counts`: (region, year, month, entries) — the entries start on the 10th of the month,
    funded by the Region (financeur 4, counted by the plan)."""
    con.execute("CREATE TEMP TABLE mois (region VARCHAR, y INT, m INT, n INT)")
    con.executemany("INSERT INTO mois VALUES (?, ?, ?, ?)", counts)
    con.execute(
        """
        INSERT INTO entrees
        SELECT 'p' || region || y || m || i, 'IC:' || region || y || m || i, make_date(y, m, 10),
               NULL, [4], 4, '22854', false, NULL, NULL, region, 400, [1], false
        FROM mois, range(n) t(i)
        """
    )
    con.execute("DROP TABLE mois")


@pytest.fixture(scope="module")
def ten_regions(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    """2015: ten entries a month in each region. 2016: region r (1 to 10) has ten a month from
    January to March, then 10 + r a month: cut after March, the projection (ratio 1, 120) misses
    9 × r entries of the 90 it projected still to come, an error of r / 10. 2017: region 10
    (Normandie) has fifteen a month from January to March."""
    con = open_store(tmp_path_factory.mktemp("prevision") / "jalon.duckdb")
    counts = []
    for r, region in enumerate(REGIONS, start=1):
        counts += [(region, 2015, m, 10) for m in range(1, 13)]
        counts += [(region, 2016, m, 10 if m <= 3 else 10 + r) for m in range(1, 13)]
    counts += [("76", 2017, m, 15) for m in range(1, 4)]
    _insert(con, counts)
    yield con
    con.close()


def test_the_interval_is_calibrated_on_the_finished_phase(ten_regions, plan) -> None:
    result = compute_prevision(ten_regions, plan, "2017S1", "76", dt.date(2017, 3, 31))
    f = result.forecast
    # 45 observed, ratio 1.5 to the reference's 10 a month: 45 still to come, 90 projected.
    assert (f.months_observed, f.observed, f.projection) == (3, 45, pytest.approx(90))
    # 2016 cut after March: errors 0.1 … 1.0 of what was still to come; ten errors, the
    # interval runs from the first to the tenth: 90 + 0.1 × 45 (below 90: 90) to 90 + 1.0 × 45.
    # The model's own band (the same months, no errors) is lower: the interval published is
    # the envelope of both, from the model's low bound to the errors' high one.
    series = phase_series(ten_regions, plan, "2017S1")["76"]
    model = forecast(series.entries[:3], series.reference, f.target)
    assert model.low < 90 and model.high < 135
    assert (f.low, f.high) == (pytest.approx(model.low), pytest.approx(135))
    # a target of tens of thousands, 90 projected, 45 up to the high bound: out of reach
    assert f.target is not None and f.target > 1000
    assert f.probability is not None and f.probability < 1e-9
    assert "sur 10 cas (régions des phases terminées : Année 2016)" in result.method
    early = compute_prevision(ten_regions, plan, "2016", "76", dt.date(2016, 3, 31))
    assert "du seul modèle" in early.method  # in March 2016, no phase was over
    assert early.forecast.probability is None  # nothing measured tells it right
    assert early.forecast.low < early.forecast.projection < early.forecast.high
    # Only measured errors make an 80 % interval; the model's band is not called one.
    assert (f.interval, interval_label(f)) == ("calibre", "intervalle à 80\u00a0%")
    assert interval_label(early.forecast) == "fourchette du modèle, non calibrée"
    late = build_document(ten_regions, plan, "2017S1", "76", interne=True, au=dt.date(2017, 3, 31))
    shown = {v.code: v for s in late.sections if s.code == "prevision" for v in s.valeurs}
    assert "(intervalle à 80\u00a0%)" in (shown["prevision_projection"].note or "")


def test_backtest_by_hand(ten_regions, plan) -> None:
    rows = backtest(ten_regions, plan)
    assert [(r.phase, r.months) for r in rows] == [("2016", k) for k in range(1, 12)]
    march = rows[2]
    assert march.regions == 10
    # region r: 120 projected, 120 + 9r counted
    assert march.error == pytest.approx(sum(9 * r / (120 + 9 * r) for r in range(1, 11)) / 10)
    # the other nine regions' errors bound region r's, but the largest's (region 10); the
    # smallest's (region 1, 0.1) is under the others' but the interval holds the projection
    # ... and the envelope with the model's band holds at least as much
    assert march.others.coverage >= 0.9
    assert march.others.calibrated == 10
    # each region: the target is out of reach of the envelope, and not reached
    assert march.others.brier is not None and march.others.brier < 1e-9
    # every error is above zero: the errors' interval starts at the projection, 120, and runs
    # up to the largest of the other errors × 90 (0.9 for region 10, 1.0 for the others), as a
    # share of the region's own final entries; the envelope is at least that wide
    widths = [*(90 / (120 + 9 * r) for r in range(1, 10)), 0.9 * 90 / 210]
    assert march.others.width >= sum(widths) / 10 - 1e-12
    assert march.real_time.calibrated == 0  # in March 2016 no phase was over: the model alone
    assert march.real_time.brier is None  # whose probability is withheld
    assert march.model.brier is not None and march.model.width == march.real_time.width
    text = backtest_markdown(ten_regions, plan)
    assert text.startswith(START) and text.rstrip().endswith(END)
    assert "# Prévision : erreur mesurée (backtest)" in text
    march_line = next(line for line in text.splitlines() if line.startswith("| 3 | "))
    assert march_line.split(" | ")[2] == "90\u202f%"  # after the months and the error


def test_a_withheld_probability_is_said_not_estimated(ten_regions, plan, store_path) -> None:
    """The CLI and the PDF say « non estimée », not « donnée non disponible » nor a number."""
    arguments = ["prevision", "--region", "76", "--phase", "2016", "--au", "2016-06-30"]
    result = CliRunner().invoke(app, [*arguments, "--db", str(store_path)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "non estimée (voir la méthode)" in result.output
    doc = build_document(ten_regions, plan, "2016", "76", interne=True, au=dt.date(2016, 3, 31))
    values = {v.code: v for s in doc.sections if s.code == "prevision" for v in s.valeurs}
    assert values["prevision_probabilite"].affiche == "non estimée"
    assert "faute de phase terminée" in (values["prevision_probabilite"].note or "")
    assert "(fourchette du modèle, non calibrée)" in (values["prevision_projection"].note or "")


def test_the_report_gives_each_phase_in_progress_its_own_method(ten_regions, plan) -> None:
    """In March 2016 the 2016 phase is in progress, uncalibrated; at the end of 2016 it is
    finished and has no method to give (its total is final)."""
    early = build_document(ten_regions, plan, "2016", "76", interne=True, au=dt.date(2016, 3, 31))
    intro = next(s.intro for s in early.sections if s.code == "prevision")
    label = plan.phase("2016").label
    assert intro.count("Méthode, ") == 1 and f"Méthode, {label} : " in intro
    assert "du seul modèle" in intro
    done = build_document(ten_regions, plan, "2016", "76", interne=True, au=dt.date(2016, 12, 31))
    intro = next(s.intro for s in done.sections if s.code == "prevision")
    assert f"Méthode, {label}" not in intro and "total définitif" in intro
