"""The open data set of a phase: the plan's public aggregates as CSV and Parquet, described by a
Frictionless data package (`datapackage.json`, Table Schema).

`open_tables` builds the tables from the bilans of a phase (the nation's and every region's, as
`compute_all_bilans` returns them, before secrecy) through `public_views`, the same public path as
the public bilan and ranking (`jalon.indicators.secret`): a hidden cell is empty, and the status
column that follows every value column says « secret ». `package_files` renders the tables and
the descriptor as bytes, deterministically (same data version, same plan: same bytes), for the
CLI (`jalon opendata`) and the web page « Données » alike. Pure functions (no I/O).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

import pyarrow as pa
import pyarrow.parquet as pq

from jalon.export.tables import kind_of
from jalon.indicators.bilan import Bilan, Breakdown, Value, split_key
from jalon.indicators.classement import CRITERIA, Classement, classement_of
from jalon.indicators.registry import (
    BREAKDOWN_SPECS,
    CROSSING_SPECS,
    INDICATORS,
    REGISTRY,
    column_label,
)
from jalon.indicators.secret import (
    SECRET_NOTE,
    apply_secret_bilan,
    apply_secret_classement,
    plan_pattern,
)
from jalon.plan import Plan
from jalon.reference import region as region_of

FieldType = Literal["string", "integer", "number", "boolean", "date", "yearmonth"]
Cell = str | int | float | bool | dt.date | None
LICENCE = {
    "name": "etalab-2.0",
    "title": "Licence Ouverte / Open Licence 2.0",
    "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
}
NATION = ("FR", "France entière")
PUBLISHED, SECRET, MISSING = "publié", "secret", "non disponible"
STATUSES = (PUBLISHED, SECRET, MISSING)
STATUS_SUFFIX = "_statut"
MISSING_VALUES = (
    "Cellule vide : valeur masquée par le secret statistique (la colonne « _statut » qui suit "
    "dit « secret ») ou donnée non disponible, la source n'ayant jamais été importée (« non "
    "disponible »). Une valeur publiée a le statut « publié »."
)
UNITS = {
    "taux": "proportion entre 0 et 1",
    "heures": "heures",
    "pour 1 000": "pour 1 000 demandeurs d'emploi",
}
# Parquet written by pyarrow with fixed settings: same rows, same pyarrow, same bytes.
PARQUET_OPTIONS = {"compression": "zstd", "compression_level": 9, "write_statistics": True}


@dataclass(frozen=True)
class Field:
    name: str
    type: FieldType
    title: str
    description: str
    unit: str | None = None
    status: bool = False  # a value column: followed by its status column


@dataclass(frozen=True)
class OpenTable:
    name: str  # the file's stem and the resource's name
    title: str
    description: str
    key: tuple[str, ...]  # the primary key's fields
    fields: tuple[Field, ...]  # value fields only: status columns are added when written
    rows: list[tuple[tuple[Cell, ...], tuple[str, ...]]]  # (cells, status of each value field)


def public_views(
    every: Mapping[str | None, Bilan], plan: Plan, phase: str
) -> tuple[dict[str | None, Bilan], Classement]:
    """The bilans and the ranking as the public outputs publish them: one suppression pattern
    over every table published together (`plan_pattern`), the same as the PDF, the web and the
    press read."""
    threshold = plan.secret.threshold
    pattern = plan_pattern(every, plan)
    shown = {code: apply_secret_bilan(b, threshold, pattern) for code, b in every.items()}
    classement = apply_secret_classement(classement_of(dict(every), plan, phase), pattern)
    return shown, classement


def _territories(bilans: Mapping[str | None, Bilan]) -> list[tuple[str, str, Bilan]]:
    regional = sorted((code, b) for code, b in bilans.items() if code is not None)
    first = [(*NATION, bilans[None])] if None in bilans else []
    return first + [(code, region_of(code).nom, b) for code, b in regional]


def _status(value: Cell, masked: bool) -> str:
    return SECRET if masked else MISSING if value is None else PUBLISHED


def _value_field(code: str, figure: bool = False) -> Field:
    """A value column: titled as the registry names the figure, or as the bilan's tables head
    their columns (`figure` false)."""
    kind = kind_of(code)
    indicator = REGISTRY.get(code)
    unit = indicator.unit if indicator is not None else None
    description = indicator.definition if indicator is not None else column_label(code)
    return Field(
        code,
        "integer" if kind in ("entier", "ecart") else "number",
        REGISTRY[code].label if figure else column_label(code),
        description,
        UNITS.get(unit or "", unit) if code != "part" else UNITS["taux"],
        status=True,
    )


def _territory_fields() -> tuple[Field, Field]:
    return (
        Field(
            "territoire",
            "string",
            "Code du territoire",
            "Code INSEE de la région, ou FR pour la France entière.",
        ),
        Field("territoire_libelle", "string", "Territoire", "Nom de la région ou France entière."),
    )


#: The bilan tables published: (table, file name, key field, its type, key title).
BREAKDOWNS: tuple[tuple[str, str, str, FieldType, str], ...] = (
    ("mois", "entrees-mois", "mois", "yearmonth", "Mois (AAAA-MM)"),
    (
        "financeur_principal",
        "entrees-financeur-principal",
        "financeur",
        "string",
        "Code du financeur principal",
    ),
    ("departement", "entrees-departement", "departement", "string", "Code du département"),
    ("public", "entrees-public-prioritaire", "public", "string", "Code du public prioritaire"),
    ("domaine", "entrees-domaine-formacode", "domaine", "string", "Domaine Formacode (2 chiffres)"),
)


def _number(value: Value, field: Field) -> Cell:
    if field.type == "integer" and isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def breakdown_table(
    bilans: Mapping[str | None, Bilan],
    code: str,
    name: str,
    key: str,
    key_type: FieldType,
    key_title: str,
) -> OpenTable:
    spec = BREAKDOWN_SPECS[code]
    values = tuple(_value_field(c) for c in spec.columns)
    fields = (*_territory_fields(), *_key_fields(code, key, key_type, key_title), *values)
    rows: list[tuple[tuple[Cell, ...], tuple[str, ...]]] = []
    for territory, label, bilan in _territories(bilans):
        table: Breakdown | None = next((b for b in bilan.breakdowns if b.code == code), None)
        for row in table.rows if table is not None else []:
            cells = [_number(row.values.get(f.name), f) for f in values]
            statuses = tuple(
                _status(v, f.name in row.suppressed) for v, f in zip(cells, values, strict=True)
            )
            rows.append(((territory, label, row.key, row.label, *cells), statuses))
    return OpenTable(
        name,
        f"{spec.label}, par territoire",
        spec.definition,
        ("territoire", key),
        fields,
        rows,
    )


def _key_fields(code: str, key: str, key_type: FieldType, key_title: str) -> tuple[Field, Field]:
    """The code and label columns of the rows of the bilan table `code`."""
    dimension = BREAKDOWN_SPECS[code].dimension
    return (
        Field(key, key_type, key_title, f"{dimension} : code de la ligne."),
        Field(f"{key}_libelle", "string", dimension, f"{dimension} : libellé."),
    )


def month_financeur_table(bilans: Mapping[str | None, Bilan]) -> OpenTable:
    """Entries by territory, month and financeur principal (`Bilan.crossings`): its margins are
    the tables by month and by financeur principal, which one pattern protects with it."""
    spec = CROSSING_SPECS["mois_financeur"]
    margins = (BREAKDOWNS[0], BREAKDOWNS[1])  # by month, by financeur principal
    values = tuple(_value_field(c) for c in spec.columns)
    keys = [f for code, _, key, kind, title in margins for f in _key_fields(code, key, kind, title)]
    rows: list[tuple[tuple[Cell, ...], tuple[str, ...]]] = []
    for territory, label, bilan in _territories(bilans):
        tables = {b.code: b for b in bilan.breakdowns}
        labels = [
            {r.key: r.label for r in tables[code].rows} if code in tables else {}
            for code, *_ in margins
        ]
        crossing = next((b for b in bilan.crossings if b.code == spec.code), None)
        for row in crossing.rows if crossing is not None else []:
            parts = zip(split_key(row.key), labels, strict=True)
            named = [x for part, names in parts for x in (part, names.get(part, part))]
            cells = [_number(row.values.get(f.name), f) for f in values]
            statuses = tuple(
                _status(v, f.name in row.suppressed) for v, f in zip(cells, values, strict=True)
            )
            rows.append(((territory, label, *named, *cells), statuses))
    return OpenTable(
        "entrees-mois-financeur-principal",
        f"{spec.label}, par territoire",
        spec.definition,
        ("territoire", margins[0][2], margins[1][2]),
        (*_territory_fields(), *keys, *values),
        rows,
    )


ARRET_FIELDS = (
    Field(
        "date_arret",
        "date",
        "Date d'arrêt des données",
        "Date à laquelle les chiffres du territoire sont arrêtés : fin du dernier mois couvert "
        "par ses fichiers d'entrées.",
    ),
    Field(
        "phase_en_cours",
        "boolean",
        "Phase en cours",
        "La date d'arrêt précède la fin de la phase : chiffres partiels.",
    ),
)


def indicators_table(bilans: Mapping[str | None, Bilan]) -> OpenTable:
    """One row per territory: its date d'arrêt, then one column (and its status) per indicator
    of the registry."""
    values = tuple(_value_field(i.code, figure=True) for i in INDICATORS)
    rows: list[tuple[tuple[Cell, ...], tuple[str, ...]]] = []
    for territory, label, bilan in _territories(bilans):
        arret: tuple[Cell, Cell] = (
            (None, None) if bilan.arret is None else (bilan.arret.date, bilan.arret.en_cours)
        )
        figures = {f.code: f for f in bilan.figures}
        cells: list[Cell] = []
        statuses: list[str] = []
        for field in values:
            figure = figures.get(field.name)
            value = None if figure is None else figure.value
            masked = figure is not None and value is None and figure.note == SECRET_NOTE
            cells.append(_number(value, field))
            statuses.append(_status(value, masked))
        rows.append(((territory, label, *arret, *cells), tuple(statuses)))
    return OpenTable(
        "indicateurs",
        "Indicateurs du bilan, par territoire",
        "Les indicateurs du bilan de la phase pour la France entière et chaque région, tels "
        "que le registre des indicateurs les définit.",
        ("territoire",),
        (*_territory_fields(), *ARRET_FIELDS, *values),
        rows,
    )


def classement_open_table(classement: Classement) -> OpenTable:
    """The ranking: one row per region, its values and its rank for each criterion."""
    codes = list(classement.regions[0].values) if classement.regions else []
    values = tuple(_value_field(c, figure=True) for c in codes)
    ranks = tuple(
        Field(
            f"rang_{c}",
            "integer",
            f"Rang : {REGISTRY[c].label.lower()}",
            f"Rang de la région (1 : la plus haute valeur), ex aequo au même rang, sur « "
            f"{REGISTRY[c].label} ».",
            status=True,
        )
        for c in CRITERIA
    )
    fields = (
        *_territory_fields(),
        Field(
            "avec_donnees",
            "boolean",
            "Données",
            "La région a des entrées dans la phase ou sa référence.",
        ),
        *values,
        *ranks,
    )
    rows: list[tuple[tuple[Cell, ...], tuple[str, ...]]] = []
    for r in classement.ordered(CRITERIA[0]):
        hidden = r.has_data and all(v is None for v in r.values.values())
        cells: list[Cell] = [_number(r.values[f.name], f) for f in values]
        cells += [r.ranks[c] for c in CRITERIA]
        statuses = tuple(_status(v, hidden) for v in cells)
        rows.append(((r.region, r.label, r.has_data, *cells), statuses))
    return OpenTable(
        "classement",
        "Classement des régions",
        "Valeurs et rangs des régions sur les critères du classement. Une région dont une "
        "valeur est couverte par le secret statistique ne montre ni valeur ni rang.",
        ("territoire",),
        fields,
        rows,
    )


def open_tables(every: Mapping[str | None, Bilan], plan: Plan, phase: str) -> list[OpenTable]:
    """Every table of the open data set, built from the bilans before secrecy."""
    bilans, classement = public_views(every, plan, phase)
    tables = [breakdown_table(bilans, *spec) for spec in BREAKDOWNS]
    tables.insert(2, month_financeur_table(bilans))
    return [*tables, indicators_table(bilans), classement_open_table(classement)]


def _columns(table: OpenTable) -> list[Field]:
    out: list[Field] = []
    for f in table.fields:
        out.append(f)
        if f.status:
            out.append(
                Field(
                    f"{f.name}{STATUS_SUFFIX}",
                    "string",
                    f"Statut : {f.title}",
                    f"« {PUBLISHED} », « {SECRET} » (masqué par le secret statistique) ou « "
                    f"{MISSING} » : la valeur de « {f.name} ».",
                )
            )
    return out


def _records(table: OpenTable) -> list[list[Cell]]:
    out = []
    for cells, statuses in table.rows:
        record: list[Cell] = []
        status = iter(statuses)
        for field, cell in zip(table.fields, cells, strict=True):
            record.append(cell)
            if field.status:
                record.append(next(status))
        out.append(record)
    return out


def _csv_cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        # Plain decimal notation (no exponent), the shortest one that reads back exactly.
        return format(Decimal(repr(value)), "f")
    return str(value)


def table_csv(table: OpenTable) -> bytes:
    """The table as CSV: UTF-8, `,`, one header row of field names, empty cell for no value."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([f.name for f in _columns(table)])
    writer.writerows([_csv_cell(v) for v in record] for record in _records(table))
    return out.getvalue().encode("utf-8")


