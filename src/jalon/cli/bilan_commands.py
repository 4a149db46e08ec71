"""Indicator commands: `jalon bilan`, `jalon classement`, `jalon prevision`, `jalon indicateurs`.

Each opens the store read only, computes one view (`jalon.indicators`) and prints it as a French
terminal table, JSON or CSV (`;`-separated, one value per line, numbers unformatted), or writes
it as an Excel workbook (`--format xlsx --sortie F.xlsx`, `jalon.export.xlsx`). `--public`
applies statistical secrecy, as every published output must. `jalon bilan` and `jalon
classement` also run on Apache Spark over a Parquet lake (`--moteur spark --entrepot DOSSIER`).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from jalon.cli.common import (
    DbOption,
    PhaseOption,
    PlanOption,
    RegionOption,
    app,
    console,
    fail,
    plan_for,
    plan_phase,
    store,
    user_errors,
)
from jalon.cli.export_commands import (
    Engine,
    EngineOption,
    LakeOption,
    MasterOption,
    OutputOption,
    PublicOption,
    compute_bilans,
    write_output,
)
from jalon.formatting import date_longue, ecart, glissement, insecable, nombre, pourcentage
from jalon.indicators import registry
from jalon.indicators.registry import REGISTRY, column_label
from jalon.plan import Plan
from jalon.reference import region as region_of

if TYPE_CHECKING:
    from jalon.indicators import Bilan, Breakdown, Classement, Prevision


class Format(StrEnum):
    texte = "texte"
    json = "json"
    csv = "csv"
    xlsx = "xlsx"


FormatOption = Annotated[Format, typer.Option("--format", help="texte, json, csv ou xlsx.")]
AuOption = Annotated[
    str | None,
    typer.Option(
        "--au",
        help="Calculer à cette date (AAAA-MM-JJ), antérieure à la date d'arrêt des données "
        "(les entrées postérieures sont ignorées) ; défaut : la date d'arrêt des données.",
    ),
]
NationalOption = Annotated[bool, typer.Option("--national", help="France entière.")]


def _territory(region: str | None) -> str:
    return "France entière" if region is None else region_of(region).nom


def _scope(region: str | None, national: bool) -> str | None:
    if (region is None) == (not national):
        fail("indiquez soit --region CODE, soit --national.")
    return region


def au_date(text: str | None) -> dt.date | None:
    """The date of `--au`, or a French error and exit code 2."""
    from jalon.indicators.arret import ArretError, parse_au

    try:
        return parse_au(text)
    except ArretError as exc:
        fail(f"--au : {exc}")


def value_text(code: str, value: float | int | None) -> str:
    """A figure or cell as users read it, by its unit in the registry."""
    if value is None:
        return "–"
    if code.startswith("glissement"):
        return glissement(value)
    unit = REGISTRY[code].unit if code in REGISTRY else "entrées"
    if code.startswith("entrees_supplementaires"):
        return ecart(round(value))
    if unit == "taux" or code == "part":
        return pourcentage(value, 1)
    if unit == "heures":
        return f"{nombre(value)} h"
    if unit == "pour 1 000":
        return nombre(value, 1)
    return nombre(value)


def _write_csv(rows: list[list[object]]) -> None:
    writer = csv.writer(sys.stdout, delimiter=";", lineterminator="\n")
    writer.writerows(rows)


def _figures_table(bilan: Bilan, plan: Plan) -> Table:
    phase = plan.phase(bilan.phase)
    title = f"{plan.name} — {_territory(bilan.region)} — {phase.label}"
    if bilan.arret is not None:
        title += f" — {bilan.arret.mention}, {bilan.arret.etat}"
    table = Table(title=insecable(title), title_justify="left")
    table.add_column("Indicateur")
    table.add_column("Valeur", justify="right")
    table.add_column("Précision", style="dim")
    for figure in bilan.figures:
        note = insecable(figure.note or "")
        table.add_row(insecable(figure.label), value_text(figure.code, figure.value), note)
    return table


def _breakdown_table(breakdown: Breakdown) -> Table:
    table = Table(title=insecable(breakdown.label), title_justify="left")
    table.add_column(breakdown.dimension)
    for column in breakdown.columns:
        table.add_column(insecable(column_label(column)), justify="right")
    for row in breakdown.rows:
        cells = [
            "secret" if c in row.suppressed else value_text(c, row.values.get(c))
            for c in breakdown.columns
        ]
        table.add_row(row.label, *cells)
    return table


def _bilan_csv(bilan: Bilan) -> None:
    rows: list[list[object]] = [
        ["section", "code", "cle", "libelle", "colonne", "valeur", "masque", "note"]
    ]
    for f in bilan.figures:
        rows.append(["indicateur", f.code, "", f.label, "valeur", f.value, "", f.note or ""])
    for b in bilan.breakdowns:
        for r in b.rows:
            for c in b.columns:
                masked = "oui" if c in r.suppressed else ""
                rows.append(["ventilation", b.code, r.key, r.label, c, r.values.get(c), masked, ""])
    _write_csv(rows)


@app.command("bilan")
def bilan(
    phase: PhaseOption,
    region: RegionOption = None,
    national: NationalOption = False,
    db: DbOption = None,
    plan: PlanOption = None,
    format: FormatOption = Format.texte,
    au: AuOption = None,
    public: PublicOption = False,
    sortie: OutputOption = None,
    moteur: EngineOption = Engine.duckdb,
    entrepot: LakeOption = None,
    spark_master: MasterOption = "local[*]",
) -> None:
    """Affiche le bilan complet d'une phase pour une région ou pour la France entière."""
    from jalon.indicators import apply_secret_bilan, plan_pattern

    if sortie is not None and format is not Format.xlsx:
        fail("--sortie sert avec --format xlsx ; en texte, json ou csv, redirigez (> FICHIER).")
    scope = _scope(region, national)
    day = au_date(au)
    with user_errors():
        # Public: every table published with this one, for the one pattern.
        computed = compute_bilans(
            db, plan, phase, None if public else scope, moteur, entrepot, spark_master, day
        )
        if scope not in computed.bilans:  # a region without data: in no published table
            computed = compute_bilans(db, plan, phase, scope, moteur, entrepot, spark_master, day)
    the_plan, result = computed.plan, computed.bilans[scope]
    if public:
        pattern = plan_pattern(computed.bilans, the_plan)
        result = apply_secret_bilan(result, the_plan.secret.threshold, pattern)
    if format is Format.xlsx:
        from jalon.export.xlsx import bilan_workbook

        content = bilan_workbook(result, the_plan, computed.version, computed.last_import, public)
        write_output(content, sortie, f"bilan {_territory(scope)}")
    elif format is Format.json:
        console.print_json(json.dumps(result.as_dict()))
    elif format is Format.csv:
        _bilan_csv(result)
    else:
        console.print(_figures_table(result, the_plan))
        for breakdown in result.breakdowns:
            if breakdown.rows:
                console.print(_breakdown_table(breakdown))


