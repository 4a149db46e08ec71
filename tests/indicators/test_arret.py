"""A phase cut at its date d'arrêt des données: like-for-like sums, absent months, the stock at
the cut-off, the year-on-year change and the forecast's refusal, on a store written by hand.

The store: Occitanie (31, Pôle emploi), one entry per person, all on the 10th of their month
unless said. Phase 2017S1 (January–June 2017) is compared with January–June 2015; the year
before is 2016. Entries of 2015 and 2016 end twenty days after they start; those of 2017 have
no end (so the stock at a date is the 2017 entries so far).

| month    | 2015 (reference) | 2016 (year before) | 2017 (phase) |
|----------|------------------|--------------------|--------------|
| January  | 2                | 1                  | 3            |
| February | 3                | 2                  | 5            |
| March    | 4 (2 on the 20th)| 2                  | 6            |
| April    | 5                | 1                  | 2            |
| May      | 6                | 1                  | 1            |
| June     | 7                | 1                  | 4            |
"""

from __future__ import annotations

import datetime as dt
from itertools import count

import duckdb
import pytest

from jalon.indicators import compute_all_bilans, compute_bilan
from jalon.indicators.arret import ArretError, parse_au
from jalon.indicators.prevision import PrevisionError, compute_prevision
from jalon.indicators.projection import forecast

REFERENCE = {1: 2, 2: 3, 3: 4, 4: 5, 5: 6, 6: 7}
YEAR_BEFORE = {1: 1, 2: 2, 3: 2, 4: 1, 5: 1, 6: 1}
PHASE = {1: 3, 2: 5, 3: 6, 4: 2, 5: 1, 6: 4}


def _rows() -> list[tuple[object, ...]]:
    ids = count()
    rows = []

    def add(day: dt.date, ends: bool) -> None:
        n = next(ids)
        end = day + dt.timedelta(days=20) if ends else None
        person, session = f"p{n:03d}", f"IC:S{n}"
        rows.append((person, session, day, end, [4], 4, "22854", False, None, "31", "76", 100))

    for month, n in REFERENCE.items():
        for i in range(n):
            late = month == 3 and i >= 2
            add(dt.date(2015, month, 20 if late else 10), ends=True)
    for month, n in YEAR_BEFORE.items():
        for _ in range(n):
            add(dt.date(2016, month, 10), ends=True)
    for month, n in PHASE.items():
        for _ in range(n):
            add(dt.date(2017, month, 10), ends=False)
    return rows


