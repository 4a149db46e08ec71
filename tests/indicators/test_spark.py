"""Portability: the same Ibis definitions run on Apache Spark (local mode) give the same bilans as
on DuckDB, for the nation and every region of the hand-made store (all figures and tables).

About 10 s on an idle 2-core machine, most of it Spark's small jobs."""

from __future__ import annotations

import ibis
import pytest

from jalon.indicators.bilan import bilans_on, compute_all_bilans
from jalon.indicators.definitions import TABLES

pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore::FutureWarning", "ignore::DeprecationWarning"),
]


@pytest.fixture(scope="module")
def spark(store_path, spark_session):
    # A session of its own on the run's Spark (tests/conftest.py): its views, named as the
    # store's tables, are not the ones `jalon --moteur spark` registers on the running session.
    session = spark_session.newSession()
    local = ibis.duckdb.connect(str(store_path), read_only=True)
    for name in TABLES:
        table = local.table(name)
        # Spark has no unsigned integers: the financeur codes travel as small integers
        casts = {
            c: table[c].cast("array<int16>" if c == "financeurs" else "int16")
            for c in ("financeurs", "financeur", "financeur_principal")
            if c in table.columns
        }
        frame = session.createDataFrame(local.to_pyarrow(table.mutate(**casts)))
        frame.createOrReplaceTempView(name)
    local.disconnect()
    yield ibis.pyspark.connect(session)
    for name in TABLES:
        session.catalog.dropTempView(name)


def test_spark_gives_the_same_bilans_as_duckdb(spark, store, plan) -> None:
    """One pass of the national queries on Spark: the nation and every region sliced from it."""
    expected = compute_all_bilans(store, plan, "2016")
    on_spark = bilans_on(spark, plan, "2016", None)
    assert list(on_spark) == list(expected)
    for region, bilan in expected.items():
        assert on_spark[region].as_dict() == bilan.as_dict(), region
    assert on_spark["76"].value("acces_emploi") == 0.75  # the data did reach Spark
