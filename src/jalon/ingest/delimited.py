"""Parse and validate a delimited file with DuckDB, following its profile: SQL built from data.

Runs one parallel scan of the file (DuckDB's CSV reader, each physical line read as one string):
every line is split, typed and checked into the temporary table `_rows`, one row per line with two
64-bit hashes of the raw line (to find exact duplicates), the typed values under their canonical
names, and a bit mask of the checks it fails. Insertion order is kept, so a row's `rowid` is its
line's rank: the view `_parsed` adds the line number. The raw text of a checked column is kept
only for failing lines (to show it in `rejets`), and never for personal columns. Personal columns
marked `drop` are never extracted; the identifier marked `hash` stays in `_rows` only until it is
hashed. `_rows` is temporary (memory or DuckDB's spill folder, never the database file) and
dropped when the import ends.

Checks against reference lists (département, commune, région, SIRET check digit) run afterwards
on the distinct values only (one scan for all of them), and one UPDATE marks the failing lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from jalon.ingest.errors import IngestError
from jalon.ingest.reference_checks import bad_values
from jalon.ingest.textfile import TextSniff, delimiter_name
from jalon.reference import financeurs
from jalon.sources import ColumnSpec, Layout, Profile

MAX_LINE_BYTES = 8 << 20
#: Highest code of LHÉO `dict-financeurs` (codes run from 0 without gaps).
KNOWN_FINANCEURS = max(financeurs())
SHOWN_VALUE_CHARS = 200
_NEWLINES = {"\n": "\\n", "\r\n": "\\r\\n"}
_MAX_CHECKS = 62


@dataclass(frozen=True)
class Check:
    """One way a line can be wrong: its bit in `_parsed.mask`, reason code and French message."""

    bit: int
    column: str | None
    reason: str
    message: str
    value_sql: str  # the offending value, as stored in `rejets` (NULL for personal columns)
    reference: str | None = None  # reference list checked after parsing
    target: str | None = None  # canonical column holding the value a reference check reads


EMPTY_LINE = Check(0, None, "ligne_vide", "ligne vide", "NULL")


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _field(index: int, missing: list[str], *, spill: bool, delimiter: str) -> str:
    markers = ", ".join(_quote(m) for m in missing)
    if spill:
        value = f"trim(array_to_string(f[{index + 1}:], {_quote(delimiter)}))"
    else:
        value = f"trim(f[{index + 1}])"
    return f"CASE WHEN {value} IN ({markers}) THEN NULL ELSE {value} END"


def _date_sql(raw: str, fmt: str) -> str:
    if fmt.startswith("%Y-%m-%d"):
        # ISO dates: a cast is several times faster than strptime; the time part is not used.
        exact = "" if fmt == "%Y-%m-%d" else f" OR substr({raw}, 11, 1) = ' '"
        return f"CASE WHEN length({raw}) = 10{exact} THEN TRY_CAST(left({raw}, 10) AS DATE) END"
    return f"CAST(try_strptime({raw}, {_quote(fmt)}) AS DATE)"


def _typed(spec: ColumnSpec, raw: str) -> str:
    if spec.type == "integer":
        return f"TRY_CAST({raw} AS INTEGER)"
    if spec.type == "boolean":
        return f"CASE {raw} WHEN '1' THEN true WHEN '0' THEN false END"
    if spec.type == "date":
        return _date_sql(raw, spec.format or "")
    if spec.type == "financeurs":
        return f"list_transform(string_split({raw}, ';'), lambda x: TRY_CAST(trim(x) AS UTINYINT))"
    return raw


def _conditions(spec: ColumnSpec, raw: str, typed: str) -> list[tuple[str, str, str]]:
    """(condition, reason code, French message) for each way this column's value can be wrong."""
    label = spec.label
    out = []
    if spec.required:
        out.append((f"{raw} IS NULL", "valeur_manquante", f"{label} : valeur obligatoire absente"))
    if spec.type == "integer":
        out.append(
            (
                f"{raw} IS NOT NULL AND {typed} IS NULL",
                "nombre_invalide",
                f"{label} : nombre entier attendu",
            )
        )
        bounds = []
        if spec.minimum is not None:
            bounds.append(f"{typed} < {spec.minimum}")
        if spec.maximum is not None:
            bounds.append(f"{typed} > {spec.maximum}")
        if bounds:
            low = "" if spec.minimum is None else f"au moins {spec.minimum}"
            high = "" if spec.maximum is None else f"au plus {spec.maximum}"
            expected = " et ".join(p for p in (low, high) if p)
            out.append((" OR ".join(bounds), "hors_plage", f"{label} : valeur attendue {expected}"))
    elif spec.type == "boolean":
        out.append(
            (
                f"{raw} IS NOT NULL AND {typed} IS NULL",
                "booleen_invalide",
                f"{label} : 0 ou 1 attendu",
            )
        )
    elif spec.type == "date":
        shown = (spec.format or "").replace("%d", "JJ").replace("%m", "MM").replace("%Y", "AAAA")
        shown = shown.replace(" %H:%M:%S.%f", " HH:MM:SS.f").replace(" %H:%M:%S", " HH:MM:SS")
        out.append(
            (
                f"{raw} IS NOT NULL AND {typed} IS NULL",
                "date_invalide",
                f"{label} : date attendue au format {shown}",
            )
        )
        out.append(
            (
                f"{typed} NOT BETWEEN DATE '{spec.earliest}' AND DATE '{spec.latest}'",
                "date_hors_plage",
                f"{label} : date hors de la plage plausible ({spec.earliest:%d/%m/%Y} – "
                f"{spec.latest:%d/%m/%Y})",
            )
        )
    elif spec.type == "financeurs":
        out.append(
            (
                f"{raw} IS NOT NULL AND len(list_filter({typed}, lambda x: x IS NULL "
                f"OR x > {KNOWN_FINANCEURS})) > 0",
                "financeur_inconnu",
                f"{label} : codes financeurs LHEO (0 à {KNOWN_FINANCEURS}) séparés par « ; » "
                "attendus",
            )
        )
    if spec.pattern:
        expected = f" (attendu : {spec.expected})" if spec.expected else ""
        out.append(
            (
                f"{raw} IS NOT NULL AND NOT regexp_full_match({raw}, {_quote(spec.pattern)})",
                "format_invalide",
                f"{label} : valeur au format inattendu{expected}",
            )
        )
    return out


