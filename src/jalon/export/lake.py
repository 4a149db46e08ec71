"""The Parquet lake: the store's canonical tables for a distributed engine, and reading it on Spark.

`export_lake(con, folder, plan_file, version)` streams each table the indicators read (the
`definitions.TABLES`, plus the organisations' names of the import lines) out of DuckDB into
Parquet files in the hive layout, partitioned by year and region where the table has them
(`entrees/annee=2016/region=76/part-0.parquet`; an unknown value is `__HIVE_DEFAULT_PARTITION__`),
and writes `jalon-entrepot.json`: each table's columns, their types, its partition keys, and the
data version and plan the lake was taken from, plus a copy of the plan file (`plan.toml`).
`spark_backend(folder, master)` opens such a lake as Spark views (one per table, the original
columns in their original types) behind an Ibis backend, on which `jalon.indicators` runs the
same definitions as on DuckDB. Spark has no unsigned integers: the financeur codes (DuckDB
`UTINYINT`) are written as 16-bit integers.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from jalon.indicators.definitions import TABLES
from jalon.reference import departements

MANIFEST = "jalon-entrepot.json"
PLAN_FILE = "plan.toml"
BATCH_ROWS = 256_000


class LakeError(Exception):
    """A lake that cannot be written or read, in French."""


def _region_of_departement() -> str:
    cases = " ".join(f"WHEN '{d.code}' THEN '{d.region}'" for d in departements())
    return f"CASE departement {cases} END"


#: Partition keys of each table: the key and the SQL giving it (a native column or derived).
PARTITIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "entrees": (("annee", "year(date_entree)"), ("region", "region")),
    "personnes": (("annee", "year(date_inscription)"), ("region", _region_of_departement())),
    "emplois": (("annee", "year(date_debut)"),),
    "demandeurs": (("annee", "annee"), ("region", "region")),
    "actions_agregees": (("annee", "annee"), ("region", "region")),
    "offre_sessions": (("annee", "year(debut)"),),
    "offre_actions": (("region", "region"),),
}
#: What the lake keeps of the import tables: the organisations' names of the by-organisation
#: table (`queries.organisme_names`), nothing about persons.
EXTRA: dict[str, str] = {
    "entree_lignes": "SELECT import_id, siret, organisme FROM entree_lignes "
    "WHERE organisme IS NOT NULL AND organisme <> ''",
    "imports": "SELECT import_id, status FROM imports",
}


def _select(con: duckdb.DuckDBPyConnection, table: str) -> tuple[str, list[str]]:
    """The SELECT of a table with its partition keys, and its own columns."""
    if table in EXTRA:
        sql = EXTRA[table]
        return sql, [d[0] for d in con.execute(f"SELECT * FROM ({sql}) LIMIT 0").description]
    rows = con.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = 'main' AND table_name = ? ORDER BY ordinal_position",
        [table],
    ).fetchall()
    columns = [name for name, _ in rows]
    exprs = [
        f"CAST({name} AS SMALLINT[]) AS {name}"
        if kind == "UTINYINT[]"
        else (f"CAST({name} AS SMALLINT) AS {name}" if kind == "UTINYINT" else name)
        for name, kind in rows
    ]
    native = set(columns)
    keys = [f"{sql} AS _p_{key}" for key, sql in PARTITIONS.get(table, ()) if key not in native]
    return f"SELECT {', '.join(exprs + keys)} FROM {table}", columns


def _spark_type(kind: pa.DataType) -> str:
    if pa.types.is_list(kind) or pa.types.is_large_list(kind):
        return f"ARRAY<{_spark_type(kind.value_type)}>"
    if pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_string_view(kind):
        return "STRING"
    if pa.types.is_binary(kind) or pa.types.is_large_binary(kind) or pa.types.is_binary_view(kind):
        return "BINARY"  # a person's id (16 bytes of its HMAC)
    simple = {
        pa.int16(): "SMALLINT",
        pa.int32(): "INT",
        pa.int64(): "BIGINT",
        pa.bool_(): "BOOLEAN",
        pa.date32(): "DATE",
        pa.float64(): "DOUBLE",
    }
    if kind in simple:
        return simple[kind]
    if pa.types.is_timestamp(kind):
        return "TIMESTAMP"
    raise LakeError(f"type de colonne non prévu pour l'entrepôt : {kind}")


def _plain(schema: pa.Schema) -> pa.Schema:
    """The schema with string views as strings (what every Parquet reader reads)."""
    return pa.schema(
        pa.field(f.name, pa.string()) if pa.types.is_string_view(f.type) else f for f in schema
    )


def _write_table(con: duckdb.DuckDBPyConnection, table: str, folder: Path) -> dict[str, Any]:
    sql, columns = _select(con, table)
    reader = con.sql(sql).to_arrow_reader(BATCH_ROWS)
    schema = _plain(reader.schema)
    renames = {f"_p_{key}": key for key, _ in PARTITIONS.get(table, ())}
    schema = pa.schema(f.with_name(renames.get(f.name, f.name)) for f in schema)
    batches = (
        pa.RecordBatch.from_arrays(batch.columns, schema=schema)
        for batch in (b.cast(_plain(reader.schema)) for b in reader)
    )
    keys = [key for key, _ in PARTITIONS.get(table, ())]
    target = folder / table
    target.mkdir()
    ds.write_dataset(
        pa.RecordBatchReader.from_batches(schema, batches),
        target,
        format="parquet",
        partitioning=ds.partitioning(pa.schema([schema.field(k) for k in keys]), flavor="hive")
        if keys
        else None,
        basename_template="part-{i}.parquet",
        existing_data_behavior="error",
        max_rows_per_group=BATCH_ROWS,
    )
    if not any(target.rglob("*.parquet")):
        stored = pa.schema([f for f in schema if f.name not in keys])
        pq.write_table(stored.empty_table(), target / "part-0.parquet")
    return {
        "colonnes": columns,
        "partitions": keys,
        "schema_spark": ", ".join(f"`{f.name}` {_spark_type(f.type)}" for f in schema),
    }


@dataclass(frozen=True)
class LakeInfo:
    folder: Path
    tables: dict[str, dict[str, Any]]
    data_version: str
    plan_sha256: str
    last_import: dt.datetime | None

    @property
    def plan_path(self) -> Path:
        return self.folder / PLAN_FILE


def export_lake(
    con: duckdb.DuckDBPyConnection,
    folder: Path,
    plan_file: Path,
    plan_sha256: str,
    data_version: str,
    last_import: dt.datetime | None,
) -> LakeInfo:
    """Write the lake into `folder` (which must not exist, or be empty)."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise LakeError(f"{folder} existe déjà et n'est pas vide : choisissez un autre dossier.")
    folder.mkdir(parents=True, exist_ok=True)
    tables = {name: _write_table(con, name, folder) for name in (*TABLES, *EXTRA)}
    shutil.copyfile(plan_file, folder / PLAN_FILE)
    info = LakeInfo(folder, tables, data_version, plan_sha256, last_import)
    manifest = {
        "format": "jalon-entrepot/1",
        "version_donnees": data_version,
        "plan_sha256": plan_sha256,
        "dernier_import": None if last_import is None else last_import.isoformat(),
        "tables": tables,
    }
    text = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True)
    (folder / MANIFEST).write_text(text + "\n", encoding="utf-8")
    return info


