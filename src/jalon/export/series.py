"""The monthly series of a phase: entries month by month, against the reference window, with the
year-on-year change (« glissement annuel ») and the series' metadata.

Built from the bilan's by-month table (`Bilan.breakdown("mois")`: the same counts as every other
output, secrecy included when the bilan is public), so a series never disagrees with a bilan. The
glissement annuel of a month is its entries over those of the same month a year earlier, minus
one, as the statistics offices' monthly dashboards publish it; the cumulated one compares the
entries since the start of the phase with the same months a year earlier. When the plan's
reference window is not the year before, the change is computed against the matching month of
the reference and the metadata says so. The revision window is the last `REVISION_MONTHS` months
up to the latest entry date of the store: a later file (a late declaration, a replaced monthly
export) may still change them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from jalon.export.tables import Cell, Table
from jalon.indicators.bilan import Bilan, month_range
from jalon.indicators.registry import REGISTRY
from jalon.plan import Phase

REVISION_MONTHS = 3
INDICATORS = ("entrees",)
COLUMNS = (
    ("mois", "Mois", "texte"),
    ("libelle", "Libellé", "texte"),
    ("entrees", "Entrées", "entier"),
    ("mois_reference", "Mois de référence", "texte"),
    ("entrees_reference", "Entrées du mois de référence", "entier"),
    ("glissement_annuel", "Glissement annuel", "taux"),
    ("cumul", "Entrées cumulées depuis le début de la phase", "entier"),
    ("cumul_reference", "Entrées cumulées de la référence", "entier"),
    ("glissement_annuel_cumule", "Glissement annuel du cumul", "taux"),
    ("provisoire", "Provisoire (fenêtre de révision)", "texte"),
)


def _key(month: int) -> str:
    return f"{month // 12:04d}-{month % 12 + 1:02d}"


def _change(value: int | None, reference: int | None) -> float | None:
    if value is None or not reference:
        return None
    return (value - reference) / reference


@dataclass(frozen=True)
class Series:
    metadata: dict[str, Any]
    rows: list[dict[str, Any]]

    def as_dict(self) -> dict[str, Any]:
        return {"metadonnees": self.metadata, "serie": self.rows}

    def table(self) -> Table:
        kinds = {code: kind for code, _, kind in COLUMNS}
        rows = [
            [
                Cell(
                    ("oui" if v else "non") if c == "provisoire" else v,
                    kinds[c],  # type: ignore[arg-type]
                    v is None and c in row.get("masque", ()),
                )
                for c, v in ((c, row[c]) for c, _, _ in COLUMNS)
            ]
            for row in self.rows
        ]
        headers = tuple(label for _, label, _ in COLUMNS)
        return Table("serie", "Série mensuelle", "Série mensuelle", headers, rows)

    def metadata_table(self) -> Table:
        m = self.metadata
        items = [
            ("Indicateur", m["libelle"]),
            ("Ce qui est compté", m["definition"]),
            ("Territoire", m["territoire"]),
            ("Phase", m["phase"]),
            ("Période de référence", m["reference"]),
            ("Date retenue", m["base_date"]),
            ("Lieu retenu", m["base_lieu"]),
            ("Glissement annuel", m["glissement"]),
            ("Fenêtre de révision", m["revision"]),
            ("Secret statistique", m["secret"]),
        ]
        rows = [[Cell(k), Cell(v)] for k, v in items]
        headers = ("Élément", "Valeur")
        return Table("metadonnees", "Métadonnées", "Métadonnées", headers, rows, (28, 90))


def monthly_series(
    bilan: Bilan, phase: Phase, territory: str, latest_entry: dt.date | None
) -> Series:
    """The series of `bilan`'s phase; `latest_entry`: the latest entry date of the store."""
    table = bilan.breakdown("mois")
    reference_months = month_range(phase.reference_start, phase.reference_end)
    months = month_range(phase.start, phase.end)
    shift = months[0] - reference_months[0]
    last = None if latest_entry is None else latest_entry.year * 12 + latest_entry.month - 1
    revision = [] if last is None else [m for m in months if last - REVISION_MONTHS < m <= last]
    rows = []
    cumul: int | None = 0
    cumul_reference: int | None = 0
    for i, row in enumerate(table.rows):
        entries = row.values.get("entrees")
        reference = row.values.get("entrees_reference")
        cumul = None if cumul is None or entries is None else cumul + int(entries)
        if cumul_reference is not None and reference is not None:
            cumul_reference += int(reference)
        else:
            cumul_reference = None
        rows.append(
            {
                "mois": row.key,
                "libelle": row.label,
                "entrees": entries,
                "mois_reference": _key(reference_months[i]) if i < len(reference_months) else None,
                "entrees_reference": reference,
                "glissement_annuel": _change(entries, reference),  # type: ignore[arg-type]
                "cumul": cumul,
                "cumul_reference": cumul_reference,
                "glissement_annuel_cumule": _change(cumul, cumul_reference),
                "provisoire": months[i] in revision,
                "masque": sorted(row.suppressed),
            }
        )
    glissement = (
        "entrées du mois rapportées à celles du même mois de l'année précédente, moins un"
        if shift == 12
        else "entrées du mois rapportées à celles du mois correspondant de la période de "
        f"référence (décalée de {shift} mois), moins un"
    )
    revision_text = (
        f"les {REVISION_MONTHS} derniers mois jusqu'à la dernière date d'entrée connue "
        f"({_key(last)}) peuvent encore changer avec un fichier ultérieur : "
        + (", ".join(_key(m) for m in revision) or "aucun mois de cette phase")
        if last is not None
        else "aucune entrée dans la base"
    )
    threshold = table.secret_threshold
    metadata = {
        "indicateur": "entrees",
        "libelle": REGISTRY["entrees"].label,
        "definition": REGISTRY["entrees"].definition,
        "plan": bilan.plan,
        "phase": phase.code,
        "region": bilan.region,
        "territoire": territory,
        "reference": f"{_key(reference_months[0])} à {_key(reference_months[-1])}",
        "base_date": "date d'entrée en formation (mois de la date d'entrée)",
        "base_lieu": "lieu de la formation (département, puis sa région), non le domicile",
        "glissement": glissement,
        "decalage_reference_mois": shift,
        "revision": revision_text,
        "fenetre_revision": [_key(m) for m in revision],
        "secret": "non appliqué (usage interne)"
        if threshold is None
        else f"appliqué (seuil : {threshold}), cellules masquées vides",
    }
    return Series(metadata, rows)