_ARROW: dict[str, pa.DataType] = {
    "string": pa.string(),
    "yearmonth": pa.string(),
    "integer": pa.int64(),
    "number": pa.float64(),
    "boolean": pa.bool_(),
    "date": pa.date32(),
}


def table_parquet(table: OpenTable) -> bytes:
    columns = _columns(table)
    records = _records(table)
    schema = pa.schema([pa.field(f.name, _ARROW[f.type]) for f in columns])
    arrays = [pa.array([r[i] for r in records], _ARROW[f.type]) for i, f in enumerate(columns)]
    arrow = pa.Table.from_arrays(arrays, schema=schema)
    out = io.BytesIO()
    pq.write_table(arrow, out, **PARQUET_OPTIONS)
    return out.getvalue()


def _schema(table: OpenTable) -> dict[str, object]:
    fields = []
    for f in _columns(table):
        field: dict[str, object] = {
            "name": f.name,
            "type": f.type,
            "title": f.title,
            "description": f.description,
        }
        if f.unit is not None:
            field["unit"] = f.unit
        if f.name.endswith(STATUS_SUFFIX):
            field["constraints"] = {"required": True, "enum": list(STATUSES)}
        fields.append(field)
    return {"fields": fields, "missingValues": [""], "primaryKey": list(table.key)}