_REFERENCE_MESSAGES = {
    "departement": ("departement_inconnu", "code de département inconnu"),
    "commune": ("commune_inconnue", "code INSEE de commune inconnu"),
    "region": ("region_inconnue", "code de région inconnu"),
    "siret": ("siret_invalide", "SIRET invalide (la clé de contrôle ne correspond pas)"),
}


@dataclass(frozen=True)
class ParsePlan:
    parse_sql: str
    checks: list[Check]
    expected_fields: int


def _spills(profile: Profile, layout: Layout) -> bool:
    """A `;`-delimited file whose last column is a `;`-separated financeur list."""
    last = profile.columns.get(layout.columns[-1])
    return profile.delimiter == ";" and last is not None and last.type == "financeurs"


def build(path: Path, text: TextSniff, profile: Profile, layout: Layout) -> ParsePlan:
    """The SQL that creates `_lines` and `_parsed` for this file, and the checks it encodes."""
    expected = len(layout.columns)
    spill = _spills(profile, layout)
    raw_cols: list[str] = []
    typed_cols: list[tuple[str, str]] = []
    typed_exprs: list[str] = []
    kept_values: list[str] = []
    conditions: list[str] = []
    checks: list[Check] = [EMPTY_LINE]
    count_hint = (
        " ; une valeur contient peut-être le séparateur" if profile.delimiter in ";," else ""
    )
    fields_rule = "n_fields < " if spill else "n_fields <> "
    checks.append(
        Check(
            1,
            None,
            "nombre_champs",
            f"nombre de champs : {{n}} au lieu de {expected} (séparateur "
            f"{delimiter_name(profile.delimiter)}{count_hint})",
            "NULL",
        )
    )
    for index, name in enumerate(layout.columns):
        spec = profile.columns.get(name)
        if spec is None or spec.personal == "drop" or spec.to is None:
            continue
        raw = f"r_{index}"
        is_last = index == expected - 1
        raw_cols.append(
            f"{_field(index, profile.missing, spill=spill and is_last, delimiter=text.delimiter)}"
            f" AS {raw}"
        )
        typed = _typed(spec, raw)
        if typed != raw:
            # Typed once per line, then read by the checks and the output alike.
            typed_exprs.append(f"{typed} AS t_{index}")
            typed = f"t_{index}"
        typed_cols.append((typed, _ident(spec.to)))
        value = "NULL" if spec.personal else f"v_{index}"
        has_value = False
        for cond, reason, message in _conditions(spec, raw, typed):
            bit = len(checks)
            checks.append(Check(bit, name, reason, message, value))
            conditions.append(f"(CASE WHEN {cond} THEN {1 << bit} ELSE 0 END)")
            has_value = True
        if has_value and not spec.personal:
            kept_values.append(
                f"CASE WHEN mask > 1 THEN left({raw}, {SHOWN_VALUE_CHARS}) END AS v_{index}"
            )
        if spec.check:
            reason, message = _REFERENCE_MESSAGES[spec.check]
            bit = len(checks)
            shown = "NULL" if spec.personal else _ident(spec.to)
            checks.append(
                Check(bit, name, reason, f"{spec.label} : {message}", shown, spec.check, spec.to)
            )
    if len(checks) > _MAX_CHECKS:
        raise IngestError(f"profil {profile.name} : trop de contrôles ({len(checks)}).")
    field_mask = " | ".join(conditions) if conditions else "0"
    source = (
        f"read_csv({_quote(str(path))}, columns = {{'l': 'VARCHAR'}}, delim = '\\x1e', "
        f"quote = '', escape = '', header = true, auto_detect = false, strict_mode = false, "
        f"new_line = '{_NEWLINES[text.newline]}', compression = '{text.compression}', "
        f"encoding = {_quote(text.encoding)}, max_line_size = {MAX_LINE_BYTES})"
    )
    # One parallel scan; insertion order is kept, so a row's rank in `_rows` is its line's.
    parse_sql = f"""
CREATE OR REPLACE TEMP TABLE _rows AS
WITH split AS (
    SELECT l, string_split(coalesce(l, ''), {_quote(text.delimiter)}) AS f FROM {source}
), fields AS (
    SELECT l IS NULL AS empty, len(f) AS n_fields,
           CASE WHEN l IS NOT NULL THEN hash(l) END AS line_hash,
           CASE WHEN l IS NOT NULL THEN hash(l || chr(0)) END AS line_hash2
           {"".join(", " + c for c in raw_cols)}
    FROM split
), typed AS (
    SELECT *{"".join(", " + c for c in typed_exprs)} FROM fields
), checked AS (
    SELECT *,
        CASE WHEN empty THEN 1 WHEN {fields_rule}{expected} THEN 2 ELSE {field_mask} END AS mask
    FROM typed
)
SELECT line_hash, line_hash2, mask, false AS is_duplicate,
       CASE WHEN mask = 2 THEN n_fields END AS n_fields
       {"".join(", " + c for c in kept_values)}
       {"".join(f", CASE WHEN mask & 3 = 0 THEN {sql} END AS {name}" for sql, name in typed_cols)}
FROM checked
"""
    return ParsePlan(parse_sql, checks, expected)


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def run(con: duckdb.DuckDBPyConnection, plan: ParsePlan) -> None:
    """Create `_parsed`, then mark exact duplicate lines and reference failures."""
    con.execute(plan.parse_sql)
    # Row ids are consecutive in insertion order, but start at 2^55 rather than 0 while the
    # table is private to an open transaction (a series of imports, `jalon.ingest.batch`).
    first = con.execute("SELECT coalesce(min(rowid), 0) FROM _rows").fetchall()[0][0]
    con.execute(
        f"CREATE OR REPLACE TEMP VIEW _parsed AS SELECT rowid - {int(first)} + 2 AS line, * "
        "FROM _rows"
    )
    _mark_duplicates(con)
    _mark_reference_failures(con, [c for c in plan.checks if c.reference and c.target])