def _classement_table(result: Classement, plan: Plan, national: Bilan) -> Table:
    from jalon.indicators.classement import CRITERION_LABELS

    criteria = (result.headline, *result.secondary)
    phase = plan.phase(result.phase)
    title = f"Classement des régions — {plan.name} — {phase.label}"
    if national.arret is not None:
        title += f" — {national.arret.mention}, {national.arret.etat}"
    table = Table(
        title=insecable(title),
        caption=f"Classées par {CRITERION_LABELS[result.headline]}, critère principal du plan. "
        f"Taux de réalisation : {result.rule}. Rangs ex æquo : même rang.",
        title_justify="left",
    )
    table.add_column("Région")
    for criterion in criteria:
        table.add_column(insecable(REGISTRY[criterion].label), justify="right")
        table.add_column("Rang", justify="right")
    for row in result.ordered():
        if not row.has_data:
            table.add_row(row.label, *(["sans données", ""] * len(criteria)))
            continue
        cells = []
        for criterion in criteria:
            rank = row.ranks[criterion]
            cells += [
                value_text(criterion, row.values[criterion]),
                "" if rank is None else str(rank),
            ]
        table.add_row(row.label, *cells)
    return table


@app.command("classement")
def classement(
    phase: PhaseOption,
    db: DbOption = None,
    plan: PlanOption = None,
    format: FormatOption = Format.texte,
    public: PublicOption = False,
    sortie: OutputOption = None,
    moteur: EngineOption = Engine.duckdb,
    entrepot: LakeOption = None,
    spark_master: MasterOption = "local[*]",
    au: AuOption = None,
) -> None:
    """Classe les régions : entrées supplémentaires, taux de réalisation, entrées pour 1 000 DE."""
    from jalon.indicators.classement import classement_of
    from jalon.indicators.secret import apply_secret_classement, plan_pattern

    if sortie is not None and format is not Format.xlsx:
        fail("--sortie sert avec --format xlsx ; en texte, json ou csv, redirigez (> FICHIER).")
    day = au_date(au)
    with user_errors():
        computed = compute_bilans(db, plan, phase, None, moteur, entrepot, spark_master, day)
    the_plan = computed.plan
    bilans = computed.bilans
    result = classement_of(bilans, the_plan, plan_phase(the_plan, phase))
    arret = bilans[None].arret
    if public:
        result = apply_secret_classement(result, plan_pattern(bilans, the_plan))
    if format is Format.xlsx:
        from jalon.export.xlsx import classement_workbook

        content = classement_workbook(
            result, the_plan, computed.version, computed.last_import, public
        )
        write_output(content, sortie, "classement des régions")
    elif format is Format.json:
        data = result.as_dict()
        console.print_json(json.dumps({**data, **({} if arret is None else arret.as_dict())}))
    elif format is Format.csv:
        header: list[object] = ["region", "libelle", "donnees", *result.regions[0].values]
        criteria = (result.headline, *result.secondary)
        header += [f"rang_{c}" for c in criteria]
        rows: list[list[object]] = [header]
        for r in result.ordered():
            ranks = [r.ranks[c] for c in criteria]
            rows.append([r.region, r.label, r.has_data, *r.values.values(), *ranks])
        _write_csv(rows)
    else:
        console.print(_classement_table(result, the_plan, bilans[None]))