@dataclass(frozen=True)
class Release:
    """What the data package says of where its figures come from."""

    plan: Plan
    phase: str
    data_version: str
    last_import: dt.datetime | None
    cutoff: dt.date | None = None  # the nation's date d'arrêt des données, when known


def national_cutoff(every: Mapping[str | None, Bilan]) -> dt.date | None:
    """The date the national figures are as of (`Bilan.arret`), if the bilans carry one."""
    nation = every.get(None)
    return None if nation is None or nation.arret is None else nation.arret.date


def secrecy_rule(threshold: int) -> str:
    return (
        f"Secret statistique : tout effectif de 1 à {threshold - 1} (entrées, personnes, "
        "actions) est masqué, ainsi que les cellules qui permettraient de le retrouver à partir "
        "des totaux publiés (secret secondaire), dans ces tables comme dans le bilan public."
    )


def _digest(name: str, content: bytes) -> dict[str, object]:
    return {
        "path": name,
        "bytes": len(content),
        "hash": f"sha256:{hashlib.sha256(content).hexdigest()}",
    }


def _resource(table: OpenTable, csv_bytes: bytes, parquet_bytes: bytes) -> dict[str, object]:
    """The CSV file as a tabular resource; its Parquet twin, with the same rows and columns, as
    the property `parquet` (frictionless 5 reads Parquet through pandas, which turns an integer
    column with empty cells into floats: listed as a resource, the twin would not validate)."""
    return {
        "name": table.name,
        **_digest(f"{table.name}.csv", csv_bytes),
        "title": table.title,
        "description": table.description,
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "dialect": {"delimiter": ",", "header": True},
        "schema": _schema(table),
        "parquet": {
            **_digest(f"{table.name}.parquet", parquet_bytes),
            "mediatype": "application/vnd.apache.parquet",
            "description": "Les mêmes lignes et colonnes en Parquet (mois en texte AAAA-MM).",
        },
    }


