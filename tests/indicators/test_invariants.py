"""Invariants of the bilan on random canonical entries (Hypothesis): entries ≥ persons, every
breakdown that partitions the entries adds up to the total (before secrecy), additional =
entries − reference, the nation is the sum of its regions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jalon.indicators import compute_all_bilans
from jalon.indicators.registry import BREAKDOWN_SPECS
from jalon.store import open_store

DEPARTEMENTS = {"31": "76", "34": "76", "35": "53", "75": "11", None: None}
START = dt.date(2015, 1, 1)

entry = st.fixed_dictionaries(
    {
        "person": st.integers(0, 15),
        "session": st.integers(0, 40),
        "day": st.integers(0, 730),
        "length": st.one_of(st.none(), st.integers(0, 400)),
        "financeurs": st.lists(st.sampled_from([2, 4, 5, 7]), min_size=1, max_size=3, unique=True),
        "formacode": st.sampled_from(["22854", "31812", "15041", None]),
        "certifiante": st.booleans(),
        "siret": st.sampled_from(["31234567800014", "34123456700012", None]),
        "departement": st.sampled_from(list(DEPARTEMENTS)),
        "duree": st.one_of(st.none(), st.integers(10, 1200)),
    }
)


@pytest.fixture(scope="module")
def random_store(tmp_path_factory) -> Iterator[duckdb.DuckDBPyConnection]:
    con = open_store(tmp_path_factory.mktemp("invariants") / "jalon.duckdb")
    yield con
    con.close()


def _unique(entries: list[dict]) -> list[dict]:
    """The canonical table has one row per person and session: keep the first."""
    first: dict[tuple[int, int], dict] = {}
    for e in entries:
        first.setdefault((e["person"], e["session"]), e)
    return list(first.values())


def _load(con: duckdb.DuckDBPyConnection, entries: list[dict]) -> None:
    con.execute("DELETE FROM entrees")
    rows = []
    for e in entries:
        start = START + dt.timedelta(days=e["day"])
        end = None if e["length"] is None else start + dt.timedelta(days=e["length"])
        rows.append(
            (
                f"p{e['person']:03d}",
                f"IC:S{e['session']}",
                start,
                end,
                e["financeurs"],
                e["financeurs"][0],
                e["formacode"],
                e["certifiante"],
                e["siret"],
                e["departement"],
                DEPARTEMENTS[e["departement"]],
                e["duree"],
                [1],
                False,
            )
        )
    if rows:
        con.executemany(
            "INSERT INTO entrees VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows
        )


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(st.lists(entry, max_size=60))
def test_bilan_invariants(random_store, plan, entries) -> None:
    entries = _unique(entries)
    _load(random_store, entries)
    bilans = compute_all_bilans(random_store, plan, "2016")
    for bilan in bilans.values():
        total = bilan.value("entrees")
        assert total >= bilan.value("personnes")
        reference = bilan.value("entrees_reference")
        assert bilan.value("entrees_supplementaires") == total - reference
        for breakdown in bilan.breakdowns:
            if "entrees" not in breakdown.columns:
                continue
            if BREAKDOWN_SPECS[breakdown.code].additive:
                assert breakdown.total("entrees") == total, breakdown.code
            else:
                assert all((r.values["entrees"] or 0) <= total for r in breakdown.rows)
        months = bilan.breakdown("mois")
        assert months.total("entrees_reference") == reference
        assert bilan.breakdown("financeur").total("entrees") >= total
        if bilan.arret is not None and bilan.arret.date < dt.date(2016, 1, 1):
            assert months.rows == []  # files ending before the phase: no month observed
        else:
            assert bilan.value("stock_fin") == months.rows[-1].values["stock"]
    national = bilans[None]
    regional = [b for code, b in bilans.items() if code is not None]
    unknown = sum(
        1
        for e in entries
        if e["departement"] is None
        and START + dt.timedelta(days=e["day"]) >= dt.date(2016, 1, 1)
        and set(e["financeurs"]) - {5}
    )
    assert national.value("entrees") == sum(b.value("entrees") for b in regional) + unknown
    assert national.value("personnes") <= sum(b.value("personnes") for b in regional) + unknown
