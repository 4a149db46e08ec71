"""Terminal renderings (Rich) of an import summary and of a bilan, in French."""

from __future__ import annotations

from rich.table import Table

from jalon.formatting import ecart, nombre, valeur
from jalon.indicators import REGISTRY, Bilan
from jalon.ingest import ImportSummary
from jalon.plan import Plan
from jalon.reference import region as region_of

REASONS = {
    "nombre_champs": "nombre de champs incorrect",
    "ligne_vide": "ligne vide",
    "valeur_manquante": "valeur obligatoire absente",
    "date_invalide": "date illisible",
    "date_hors_plage": "date hors plage",
    "nombre_invalide": "nombre illisible",
    "financeur_inconnu": "code financeur inconnu",
    "format_invalide": "valeur au format inattendu",
}


def import_summary(summary: ImportSummary) -> Table:
    title = (
        f"Contrôle de {summary.file_name} (essai, rien n'a été écrit)"
        if summary.dry_run
        else f"Import n° {summary.import_id} : {summary.file_name}"
    )
    table = Table(title=title, show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column(justify="right")
    table.add_row("Profil", f"{summary.profile} (disposition {summary.layout})")
    table.add_row("Encodage", summary.encoding)
    table.add_row("Lignes lues", nombre(summary.lines_read))
    table.add_row("  acceptées", nombre(summary.accepted))
    table.add_row("  rejetées", nombre(summary.rejected))
    table.add_row("  doublons", nombre(summary.duplicates))
    for reason, count in summary.rejects_by_reason.items():
        table.add_row(f"    dont {REASONS.get(reason, reason)}", nombre(count))
    return table


def _territory(bilan: Bilan) -> str:
    return "France entière" if bilan.region is None else region_of(bilan.region).nom


def bilan_table(bilan: Bilan, plan: Plan) -> Table:
    phase = plan.phase(bilan.phase)
    table = Table(
        title=f"{plan.name} — {_territory(bilan)} — {phase.label}",
        title_justify="left",
    )
    table.add_column("Indicateur")
    table.add_column("Valeur", justify="right")
    table.add_column("Précision", style="dim")
    for figure in bilan.figures:
        if figure.code.startswith("entrees_supplementaires"):
            shown = ecart(None if figure.value is None else int(figure.value))
        else:
            shown = valeur(figure.value, REGISTRY[figure.code].unit)
        table.add_row(figure.label, shown, figure.note or "")
    return table
