"""Export commands: `jalon series`, `jalon entrepot exporter`, and what `jalon bilan` and `jalon
classement` share to write Excel workbooks and to compute on Spark (`--moteur spark`).

`compute_bilans` runs the bilan's definitions on the DuckDB store (read only) or, with
`--moteur spark --entrepot DOSSIER`, on the Parquet lake written by `jalon entrepot exporter`
(`jalon.export.lake`), and says which data version the figures come from.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import warnings
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from jalon.cli.common import (
    DbOption,
    PlanOption,
    RegionOption,
    app,
    console,
    fail,
    plan_for,
    plan_phase,
    store,
    store_plan_path,
    user_errors,
)
from jalon.plan import Plan, default_plan_path, load_plan
from jalon.reference import region as region_of

if TYPE_CHECKING:
    from jalon.export.series import Series
    from jalon.indicators import Bilan


class Engine(StrEnum):
    duckdb = "duckdb"
    spark = "spark"


EngineOption = Annotated[
    Engine,
    typer.Option(
        "--moteur",
        help="duckdb (la base, défaut) ou spark (un entrepôt Parquet donné par --entrepot).",
    ),
]
LakeOption = Annotated[
    Path | None,
    typer.Option("--entrepot", help="Entrepôt Parquet écrit par « jalon entrepot exporter »."),
]
MasterOption = Annotated[
    str,
    typer.Option(
        "--spark-master",
        help="Maître Spark : local[*] (défaut, cette machine) ou spark://hôte:7077 (grappe).",
    ),
]
OutputOption = Annotated[
    Path | None,
    typer.Option("--sortie", help="Fichier à écrire (obligatoire avec --format xlsx)."),
]
PublicOption = Annotated[
    bool, typer.Option("--public", help="Appliquer le secret statistique (sortie publiable).")
]


@dataclass(frozen=True)
class Computed:
    plan: Plan
    bilans: dict[str | None, Bilan]
    version: str
    last_import: dt.datetime | None


def compute_bilans(
    db: Path | None,
    plan: Path | None,
    phase: str,
    region: str | None,
    engine: Engine = Engine.duckdb,
    lake: Path | None = None,
    master: str = "local[*]",
    au: dt.date | None = None,
) -> Computed:
    """The bilans of `region` (`{region: bilan}`) or of the nation and every region (`None`),
    as of their date d'arrêt or the earlier `au`."""
    from jalon.indicators.bilan import bilans, bilans_on

    if engine is Engine.spark:
        from jalon.export.lake import LakeError, read_lake, spark_backend

        if lake is None:
            fail("--moteur spark lit un entrepôt Parquet : indiquez --entrepot DOSSIER.")
        try:
            info = read_lake(lake)
            the_plan = load_plan(plan or info.plan_path)
            code = plan_phase(the_plan, phase)
            with warnings.catch_warnings():
                # PySpark 4.3 warns on import and on every conversion that pandas 3 is not
                # fully supported; the results travel through Arrow, not pandas.
                warnings.filterwarnings("ignore", category=FutureWarning, module="pyspark")
                with spark_backend(info, master) as backend:
                    found = bilans_on(backend, the_plan, code, region, au)
        except LakeError as exc:
            fail(str(exc))
        return Computed(the_plan, found, info.data_version, info.last_import)
    if lake is not None:
        fail("--entrepot ne sert qu'avec --moteur spark.")
    from jalon.report.version import data_version

    the_plan = plan_for(db, plan)
    code = plan_phase(the_plan, phase)
    with store(db, read_only=True) as con:
        found = bilans(con, the_plan, code, region, au)
        version = data_version(con, the_plan)
    last = version.as_of if version.imports else None
    return Computed(the_plan, found, version.code, last)


def write_output(content: bytes, sortie: Path | None, what: str) -> None:
    if sortie is None:
        fail(f"--format xlsx écrit un fichier : indiquez --sortie FICHIER.xlsx ({what}).")
    try:
        sortie.write_bytes(content)
    except OSError as exc:
        fail(f"impossible d'écrire {sortie} : {exc.strerror}.")
    console.print(f"Classeur écrit : {sortie} ({what}).", highlight=False)


def _bool(value: bool) -> str:
    return "oui" if value else "non"


def series_csv(result: Series) -> str:
    """The series as CSV (`,`, UTF-8, dot decimals, empty cell: no value or secret)."""
    from jalon.export.series import COLUMNS

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    names = [code for code, _, _ in COLUMNS]
    writer.writerow(names)
    for row in result.rows:
        cells = [row[c] for c in names]
        writer.writerow(
            [
                "" if v is None else ("oui" if v else "non") if isinstance(v, bool) else v
                for v in cells
            ]
        )
    return out.getvalue()


