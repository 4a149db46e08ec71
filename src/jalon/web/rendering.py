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
from jalon.web.views import SECRET_NOTE


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
    env.globals["REGISTRY"] = REGISTRY
    env.globals["afficher"] = afficher
    env.filters["accord"] = accord
    return env


def afficher(code: str, value: float | int | None, note: str | None = None) -> str:
    """A figure as users read it, in French, following its registry unit."""
    if value is None:
        return "secret" if note == SECRET_NOTE else formatting.MISSING
    if code.startswith("glissement"):
        return formatting.glissement(float(value))
    unit = REGISTRY[code].unit if code in REGISTRY else None
    if unit == "taux" or code.startswith(
        ("taux", "part_", "probabilite", "acces_emploi", "emploi_durable")
    ):
        return formatting.pourcentage(float(value), 1)
    if code.startswith("entrees_supplementaires"):
        return formatting.ecart(int(value))
    suffix = "\u202fh" if unit == "heures" else ""
    if isinstance(value, float) and not value.is_integer():
        return formatting.nombre(value, 1) + suffix
    return formatting.nombre(value) + suffix


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
    writer.writerow(
        [table.dimension, "libellé"]
        + [REGISTRY[c].label if c in REGISTRY else c for c in table.columns]
    )
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
