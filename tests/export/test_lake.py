"""The Parquet lake and the Spark engine as a user runs them: `jalon entrepot exporter` on the
hand-made store of tests/data/indicateurs (hand-written files, not the simulator: the demo store
takes minutes on Spark here), then `jalon bilan` and `jalon classement --moteur spark` give the
same JSON, byte for byte, as on DuckDB. The commands use the run's Spark session (`spark_session`,
tests/conftest.py): about a minute on this shared 2-core machine, nearly all of it Spark's small
jobs (26 for a region's bilan, 55 for the ranking)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pyarrow.dataset as ds
import pytest
from typer.testing import CliRunner

from jalon.cli import app

runner = CliRunner()


@pytest.fixture(autouse=True)
def wide(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "250")  # messages on one line, whatever the path's length


@pytest.fixture(scope="module")
def lake(store_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("entrepot") / "lac"
    result = runner.invoke(
        app, ["entrepot", "exporter", "--db", str(store_path), "--sortie", str(folder)]
    )
    assert result.exit_code == 0, result.output
    assert "Entrepôt écrit" in result.output
    return folder


def test_lake_is_partitioned_by_year_and_region_in_the_hive_layout(lake, store_path) -> None:
    assert (lake / "entrees" / "annee=2016" / "region=76").is_dir()
    assert (lake / "entrees" / "annee=2016" / "region=53").is_dir()
    assert (lake / "entrees" / "annee=2015" / "region=76").is_dir()
    assert (lake / "personnes" / "annee=2016" / "region=76").is_dir()
    manifest = json.loads((lake / "jalon-entrepot.json").read_text(encoding="utf-8"))
    assert manifest["tables"]["entrees"]["partitions"] == ["annee", "region"]
    assert manifest["tables"]["entree_lignes"]["colonnes"] == ["import_id", "siret", "organisme"]
    con = duckdb.connect(str(store_path), read_only=True)
    try:
        for table in ("entrees", "personnes", "emplois", "demandeurs"):
            stored = ds.dataset(lake / table, format="parquet", partitioning="hive").to_table()
            count = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            assert stored.num_rows == count > 0, table
        years = con.execute(
            "SELECT year(date_entree) AS y, region, count(*) FROM entrees GROUP BY ALL"
        ).fetchall()
    finally:
        con.close()
    for year, region, count in years:
        part = lake / "entrees" / f"annee={year}" / f"region={region}"
        assert ds.dataset(part, format="parquet").count_rows() == count


def test_existing_folder_is_refused_in_french(lake, store_path) -> None:
    result = runner.invoke(
        app, ["entrepot", "exporter", "--db", str(store_path), "--sortie", str(lake)]
    )
    assert result.exit_code == 2
    assert "n'est pas vide" in result.output


def test_spark_needs_a_lake(store_path) -> None:
    result = runner.invoke(app, ["bilan", "--national", "--phase", "2016", "--moteur", "spark"])
    assert result.exit_code == 2
    assert "--entrepot" in result.output
    result = runner.invoke(
        app,
        [
            "bilan",
            "--national",
            "--phase",
            "2016",
            "--moteur",
            "spark",
            "--entrepot",
            str(store_path.parent),
        ],
    )
    assert result.exit_code == 2
    assert "n'est pas un entrepôt Jalon" in result.output


@pytest.fixture
def spark(spark_session):
    """The run's Spark session (tests/conftest.py), running: the commands use it."""
    return spark_session


def _output(args: list[str]) -> str:
    result = runner.invoke(app, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::FutureWarning", "ignore::DeprecationWarning")
@pytest.mark.parametrize(
    "command",
    [["bilan", "--region", "76", "--phase", "2016"], ["classement", "--phase", "2016"]],
    ids=["bilan-occitanie", "classement"],
)
def test_spark_json_is_identical_to_duckdb(spark, lake, store_path, command) -> None:
    on_duckdb = _output([*command, "--db", str(store_path)])
    on_spark = _output([*command, "--moteur", "spark", "--entrepot", str(lake)])
    assert on_spark == on_duckdb
    assert json.loads(on_spark)  # a real answer, not two identical failures


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::FutureWarning", "ignore::DeprecationWarning")
def test_a_lake_missing_a_table_is_refused_in_french(spark, lake, tmp_path) -> None:
    broken = Path(shutil.copytree(lake, tmp_path / "lac"))
    shutil.rmtree(broken / "emplois")
    args = ["bilan", "--region", "76", "--phase", "2016", "--moteur", "spark"]
    result = runner.invoke(app, [*args, "--entrepot", str(broken)])
    assert result.exit_code == 2, result.output
    assert "table « emplois » illisible" in result.output
