"""Typed tables built from the indicator views, the common ground of every export format.

Each `Table` has French column headers (the registry's labels), one `Kind` per cell saying how to
format it (a count, a rate, a signed difference…), and the cells hidden by statistical secrecy
marked as such (`Cell.masked`), so that a workbook, a CSV or an open-data file render the same
content. Pure functions on `Bilan` and `Classement` values (no I/O).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from jalon.indicators.bilan import SECONDARY, Bilan, Breakdown, Value
from jalon.indicators.classement import CRITERIA, Classement
from jalon.indicators.registry import BREAKDOWN_SPECS, INDICATORS, REGISTRY, column_label
from jalon.indicators.secret import SECRET_NOTE

Kind = Literal["texte", "entier", "ecart", "taux", "decimal", "heures", "date"]
CellValue = str | int | float | dt.date | None


@dataclass(frozen=True)
class Cell:
    value: CellValue
    kind: Kind = "texte"
    masked: bool = False  # hidden by statistical secrecy (its value is then None)


@dataclass(frozen=True)
class Table:
    code: str
    name: str  # a short French name (an Excel sheet name: at most 31 characters)
    title: str
    headers: tuple[str, ...]
    rows: list[list[Cell]]
    widths: tuple[int, ...] = ()  # in characters, one per column; empty: from the content


#: Short names of the bilan's tables (sheet names); others get their title, cut.
SHORT_NAMES = {
    "mois": "Mois",
    "financeur_principal": "Financeur principal",
    "financeur": "Cofinancements",
    "departement": "Départements",
    "domaine": "Domaines",
    "organisme": "Organismes",
    "public": "Publics prioritaires",
    "tranche_age": "Tranches d'âge",
    "niveau": "Niveaux",
    "places_financeur": "Places par financeur",
    "type_action": "Actions agrégées",
}
FIGURES_NAME = "Indicateurs"
SHEET_NAME_MAX = 31


def kind_of(code: str) -> Kind:
    """How a figure or column of the registry is formatted, by its unit."""
    if code.startswith("entrees_supplementaires"):
        return "ecart"
    if code == "part":
        return "taux"
    if code not in REGISTRY:
        return "entier"
    unit = REGISTRY[code].unit
    if unit == "taux":
        return "taux"
    if unit == "heures":
        return "heures"
    if unit == "pour 1 000":
        return "decimal"
    return "entier"


def _number(code: str, value: Value, masked: bool = False) -> Cell:
    return Cell(None if masked else value, kind_of(code), masked)


def figures_table(bilan: Bilan) -> Table:
    rows = [
        [
            Cell(f.code),
            Cell(f.label),
            _number(f.code, f.value, f.note == SECRET_NOTE and f.value is None),
            Cell(REGISTRY[f.code].unit),
            Cell(f.note),
        ]
        for f in bilan.figures
    ]
    headers = ("Code", "Indicateur", "Valeur", "Unité", "Précision")
    return Table("indicateurs", FIGURES_NAME, "Indicateurs du bilan", headers, rows, (28, 60, 14))


def breakdown_table(breakdown: Breakdown) -> Table:
    secondary = SECONDARY.get(breakdown.code)
    headers = ["Clé", breakdown.dimension]
    if secondary is not None:
        headers.append(secondary)
    headers += [column_label(c) for c in breakdown.columns]
    rows = []
    for r in breakdown.rows:
        cells = [Cell(r.key), Cell(r.label)]
        if secondary is not None:
            cells.append(Cell(breakdown.secondary(r)))
        cells += [_number(c, r.values.get(c), c in r.suppressed) for c in breakdown.columns]
        rows.append(cells)
    name = SHORT_NAMES.get(breakdown.code, breakdown.label[:SHEET_NAME_MAX])
    return Table(breakdown.code, name, breakdown.label, tuple(headers), rows)


def bilan_tables(bilan: Bilan) -> list[Table]:
    """The bilan's figures, then each of its tables that has rows, in the bilan's order."""
    return [figures_table(bilan), *(breakdown_table(b) for b in bilan.breakdowns if b.rows)]


def classement_table(classement: Classement) -> Table:
    """The ranking by the first criterion, one column per value then one rank per criterion."""
    codes = list(classement.regions[0].values) if classement.regions else []
    headers = ["Code région", "Région", "Données", *(REGISTRY[c].label for c in codes)]
    headers += [f"Rang : {REGISTRY[c].label.lower()}" for c in CRITERIA]
    rows = []
    for r in classement.ordered(CRITERIA[0]):
        cells = [Cell(r.region), Cell(r.label), Cell("oui" if r.has_data else "sans données")]
        hidden = r.has_data and all(v is None for v in r.values.values())
        cells += [_number(c, r.values[c], hidden) for c in codes]
        cells += [Cell(r.ranks[c], "entier", hidden) for c in CRITERIA]
        rows.append(cells)
    return Table("classement", "Classement", "Classement des régions", tuple(headers), rows)


def definitions_table(tables: list[Table]) -> Table:
    """The registry's definitions of what the exported tables show."""
    sheets = {t.code: t.name for t in tables}
    rows = [
        [
            Cell(i.code),
            Cell(i.label),
            Cell("indicateur"),
            Cell(i.unit),
            Cell(i.definition),
            Cell(i.reglage),
            Cell(FIGURES_NAME if "indicateurs" in sheets else None),
        ]
        for i in INDICATORS
    ]
    rows += [
        [
            Cell(s.code),
            Cell(s.label),
            Cell("tableau"),
            Cell(", ".join(column_label(c) for c in s.columns)),
            Cell(s.definition),
            Cell(None),
            Cell(sheets.get(s.code)),
        ]
        for s in BREAKDOWN_SPECS.values()
    ]
    headers = ("Code", "Libellé", "Nature", "Unité ou colonnes", "Définition", "Réglage du plan")
    return Table(
        "definitions",
        "Définitions",
        "Définitions des indicateurs",
        (*headers, "Feuille"),
        rows,
        (28, 45, 11, 24, 90, 40, 20),
    )


@dataclass(frozen=True)
class Provenance:
    """Where exported figures come from: what the « Source » sheet and metadata say."""

    plan: str
    plan_sha256: str
    phase: str
    territory: str
    data_version: str
    last_import: dt.datetime | None
    secret_threshold: int | None  # None: no secrecy applied (an internal document)
    cutoff: dt.date | None = None  # the data cut-off, when the caller knows it


def source_table(p: Provenance) -> Table:
    secret = (
        f"appliqué (seuil : {p.secret_threshold}) : document publiable"
        if p.secret_threshold is not None
        else "non appliqué : document interne, à ne pas diffuser"
    )
    rows = [
        [Cell("Plan"), Cell(p.plan)],
        [Cell("Empreinte du fichier du plan (SHA-256)"), Cell(p.plan_sha256)],
        [Cell("Phase"), Cell(p.phase)],
        [Cell("Territoire"), Cell(p.territory)],
    ]
    if p.cutoff is not None:
        rows.append([Cell("Date d'arrêt des données"), Cell(p.cutoff, "date")])
    rows += [
        [Cell("Version des données"), Cell(p.data_version)],
        [
            Cell("Dernier import"),
            Cell(None if p.last_import is None else p.last_import.date(), "date"),
        ],
        [Cell("Secret statistique"), Cell(secret)],
        [Cell("Produit par"), Cell("Jalon")],
    ]
    return Table("source", "Source", "Source des données", ("Élément", "Valeur"), rows, (40, 70))