def read_lake(folder: Path) -> LakeInfo:
    path = folder / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise LakeError(
            f"{folder} n'est pas un entrepôt Jalon : {MANIFEST} manque "
            "(créez-le avec « jalon entrepot exporter »)."
        ) from None
    except (OSError, ValueError) as exc:
        raise LakeError(f"{path} illisible : {exc}") from None
    last = manifest.get("dernier_import")
    return LakeInfo(
        folder,
        manifest["tables"],
        manifest["version_donnees"],
        manifest["plan_sha256"],
        None if last is None else dt.datetime.fromisoformat(last),
    )


SPARK_SETTINGS = {
    "spark.sql.session.timeZone": "UTC",
    "spark.ui.enabled": "false",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.sql.shuffle.partitions": "8",
    "spark.ui.showConsoleProgress": "false",
}


@contextmanager
def spark_backend(info: LakeInfo, master: str) -> Iterator[Any]:
    """An Ibis backend on Spark (`master`: `local[*]`, `spark://hôte:7077`…) whose views are the
    lake's tables. A session this call starts is stopped at the end; one already running (a
    caller's) is used and left running."""
    try:
        import ibis
        from pyspark.sql import SparkSession
    except ImportError:
        raise LakeError(
            "le moteur Spark demande PySpark : pip install 'jalon[spark]' (et Java 17)."
        ) from None
    running = SparkSession.getActiveSession()
    builder = SparkSession.builder.master(master).appName("jalon")
    for key, value in SPARK_SETTINGS.items():
        builder = builder.config(key, value)
    try:
        session = running or builder.getOrCreate()
    except Exception as exc:  # PySpark raises its own errors, or Java's, when the JVM fails
        raise LakeError(
            f"Spark n'a pas démarré sur « {master} » (Java 17 est-il installé ?) : {exc}"
        ) from None
    if running is None:
        session.sparkContext.setLogLevel("ERROR")
    try:
        for name, spec in info.tables.items():
            path = str(info.folder / name)
            try:
                reader = session.read.schema(spec["schema_spark"]).option("basePath", path)
                frame = reader.parquet(path)
            except Exception as exc:
                raise LakeError(f"table « {name} » illisible dans {info.folder} : {exc}") from None
            frame.select(*spec["colonnes"]).createOrReplaceTempView(name)
        yield ibis.pyspark.connect(session)
    finally:
        if running is None:
            session.stop()