def package_files(tables: list[OpenTable], release: Release) -> dict[str, bytes]:
    """Every file of the data set, by name: each table as CSV and Parquet, `datapackage.json`."""
    plan, phase = release.plan, release.plan.phase(release.phase)
    files: dict[str, bytes] = {}
    resources = []
    for table in tables:
        files[f"{table.name}.csv"] = csv_bytes = table_csv(table)
        files[f"{table.name}.parquet"] = parquet_bytes = table_parquet(table)
        resources.append(_resource(table, csv_bytes, parquet_bytes))
    provenance: dict[str, object] = {
        "plan": plan.name,
        "plan_code": plan.code,
        "plan_sha256": plan.sha256,
        "phase": phase.code,
        "phase_libelle": phase.label,
        "version_donnees": release.data_version,
        "dernier_import": None if release.last_import is None else release.last_import.isoformat(),
    }
    if release.cutoff is not None:
        provenance["date_arret_donnees"] = release.cutoff.isoformat()
    provenance["secret_statistique"] = {
        "seuil": plan.secret.threshold,
        "regle": secrecy_rule(plan.secret.threshold),
        "valeurs_manquantes": MISSING_VALUES,
    }
    descriptor: dict[str, object] = {
        "name": f"jalon-{plan.code}-{phase.code}".lower().replace(" ", "-"),
        "title": f"{plan.name} : agrégats publics, {phase.label}",
        "description": (
            f"{plan.description} Entrées en formation par territoire et par mois, financeur "
            "principal, mois et financeur principal croisés, département, public prioritaire et "
            "domaine de formation, indicateurs du bilan et classement des régions. "
            f"{secrecy_rule(plan.secret.threshold)} "
            f"{MISSING_VALUES}"
        ),
        "version": release.data_version,
        "licenses": [LICENCE],
        "keywords": ["formation professionnelle", "demandeurs d'emploi", plan.name],
        "jalon": provenance,
        "resources": resources,
    }
    if release.last_import is not None:
        descriptor["created"] = release.last_import.isoformat()
    text = json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n"
    files["datapackage.json"] = text.encode("utf-8")
    return files