def _mark_duplicates(con: duckdb.DuckDBPyConnection) -> None:
    """A line identical to an earlier one is a duplicate. Lines are compared by two independent
    64-bit hashes (128 bits, as an MD5), so a collision is, in practice, impossible. Only the
    repeated hashes and their first line are gathered (no per-group list), then marked."""
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE _dups AS
        SELECT line_hash, line_hash2, min(rowid) AS first
        FROM _rows WHERE line_hash IS NOT NULL
        GROUP BY line_hash, line_hash2 HAVING count(*) > 1
        """
    )
    if con.execute("SELECT count(*) FROM _dups").fetchone() != (0,):
        con.execute(
            "UPDATE _rows SET is_duplicate = true FROM _dups d "
            "WHERE _rows.line_hash = d.line_hash AND _rows.line_hash2 = d.line_hash2 "
            "AND _rows.rowid <> d.first"
        )
    con.execute("DROP TABLE _dups")


def _mark_reference_failures(con: duckdb.DuckDBPyConnection, checks: list[Check]) -> None:
    """One scan gathers the distinct values of every checked column, one UPDATE marks them."""
    if not checks:
        return
    columns = [_ident(c.target or "") for c in checks]
    distinct = ", ".join(f"list(DISTINCT {c}) FILTER (WHERE {c} IS NOT NULL)" for c in columns)
    found = con.execute(f"SELECT {distinct} FROM _parsed").fetchone()
    assert found is not None
    kinds, values, marks = [], [], []
    for index, (check, column, seen) in enumerate(zip(checks, columns, found, strict=True)):
        bad = bad_values(check.reference or "", seen or [])
        if bad:
            kinds += [index] * len(bad)
            values += bad
            marks.append((f"{column} IN (SELECT v FROM _bad WHERE kind = {index})", 1 << check.bit))
    if not marks:
        return
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _bad AS SELECT unnest(CAST(? AS INTEGER[])) AS kind, "
        "unnest(CAST(? AS VARCHAR[])) AS v",
        [kinds, values],
    )
    bits = " | ".join(f"CASE WHEN {cond} THEN {bit} ELSE 0 END" for cond, bit in marks)
    where = " OR ".join(cond for cond, _ in marks)
    con.execute(f"UPDATE _rows SET mask = mask | {bits} WHERE {where}")
    con.execute("DROP TABLE _bad")


def counts(con: duckdb.DuckDBPyConnection) -> tuple[int, int, int, int]:
    """(read, accepted, rejected, duplicates) of `_parsed`."""
    row = con.execute(
        """
        SELECT count(*),
               count(*) FILTER (WHERE NOT is_duplicate AND mask = 0),
               count(*) FILTER (WHERE NOT is_duplicate AND mask <> 0),
               count(*) FILTER (WHERE is_duplicate)
        FROM _parsed
        """
    ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1]), int(row[2]), int(row[3])


def reasons(con: duckdb.DuckDBPyConnection, checks: list[Check]) -> dict[str, int]:
    """Number of rejected lines per reason code, most frequent first."""
    by_reason: dict[str, int] = {}
    for check in checks:
        by_reason[check.reason] = by_reason.get(check.reason, 0) | (1 << check.bit)
    if not by_reason:
        return {}
    names = list(by_reason)
    select = ", ".join(f"count(*) FILTER (WHERE mask & {by_reason[n]} <> 0)" for n in names)
    row = con.execute(
        f"SELECT {select} FROM _parsed WHERE mask <> 0 AND NOT is_duplicate"
    ).fetchone()
    assert row is not None
    found = {n: int(c) for n, c in zip(names, row, strict=True) if c}
    return dict(sorted(found.items(), key=lambda kv: (-kv[1], kv[0])))


def rejets_sql(checks: list[Check]) -> str:
    """SELECT (import_id ?, line, column, reason, message, value) for every failed check."""
    parts = []
    for check in checks:
        message = _quote(check.message)
        if "{n}" in check.message:
            before, after = check.message.split("{n}")
            message = f"{_quote(before)} || n_fields || {_quote(after)}"
        column = "NULL" if check.column is None else _quote(check.column)
        value = (
            check.value_sql if check.value_sql == "NULL" else f"CAST({check.value_sql} AS VARCHAR)"
        )
        parts.append(
            f"SELECT line, {column} AS column_name, {_quote(check.reason)} AS reason, "
            f"{message} AS message, {value} AS value FROM _parsed "
            f"WHERE mask & {1 << check.bit} <> 0 AND NOT is_duplicate"
        )
    return "\nUNION ALL\n".join(parts)
