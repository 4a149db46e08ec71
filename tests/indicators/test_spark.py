"""Portability: the same Ibis definitions run on Apache Spark (local mode) give the same bilans as
on DuckDB, for the nation and every region of the hand-made store (all figures and tables).

About 20 s on an idle 2-core machine, most of it the JVM start."""

from __future__ import annotations

import shutil

import ibis
import pytest

from jalon.indicators.bilan import bilans_on, compute_all_bilans
from jalon.indicators.definitions import TABLES

pyspark = pytest.importorskip("pyspark", reason="PySpark est une dépendance de test (extra dev)")
if shutil.which("java") is None:
    pytest.fail("Java est nécessaire au test Spark (Java 17 : apt-get install openjdk-17-jre)")


pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore::FutureWarning", "ignore::DeprecationWarning"),
]


@pytest.fixture(scope="module")
def spark(store_path, tmp_path_factory):
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("jalon-tests")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.sql.adaptive.enabled", "false")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.warehouse.dir", str(tmp_path_factory.mktemp("spark-warehouse")))
        .getOrCreate()
    )
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
    session.stop()


def test_spark_gives_the_same_bilans_as_duckdb(spark, store, plan) -> None:
    """One pass of the national queries on Spark: the nation and every region sliced from it."""
    expected = compute_all_bilans(store, plan, "2016")
    on_spark = bilans_on(spark, plan, "2016", None)
    assert list(on_spark) == list(expected)
    for region, bilan in expected.items():
        assert on_spark[region].as_dict() == bilan.as_dict(), region
    assert on_spark["76"].value("acces_emploi") == 0.75  # the data did reach Spark
