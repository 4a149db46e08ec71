"""Parse and validate a delimited file with DuckDB, following its profile: SQL built from data.

Runs one streaming scan of the file: each physical line is read as one string with its line
number, split on the profile's delimiter, and every kept column is typed and checked. The result
is a temporary table `_parsed` (in memory or DuckDB's spill directory, never in the database file)
with one row per line: its status, its errors and its typed values. Personal columns marked
`drop` are never extracted; the identifier marked `hash` stays in `_parsed` only until it is
hashed, and the raw line itself is not kept (only its MD5, to recognise exact duplicates).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from jalon.ingest.textfile import TextSniff
from jalon.sources import ColumnSpec, Layout, Profile

MAX_LINE_BYTES = 64 << 20
KNOWN_FINANCEURS = 17
DATE_MIN, DATE_MAX = "1990-01-01", "2100-12-31"
_NEWLINES = {"\n": "\\n", "\r\n": "\\r\\n"}


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _field(index: int, missing: list[str]) -> str:
    markers = ", ".join(_quote(m) for m in missing)
    value = f"trim(f[{index + 1}])"
    return f"CASE WHEN {value} IN ({markers}) THEN NULL ELSE {value} END"


def _typed(spec: ColumnSpec, raw: str) -> str:
    if spec.type == "integer":
        return f"TRY_CAST({raw} AS INTEGER)"
    if spec.type == "date":
        return f"CAST(try_strptime({raw}, {_quote(spec.format or '')}) AS DATE)"
    if spec.type == "financeurs":
        return f"list_transform(string_split({raw}, ';'), lambda x: TRY_CAST(trim(x) AS UTINYINT))"
    return raw


def _checks(name: str, spec: ColumnSpec, raw: str, typed: str) -> list[tuple[str, str, str]]:
    """(condition, reason code, French message) for each way this column can be wrong."""
    label = spec.label
    checks = []
    if spec.required:
        checks.append(
            (f"{raw} IS NULL", "valeur_manquante", f"{label} : valeur obligatoire absente")
        )
    if spec.type == "integer":
        checks.append(
            (
                f"{raw} IS NOT NULL AND {typed} IS NULL",
                "nombre_invalide",
                f"{label} : nombre entier attendu",
            )
        )
    elif spec.type == "date":
        checks.append(
            (
                f"{raw} IS NOT NULL AND {typed} IS NULL",
                "date_invalide",
                f"{label} : date attendue au format {spec.format}",
            )
        )
        checks.append(
            (
                f"{typed} NOT BETWEEN DATE '{DATE_MIN}' AND DATE '{DATE_MAX}'",
                "date_hors_plage",
                f"{label} : date hors de la plage plausible (1990–2100)",
            )
        )
    elif spec.type == "financeurs":
        checks.append(
            (
                f"{raw} IS NOT NULL AND len(list_filter({typed}, lambda x: x IS NULL "
                f"OR x > {KNOWN_FINANCEURS})) > 0",
                "financeur_inconnu",
                f"{label} : codes financeurs LHEO (0 à {KNOWN_FINANCEURS}) "
                "séparés par « ; » attendus",
            )
        )
    if spec.pattern:
        checks.append(
            (
                f"{raw} IS NOT NULL AND NOT regexp_full_match({raw}, {_quote(spec.pattern)})",
                "format_invalide",
                f"{label} : valeur au format inattendu",
            )
        )
    return checks


def _error_struct(name: str, spec: ColumnSpec, raw: str, cond: str, reason: str, msg: str) -> str:
    shown = "NULL" if spec.personal else f"left({raw}, 200)"
    return (
        f"CASE WHEN {cond} THEN {{'column_name': {_quote(name)}, 'reason': {_quote(reason)}, "
        f"'message': {_quote(msg)}, 'value': {shown}}} END"
    )


def build_parse_sql(path: Path, sniff: TextSniff, profile: Profile, layout: Layout) -> str:
    """The SQL that creates `_parsed` for this file."""
    expected = len(layout.columns)
    raw_cols: list[str] = []
    typed_cols: list[str] = []
    errors: list[str] = []
    for index, name in enumerate(layout.columns):
        spec = profile.columns.get(name)
        if spec is None or spec.personal == "drop" or spec.to is None:
            continue
        raw = f"r_{index}"
        raw_cols.append(f"{_field(index, profile.missing)} AS {raw}")
        typed = _typed(spec, raw)
        typed_cols.append(f"{typed} AS {spec.to}")
        for cond, reason, msg in _checks(name, spec, raw, typed):
            errors.append(_error_struct(name, spec, raw, cond, reason, msg))
    delim = profile.delimiter
    count_msg = (
        f"'nombre de champs : ' || n_fields || ' au lieu de {expected} (séparateur « {delim} »)'"
    )
    structural = (
        "CASE WHEN l IS NULL THEN [{'column_name': NULL, 'reason': 'ligne_vide', "
        "'message': 'ligne vide', 'value': NULL}] "
        f"WHEN n_fields <> {expected} THEN [{{'column_name': NULL, 'reason': 'nombre_champs', "
        f"'message': {count_msg}, 'value': NULL}}] END"
    )
    field_errors = (
        f"list_filter([{', '.join(errors)}], lambda e: e IS NOT NULL)" if errors else "[]"
    )
    source = (
        f"read_csv({_quote(str(path))}, columns = {{'l': 'VARCHAR'}}, delim = '\\x1f', "
        f"quote = '', escape = '', header = true, auto_detect = false, strict_mode = false, "
        f"new_line = '{_NEWLINES[sniff.newline]}', "
        f"encoding = {_quote(sniff.encoding)}, max_line_size = {MAX_LINE_BYTES})"
    )
    return f"""
CREATE OR REPLACE TEMP TABLE _parsed AS
WITH numbered AS (
    SELECT row_number() OVER () + 1 AS line, l FROM {source}
), split AS (
    SELECT line, l, string_split(coalesce(l, ''), {_quote(delim)}) AS f FROM numbered
), fields AS (
    SELECT line, l, len(f) AS n_fields, {", ".join(raw_cols)} FROM split
), checked AS (
    SELECT
        line,
        CASE WHEN l IS NULL THEN NULL ELSE md5_number(l) END AS line_hash,
        coalesce({structural}, {field_errors}) AS errors,
        {", ".join(typed_cols)}
    FROM fields
)
SELECT
    *,
    line_hash IS NOT NULL
        AND row_number() OVER (PARTITION BY line_hash ORDER BY line) > 1 AS is_duplicate
FROM checked
"""


def parse(
    con: duckdb.DuckDBPyConnection, path: Path, sniff: TextSniff, profile: Profile, layout: Layout
) -> None:
    con.execute(build_parse_sql(path, sniff, profile, layout))