def _prevision_table(result: Prevision, plan: Plan) -> Table:
    from jalon.indicators.prevision import interval_label

    f = result.forecast
    phase = plan.phase(result.phase)
    table = Table(
        title=f"Prévision — {_territory(result.region)} — {phase.label}",
        caption=f"Méthode : {result.method}.",
        title_justify="left",
        show_header=False,
    )
    table.add_column(style="bold")
    table.add_column(justify="right")
    table.add_row("Données arrêtées au", date_longue(result.as_of))
    table.add_row("Mois observés", f"{f.months_observed} sur {f.months_total}")
    if result.etat:
        table.add_row("État de la phase", result.etat)
    table.add_row("Entrées observées", nombre(f.observed))
    table.add_row("Objectif total d'entrées", nombre(f.target))
    if f.months_observed >= f.months_total:
        table.add_row("Fin de phase", "phase terminée : total définitif, rien à projeter")
        return table
    table.add_row("Entrées projetées en fin de phase", nombre(f.projection))
    label = interval_label(f)
    table.add_row(label[0].upper() + label[1:], f"{nombre(f.low)} – {nombre(f.high)}")
    table.add_row("Rythme mensuel nécessaire", nombre(f.pace_needed))
    table.add_row("Rythme des trois derniers mois", nombre(f.pace_current))
    withheld = f.probability is None and f.target is not None
    probability = "non estimée (voir la méthode)" if withheld else pourcentage(f.probability)
    table.add_row("Probabilité d'atteindre l'objectif", probability)
    return table


@app.command("prevision")
def prevision(
    phase: PhaseOption,
    region: RegionOption = None,
    national: NationalOption = False,
    au: AuOption = None,
    db: DbOption = None,
    plan: PlanOption = None,
    format: FormatOption = Format.texte,
) -> None:
    """Projette les entrées en fin de phase, le rythme nécessaire et la probabilité de réussite.

    La probabilité est celle d'atteindre l'objectif total d'entrées de la phase."""
    from jalon.indicators import compute_prevision
    from jalon.indicators.prevision import PrevisionError

    scope = _scope(region, national)
    as_of = au_date(au)
    with user_errors():
        the_plan = plan_for(db, plan)
        with store(db, read_only=True) as con:
            try:
                result = compute_prevision(con, the_plan, plan_phase(the_plan, phase), scope, as_of)
            except PrevisionError as exc:
                fail(str(exc))
    if format is Format.json:
        console.print_json(json.dumps(result.as_dict()))
    elif format is Format.csv:
        data = result.as_dict()
        _write_csv([list(data), list(data.values())])
    else:
        console.print(_prevision_table(result, the_plan))


@app.command("indicateurs")
def indicateurs(
    markdown: Annotated[
        bool, typer.Option("--markdown", help="Écrire la page docs/indicateurs.md sur la sortie.")
    ] = False,
    backtest_db: Annotated[
        Path | None,
        typer.Option(
            "--backtest",
            help="Base de démonstration (jalon demo --db) sur laquelle mesurer la prévision.",
        ),
    ] = None,
    plan: PlanOption = None,
) -> None:
    """Liste les indicateurs et leur définition (registre)."""
    from jalon.indicators.prevision_backtest import backtest_markdown

    if markdown:
        section = None
        if backtest_db is not None:
            with user_errors():
                the_plan = plan_for(backtest_db, plan)
                with store(backtest_db, read_only=True) as con:
                    section = backtest_markdown(con, the_plan)
        typer.echo(registry.markdown(section), nl=False)
        return
    for ind in registry.INDICATORS:
        console.print(f"[bold]{ind.code}[/] — {ind.label}\n  {ind.definition}\n")
