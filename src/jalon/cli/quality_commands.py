"""`jalon qualite`: the quality report of the imported files, per source (read-only).

Renders `jalon.ingest.quality.quality_report` as Rich tables (per source and month, rejections
and anomalies by reason and column, coverage grid of the phase and missing cells) followed by the
conventions whose declared target disagrees with the entries of their scope
(`jalon.indicators.perimetre.declaration_checks`), as JSON with the same data, or one of its
tables as CSV for a spreadsheet.
"""

from __future__ import annotations

import csv
import json
import sys
from dataclasses import asdict
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from jalon.cli.common import DbOption, PlanOption, app, console, plan_for, store, user_errors
from jalon.formatting import MISSING, nombre
from jalon.ingest.quality import (
    QualityReport,
    month_label,
    month_short,
    quality_report,
    source_name,
)
from jalon.reference import region as region_of

if TYPE_CHECKING:
    from jalon.indicators.perimetre import DeclarationCheck


class Format(StrEnum):
    texte = "texte"
    json = "json"
    csv = "csv"


class Tableau(StrEnum):
    mois = "mois"
    motifs = "motifs"
    couverture = "couverture"
    manquants = "manquants"


@app.command("qualite")
def qualite_command(
    phase: Annotated[
        str | None,
        typer.Option("--phase", help="Phase du plan pour la couverture (défaut : la première)."),
    ] = None,
    region: Annotated[
        str | None,
        typer.Option("--region", help="Code INSEE de la région, ex. 76 (défaut : toutes)."),
    ] = None,
    db: DbOption = None,
    plan: PlanOption = None,
    format: Annotated[Format, typer.Option("--format", help="texte, json ou csv.")] = Format.texte,
    tableau: Annotated[
        Tableau,
        typer.Option("--tableau", help="Avec --format csv : mois, motifs, couverture, manquants."),
    ] = Tableau.mois,
) -> None:
    """Qualité des fichiers reçus par source et couverture de la phase (qui n'a pas envoyé)."""
    from jalon.indicators.perimetre import declaration_checks

    with user_errors():
        declared = plan_for(db, plan)
        with store(db, read_only=True) as con:
            report = quality_report(con, declared, phase, region)
            checks = [
                c
                for c in declaration_checks(con, declared, report.phase)
                if region is None or c.region == report.region
            ]
    if format is Format.json:
        data = {**report.as_dict(), "declarations": [asdict(c) for c in checks]}
        console.print_json(json.dumps(data, ensure_ascii=False, default=str))
    elif format is Format.csv:
        _write_csv(report, tableau)
    else:
        _print_text(report)
        _print_checks(checks)


def _print_checks(checks: list[DeclarationCheck]) -> None:
    if not checks:
        console.print("Aucune convention dont l'objectif contredit les entrées mesurées.")
        return
    console.print(f"[bold]Déclarations de convention à vérifier ({nombre(len(checks))})[/]")
    for check in checks:
        console.print(f"  • {check.label}, phase {check.phase} : {check.message}", highlight=False)


def _print_text(report: QualityReport) -> None:
    scope = "France entière" if report.region is None else region_of(report.region).nom
    console.print(_month_table(report, scope))
    console.print(_reason_table(report))
    for source in report.sources:
        console.print(_grid(report, source))
    if report.missing:
        console.print(f"[bold]Données manquantes ({nombre(len(report.missing))})[/]")
        for missing in report.missing:
            console.print(f"  • {missing.message}", highlight=False)
    elif report.sources:
        console.print("Aucune donnée manquante sur les mois attendus de la phase.")


def _month_table(report: QualityReport, scope: str) -> Table:
    table = Table(title=f"Fichiers reçus par source et mois — {scope}", title_justify="left")
    table.add_column("Source")
    table.add_column("Mois")
    for name in ("Fichiers", "Lues", "Acceptées", "Rejetées", "Avec anomalies", "Doublons"):
        table.add_column(name, justify="right", no_wrap=True)
    for r in report.rows:
        table.add_row(
            r.source_label,
            month_label(r.month),
            nombre(r.files),
            nombre(r.lines_read),
            nombre(r.accepted),
            nombre(r.rejected),
            nombre(r.with_anomalies),
            nombre(r.duplicates),
        )
    return table


def _reason_table(report: QualityReport) -> Table:
    table = Table(title="Lignes rejetées et anomalies par motif et colonne", title_justify="left")
    for name in ("Source", "Type", "Motif", "Colonne"):
        table.add_column(name)
    table.add_column("Lignes", justify="right", no_wrap=True)
    for r in report.reasons:
        table.add_row(r.source_label, r.kind, r.reason_label, r.column or MISSING, nombre(r.lines))
    if not report.reasons:
        table.add_row(MISSING, MISSING, "aucun rejet ni anomalie", MISSING, "0")
    return table


def _grid(report: QualityReport, source: str) -> Table:
    table = Table(
        title=f"Couverture — {source_name(source)} — phase {report.phase} "
        "(lignes acceptées ; « manque » : mois attendu sans donnée)",
        title_justify="left",
    )
    table.add_column("Région")
    for month in report.months:
        table.add_column(month_short(month, report.months), justify="right")
    for code, cells in report.grid(source):
        table.add_row(
            region_of(code).nom,
            *(nombre(n) if n else ("manque" if missing else MISSING) for n, missing in cells),
        )
    return table


def _write_csv(report: QualityReport, tableau: Tableau) -> None:
    writer = csv.writer(sys.stdout, delimiter=";", lineterminator="\n")
    if tableau is Tableau.mois:
        writer.writerow(
            ["source", "mois", "fichiers", "lues", "acceptees", "rejetees", "avec_anomalies",
             "doublons"]
        )  # fmt: skip
        for r in report.rows:
            month = r.month.isoformat()[:7] if r.month else ""
            writer.writerow(
                [r.source, month, r.files, r.lines_read, r.accepted, r.rejected,
                 r.with_anomalies, r.duplicates]
            )  # fmt: skip
    elif tableau is Tableau.motifs:
        writer.writerow(["source", "type", "motif", "libelle", "colonne", "lignes"])
        for m in report.reasons:
            writer.writerow([m.source, m.kind, m.reason, m.reason_label, m.column or "", m.lines])
    elif tableau is Tableau.couverture:
        writer.writerow(["source", "region", "mois", "lignes"])
        for c in report.coverage:
            writer.writerow([c.source, c.region, c.month.isoformat()[:7], c.lines])
    else:
        writer.writerow(["source", "region", "mois", "message"])
        for missing in report.missing:
            for day in missing.months:
                writer.writerow(
                    [missing.source, missing.region, day.isoformat()[:7], missing.message]
                )
