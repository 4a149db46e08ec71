"""How the web app writes for its readers: the Jinja environment and its French filters, JSON
values and CSV downloads. Pure functions, no access to the base."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from jalon import formatting
from jalon.indicators import REGISTRY, Breakdown
from jalon.indicators.prevision import interval_label
from jalon.indicators.registry import COLUMNS
from jalon.ingest.reasons import reason_label
from jalon.web.views import SECRET_NOTE

# Breakdown columns that are fractions of a total (COLUMNS of the registry), shown as percentages.
SHARE_COLUMNS = frozenset({"part"})


def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("jalon.web", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["nombre"] = formatting.nombre
    env.filters["pourcentage"] = formatting.pourcentage
    env.filters["ecart"] = formatting.ecart
    env.filters["date_longue"] = formatting.date_longue
    env.filters["fourchette"] = interval_label
    env.globals["REGISTRY"] = REGISTRY
    env.globals["afficher"] = afficher
    env.globals["libelle_colonne"] = column_label
    env.globals["libelle_motif"] = reason_label
    env.filters["accord"] = accord
    return env


def afficher(code: str, value: float | int | None, note: str | None = None) -> str:
    """A figure as users read it, in French, by its registry unit, as the PDF bilan prints it."""
    if value is None:
        return "secret" if note == SECRET_NOTE else formatting.MISSING
    if code.startswith("glissement"):
        return formatting.glissement(float(value))
    if code.startswith("entrees_supplementaires"):
        return formatting.ecart(int(value))
    return formatting.valeur(value, unit_of(code))


def column_label(code: str) -> str:
    """The heading of a measure column: an indicator's label, or a breakdown column's."""
    if code in REGISTRY:
        return REGISTRY[code].label
    return COLUMNS.get(code, code.replace("_", " ").capitalize())


def unit_of(code: str) -> str:
    """The unit of an indicator or of a breakdown column (`part`, a share, is a rate)."""
    if code in REGISTRY:
        return REGISTRY[code].unit
    return "taux" if code in SHARE_COLUMNS else "nombre"


def accord(count: float | int | None, singular: str, plural: str | None = None) -> str:
    """The word for `count` things, agreed in French: 0 and 1 take the singular."""
    return singular if count is None or abs(count) < 2 else (plural or singular + "s")


def json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, set | frozenset | tuple):
        return sorted(value) if isinstance(value, set | frozenset) else list(value)
    raise TypeError(f"valeur non sérialisable en JSON : {type(value).__name__}")


def breakdown_csv(table: Breakdown) -> str:
    """A breakdown as CSV for French spreadsheets: `;` separator, decimal comma, BOM."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([table.dimension, "libellé"] + [column_label(c) for c in table.columns])
    for row in table.rows:
        cells = []
        for column in table.columns:
            value = row.values.get(column)
            if column in row.suppressed:
                cells.append("secret")
            elif value is None:
                cells.append("")
            elif isinstance(value, float) and not value.is_integer():
                cells.append(f"{value:.4f}".replace(".", ","))
            else:
                cells.append(str(int(value)))
        writer.writerow([row.key, row.label, *cells])
    return out.getvalue()