class SeriesFormat(StrEnum):
    csv = "csv"
    json = "json"
    xlsx = "xlsx"


@app.command("series")
def series(
    indicateur: Annotated[
        str, typer.Option("--indicateur", help="Indicateur de la série (entrees).")
    ] = "entrees",
    region: RegionOption = None,
    national: Annotated[bool, typer.Option("--national", help="France entière.")] = False,
    phase: Annotated[
        str | None, typer.Option("--phase", help="Phase du plan (défaut : la première).")
    ] = None,
    db: DbOption = None,
    plan: PlanOption = None,
    format: Annotated[
        SeriesFormat, typer.Option("--format", help="csv (défaut), json ou xlsx.")
    ] = SeriesFormat.csv,
    sortie: OutputOption = None,
    public: PublicOption = False,
) -> None:
    """Série mensuelle d'une phase et de sa référence, glissement annuel et métadonnées."""
    from jalon.export.series import INDICATORS, monthly_series
    from jalon.indicators import apply_secret_bilan, plan_pattern

    if indicateur not in INDICATORS:
        fail(f"indicateur « {indicateur} » sans série mensuelle ; disponibles : entrees.")
    if (region is None) == (not national):
        fail("indiquez soit --region CODE, soit --national.")
    with user_errors():
        the_plan = plan_for(db, plan)
        code = plan_phase(the_plan, phase) if phase is not None else the_plan.phases[0].code
        # Public: every table published with this one, for the one secrecy pattern.
        computed = compute_bilans(db, plan, code, None if public else region)
        if region not in computed.bilans:  # a region without data: in no published table
            computed = compute_bilans(db, plan, code, region)
        with store(db, read_only=True) as con:
            latest = con.execute("SELECT max(date_entree) FROM entrees").fetchone()
    bilan = computed.bilans[region]
    if public:
        pattern = plan_pattern(computed.bilans, the_plan)
        bilan = apply_secret_bilan(bilan, the_plan.secret.threshold, pattern)
    territory = "France entière" if region is None else region_of(region).nom
    result = monthly_series(bilan, the_plan.phase(code), territory, latest[0] if latest else None)
    if format is SeriesFormat.json:
        text = json.dumps(result.as_dict(), ensure_ascii=False, indent=2)
        if sortie is None:
            typer.echo(text)
        else:
            sortie.write_text(text + "\n", encoding="utf-8")
    elif format is SeriesFormat.csv:
        text = series_csv(result)
        if sortie is None:
            typer.echo(text, nl=False)
        else:
            sortie.write_text(text, encoding="utf-8")
            meta = sortie.with_suffix(".metadonnees.json")
            body = json.dumps(result.metadata, ensure_ascii=False, indent=2)
            meta.write_text(body + "\n", encoding="utf-8")
            console.print(f"Série écrite : {sortie}, métadonnées : {meta}.", highlight=False)
    else:
        from jalon.export.tables import Provenance
        from jalon.export.xlsx import workbook

        source = Provenance(
            the_plan.name,
            the_plan.sha256,
            the_plan.phase(code).label,
            territory,
            computed.version,
            computed.last_import,
            the_plan.secret.threshold if public else None,
        )
        content = workbook([result.table(), result.metadata_table()], source)
        write_output(content, sortie, "série mensuelle")


entrepot = typer.Typer(help="Entrepôt Parquet des tables de la base, pour Spark.")
app.add_typer(entrepot, name="entrepot")


@entrepot.command("exporter")
def entrepot_exporter(
    sortie: Annotated[
        Path, typer.Option("--sortie", help="Dossier de l'entrepôt à créer (absent ou vide).")
    ],
    db: DbOption = None,
    plan: PlanOption = None,
) -> None:
    """Écrit les tables de la base en Parquet, partitionnées par année et région (Hive)."""
    from jalon.export.lake import LakeError, export_lake
    from jalon.report.version import data_version

    beside = store_plan_path(db)
    plan_file = plan or (beside if beside.is_file() else default_plan_path())
    with user_errors():
        the_plan = load_plan(plan_file)
        with store(db, read_only=True) as con:
            version = data_version(con, the_plan)
            last = version.as_of if version.imports else None
            try:
                info = export_lake(con, sortie, plan_file, the_plan.sha256, version.code, last)
            except LakeError as exc:
                fail(str(exc))
    console.print(
        f"Entrepôt écrit : {sortie} ({len(info.tables)} tables, version des données "
        f"{info.data_version}).",
        highlight=False,
    )