@pytest.fixture
def cut_store(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    con.executemany(
        "INSERT INTO entrees VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, [1], false)", _rows()
    )
    return con


# (cut-off, months observed, entries so far, same months of 2015, additional): summed by hand.
LIKE_FOR_LIKE = [
    (dt.date(2017, 1, 31), 1, 3, 2, 1),
    (dt.date(2017, 2, 28), 2, 8, 5, 3),
    (dt.date(2017, 3, 31), 3, 14, 9, 5),
    (dt.date(2017, 4, 30), 4, 16, 14, 2),
    (dt.date(2017, 5, 31), 5, 17, 20, -3),
]


@pytest.mark.parametrize(("au", "months", "entries", "reference", "additional"), LIKE_FOR_LIKE)
def test_phase_cut_at_each_month_compares_the_same_months(
    cut_store, plan, au, months, entries, reference, additional
) -> None:
    bilan = compute_bilan(cut_store, plan, "2017S1", "76", au)
    assert bilan.en_cours
    assert bilan.value("entrees") == entries
    assert bilan.value("entrees_reference") == reference
    assert bilan.value("entrees_supplementaires") == additional
    table = bilan.breakdown("mois")
    assert len(table.rows) == months  # the months after the cut-off are absent, not zero
    assert [r.values["entrees"] for r in table.rows] == [PHASE[m] for m in range(1, months + 1)]
    assert [r.values["entrees_reference"] for r in table.rows] == [
        REFERENCE[m] for m in range(1, months + 1)
    ]
    assert bilan.value("stock_fin") == entries  # dated at the cut-off, not at 30 June
    assert bilan.as_dict()["etat_phase"] == f"phase en cours : {months} mois sur 6"
    assert bilan.value("entrees_supplementaires_base_declaree") is None
    # The whole reference semester (27 entries) only through the projection, labelled so.
    projected = bilan.value("entrees_projetees")
    assert projected is not None and projected >= entries
    assert bilan.value("entrees_supplementaires_projetees") == projected - 27
    assert "projection" in (next(f.note for f in bilan.figures if f.code == "entrees_projetees"))


def test_finished_phase_compares_whole_windows(cut_store, plan) -> None:
    bilan = compute_bilan(cut_store, plan, "2017S1", "76")
    assert not bilan.en_cours
    assert bilan.as_dict()["date_arret"] == "2017-06-30"
    assert bilan.as_dict()["etat_phase"] == "phase terminée"
    assert bilan.value("entrees") == 21
    assert bilan.value("entrees_reference") == 27
    assert bilan.value("entrees_supplementaires") == -6
    assert bilan.value("entrees_projetees") is None
    assert len(bilan.breakdown("mois").rows) == 6


def test_data_cut_off_comes_from_the_files_not_the_request(cut_store, plan) -> None:
    cut_store.execute("DELETE FROM entrees WHERE date_entree > DATE '2017-03-31'")
    bilan = compute_bilan(cut_store, plan, "2017S1", "76")
    assert bilan.as_dict()["date_arret"] == "2017-03-31"
    assert bilan.as_dict()["mois_observes"] == 3
    assert bilan.value("entrees_supplementaires") == 5
    # A later date than the data's cannot be observed: the data's date stays.
    later = compute_bilan(cut_store, plan, "2017S1", "76", dt.date(2017, 6, 30))
    assert later.as_dict()["date_arret"] == "2017-03-31"
    assert later.value("entrees_supplementaires") == 5
    national = compute_all_bilans(cut_store, plan, "2017S1")[None]
    assert national.as_dict()["etat_phase"] == "phase en cours : 3 mois sur 6"


def test_partial_month_cuts_the_reference_at_the_same_day(cut_store, plan) -> None:
    bilan = compute_bilan(cut_store, plan, "2017S1", "76", dt.date(2017, 3, 15))
    # 2017: 3 + 5 + 6 (all on the 10th); 2015: 2 + 3 + the 2 March entries of the 10th.
    assert bilan.value("entrees") == 14
    assert bilan.value("entrees_reference") == 7
    assert bilan.as_dict()["mois_observes"] == 2
    assert len(bilan.breakdown("mois").rows) == 3


def test_year_on_year_change_beside_each_month(cut_store, plan) -> None:
    bilan = compute_bilan(cut_store, plan, "2017S1", "76", dt.date(2017, 3, 31))
    rows = bilan.breakdown("mois").rows
    # 3/1 − 1, 5/2 − 1, 6/2 − 1
    assert [r.values["glissement_entrees"] for r in rows] == pytest.approx([2.0, 1.5, 2.0])
    # stock a year earlier: the 2016 entries still running at the month's end. Those of 10
    # January and 10 March end on the 30th, those of 10 February on 1 March: 0, 2, 0; no change
    # is given on an empty stock; 8/2 − 1 = 3.
    assert [r.values["glissement_stock"] for r in rows] == [None, 3.0, None]
    assert [r.values["stock"] for r in rows] == [3, 8, 14]


def test_forecast_refuses_a_phase_with_no_observed_month(cut_store, plan) -> None:
    with pytest.raises(PrevisionError, match="aucun de ses mois n'est observé au 15 janvier 2017"):
        compute_prevision(cut_store, plan, "2017S1", "76", dt.date(2017, 1, 15))
    prevision = compute_prevision(cut_store, plan, "2017S1", "76", dt.date(2017, 3, 31))
    assert prevision.forecast.months_observed == 3
    assert prevision.forecast.observed == 14
    assert prevision.as_dict()["etat_phase"] == "phase en cours : 3 mois sur 6"


def test_forecast_interval_widens_with_fewer_months() -> None:
    reference = [10, 20, 30, 40, 50, 60]
    observed = [2 * v for v in reference]
    widths = [
        (f.high - f.low) for f in (forecast(observed[:k], reference, None) for k in range(1, 6))
    ]
    assert widths == sorted(widths, reverse=True)
    assert len(set(widths)) == len(widths)


def test_au_is_read_in_french() -> None:
    assert parse_au("2017-03-31") == dt.date(2017, 3, 31)
    assert parse_au(None) is None
    with pytest.raises(ArretError, match="attendu une date AAAA-MM-JJ"):
        parse_au("31/03/2017")
    # A date whose reference window would fall before year 1 is refused, not a traceback.
    with pytest.raises(ArretError, match="à partir du 1er janvier 1900"):
        parse_au("0001-01-01")
    assert parse_au("1900-01-01") == dt.date(1900, 1, 1)
