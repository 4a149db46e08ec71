"""Parse and validate a delimited file with DuckDB, following its profile: SQL built from data.

Runs one parallel scan of the file (DuckDB's CSV reader, each physical line read as one string):
every line is split, typed and checked into the temporary table `_rows`, one row per line with two
64-bit hashes of the raw line (to find exact duplicates), the typed values under their canonical
field names (columns found by `jalon.sources.header`, in any order), and a bit mask of the checks
it fails. Insertion order is kept, so a row's `rowid` is its line's rank: the view `_parsed` adds
the line number. Only the columns of declared fields are extracted: personal columns, known
unused columns and columns nobody declared never leave the split line. The raw text of a checked
column is kept only for failing lines (to show it in `rejets` or `anomalies`), and never for the
person identifier, which stays in `_rows` only until it is hashed. `_rows` is temporary (memory or
DuckDB's spill folder, never the database file) and dropped when the import ends.

Each check has a severity: a *reject* check loses the line (it lands in `rejets`); an *anomaly*
check keeps it, the field set to missing when the line is written, and records an `anomalies`
row. Checks against reference lists (département, commune, code postal, région, SIRET check
digit) run afterwards on the distinct values only (one scan for all of them), and one UPDATE
marks the failing lines; then a trainee line whose place gives no département is rejected.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from jalon.ingest.errors import IngestError
from jalon.ingest.reference_checks import bad_values
from jalon.ingest.textfile import TextSniff, delimiter_name
from jalon.reference import financeurs
from jalon.sources import FieldSpec, HeaderMatch, Profile

MAX_LINE_BYTES = 8 << 20
#: Highest code of LHÉO `dict-financeurs` (codes run from 0 without gaps).
KNOWN_FINANCEURS = max(financeurs())
SHOWN_VALUE_CHARS = 200
#: A value of this shape (an e-mail address, a French phone number) is never copied into
#: `rejets` or `anomalies`, whatever its column: a shifted or mislabelled column may hold one.
PERSONAL_VALUE = r"@|(^|[^0-9])(\+33 ?|0)[1-9]([ .-]?[0-9]{2}){4}([^0-9]|$)"
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
    severity: str = "reject"  # "reject": the line is lost; "anomaly": the field is set missing
    column_sql: str | None = None  # the column, when it depends on the line (SQL on `_parsed`)


#: The line that stands for a further physical line of a quoted record (`jalon.ingest.quoted`).
CONTINUATION = "\x1d"
EMPTY_LINE = Check(0, None, "ligne_vide", "ligne vide", "NULL")
#: The bits of the checks on a line's shape (empty, NUL byte, field count): a line failing one
#: is not split into values.
STRUCTURAL = 7


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _field(index: int, missing: list[str], *, spill: bool, delimiter: str) -> str:
    markers = ", ".join(_quote(m) for m in missing)
    if spill:
        value = f"trim(array_to_string(f[{index + 1}:], {_quote(delimiter)}))"
    else:
        value = f"trim(f[{index + 1}])"
    return f"CASE WHEN {value} IN ({markers}) THEN NULL ELSE {value} END"


def _date_sql(raw: str, formats: list[str]) -> str:
    if len(formats) == 1 and formats[0].startswith("%Y-%m-%d"):
        # ISO dates: a cast is several times faster than strptime; the time part is not used.
        fmt = formats[0]
        exact = "" if fmt == "%Y-%m-%d" else f" OR substr({raw}, 11, 1) = ' '"
        return f"CASE WHEN length({raw}) = 10{exact} THEN TRY_CAST(left({raw}, 10) AS DATE) END"
    listed = ", ".join(_quote(f) for f in formats)
    return f"CAST(try_strptime({raw}, [{listed}]) AS DATE)"


def _typed(spec: FieldSpec, raw: str) -> str:
    if spec.type == "integer":
        return f"TRY_CAST({raw} AS INTEGER)"
    if spec.type == "boolean":
        return f"CASE {raw} WHEN '1' THEN true WHEN '0' THEN false END"
    if spec.type == "date":
        return _date_sql(raw, spec.formats)
    if spec.type == "financeurs":
        return f"list_transform(string_split({raw}, ';'), lambda x: TRY_CAST(trim(x) AS UTINYINT))"
    return raw


def _conditions(
    spec: FieldSpec, raw: str, typed: str, missing_raw: str
) -> list[tuple[str, str, str]]:
    """(condition, reason code, French message) for each way this field's value can be wrong."""
    label = spec.label
    out = []
    if spec.required:
        out.append(
            (f"{missing_raw} IS NULL", "valeur_manquante", f"{label} : valeur obligatoire absente")
        )
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
        shown = " ou ".join(_shown_format(f) for f in spec.formats)
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


def _shown_format(fmt: str) -> str:
    shown = fmt.replace("%d", "JJ").replace("%m", "MM").replace("%Y", "AAAA")
    return (
        shown.replace(" %H:%M:%S.%f", " HH:MM:SS.f")
        .replace(" %H:%M:%S", " HH:MM:SS")
        .replace(" %H:%M", " HH:MM")
    )


_REFERENCE_MESSAGES = {
    "departement": ("departement_inconnu", "code de département inconnu"),
    "commune": ("commune_inconnue", "code INSEE de commune inconnu"),
    "code_postal": ("code_postal_inconnu", "code postal qui ne désigne aucun département"),
    "region": ("region_inconnue", "code de région inconnu"),
    "siret": ("siret_invalide", "SIRET invalide (la clé de contrôle ne correspond pas)"),
}


@dataclass(frozen=True)
class ParsePlan:
    parse_sql: str
    checks: list[Check]
    expected_fields: int
    #: Checks whose failure rejects the line, and those that only record an anomaly.
    reject_mask: int
    anomaly_mask: int
    #: Anomaly bits of each output field: the field is set to missing when one is on.
    field_anomalies: dict[str, int]
    #: Condition (on `_rows`) of a line whose place gives no département, with its bit.
    place_sql: str | None = None
    place_bit: int = 0
    #: Rows standing for the further lines of quoted records, dropped after numbering.
    continuations: bool = False


LOCAL_PERSON = "_personne_locale"


def _spills(profile: Profile, match: HeaderMatch) -> bool:
    """A `;`-delimited file whose last column is a `;`-separated financeur list."""
    last = len(match.header) - 1
    spec = profile.fields.get("financeurs")
    return (
        profile.delimiter == ";"
        and spec is not None
        and spec.type == "financeurs"
        and match.positions.get("financeurs") == last
    )


def _check_bits(checks: list[Check], severity: str) -> int:
    bits = 0
    for check in checks:
        if check.severity == severity:
            bits |= 1 << check.bit
    return bits


def build(path: Path, text: TextSniff, profile: Profile, match: HeaderMatch) -> ParsePlan:
    """The SQL that creates `_rows` for this file, and the checks it encodes."""
    expected = len(match.header)
    spill = _spills(profile, match)
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
    # A NUL byte is no character of a text export: the line is damaged, whatever its column.
    header_list = "[" + ", ".join(_quote(name) for name in match.header) + "]"
    checks.append(
        Check(
            2,
            None,
            "octet_nul",
            "octet nul (0x00) dans la ligne : ligne abîmée (copie ou transfert) ou données "
            "binaires ; la ligne ne peut pas être lue",
            "NULL",
            column_sql=f"{header_list}[nul_field]",
        )
    )
    # A financeur list split by a quote-aware reader is joined back with the file's delimiter.
    joiner = profile.delimiter if text.continuations else text.delimiter
    typed_of: dict[str, str] = {}
    local = match.local_id
    if local is not None:
        raw_cols.append(
            f"{_field(local, profile.missing, spill=False, delimiter=text.delimiter)} AS r_local"
        )
        typed_cols.append(("r_local", LOCAL_PERSON))

    def add_check(
        spec: FieldSpec, column: str, cond: str, reason: str, message: str, value: str
    ) -> None:
        bit = len(checks)
        checks.append(Check(bit, column, reason, message, value, severity=spec.severity))
        conditions.append(f"(CASE WHEN {cond} THEN {1 << bit} ELSE 0 END)")

    for field, spec in profile.fields.items():
        index = match.positions.get(field)
        if index is None:
            if field == "hash_personne" and local is not None and spec.required:
                add_check(
                    spec,
                    match.header[local],
                    "r_local IS NULL",
                    "valeur_manquante",
                    f"{spec.label} : valeur obligatoire absente",
                    "NULL",
                )
            continue
        column = match.header[index]
        raw = f"r_{index}"
        is_last = index == expected - 1
        raw_cols.append(
            f"{_field(index, profile.missing, spill=spill and is_last, delimiter=joiner)} AS {raw}"
        )
        typed = _typed(spec, raw)
        if typed != raw:
            # Typed once per line, then read by the checks and the output alike.
            typed_exprs.append(f"{typed} AS t_{index}")
            typed = f"t_{index}"
        typed_of[field] = typed
        typed_cols.append((typed, _ident(field)))
        value = "NULL" if spec.personal else f"v_{index}"
        has_value = False
        missing_raw = raw
        if field == "hash_personne" and local is not None:
            missing_raw = f"coalesce({raw}, r_local)"
        for cond, reason, message in _conditions(spec, raw, typed, missing_raw):
            add_check(spec, column, cond, reason, message, value)
            has_value = True
        if spec.not_before and spec.not_before in typed_of:
            other = profile.fields[spec.not_before]
            add_check(
                spec,
                column,
                f"{typed} < {typed_of[spec.not_before]}",
                "date_incoherente",
                f"{spec.label} : antérieure à « {other.label} »",
                value,
            )
            has_value = True
        if has_value and not spec.personal:
            kept_values.append(
                f"CASE WHEN mask > {STRUCTURAL} "
                f"AND NOT regexp_matches({raw}, {_quote(PERSONAL_VALUE)}) "
                f"THEN left({raw}, {SHOWN_VALUE_CHARS}) END AS v_{index}"
            )
        if spec.check:
            reason, message = _REFERENCE_MESSAGES[spec.check]
            bit = len(checks)
            shown = "NULL" if spec.personal else _ident(field)
            checks.append(
                Check(
                    bit,
                    column,
                    reason,
                    f"{spec.label} : {message}",
                    shown,
                    spec.check,
                    field,
                    spec.severity,
                )
            )
    place_sql, place_bit = None, 0
    if profile.target == "entree_lignes":
        places = [f for f in ("departement", *profile.departement_from) if f in match.positions]
        if places:
            place_bit = len(checks)
            checks.append(
                Check(
                    place_bit,
                    None,
                    "lieu_inconnu",
                    "lieu de formation inconnu : ni département, ni commune, ni code postal "
                    "utilisable",
                    "NULL",
                )
            )
    if len(checks) > _MAX_CHECKS:
        raise IngestError(f"profil {profile.name} : trop de contrôles ({len(checks)}).")
    anomaly_mask = _check_bits(checks, "anomaly")
    field_anomalies: dict[str, int] = {}
    for check in checks:
        if check.severity == "anomaly" and check.column is not None:
            field = _field_of(profile, match, check.column)
            field_anomalies[field] = field_anomalies.get(field, 0) | (1 << check.bit)
    if place_bit:
        terms = [
            f"({_ident(f)} IS NULL OR mask & {field_anomalies.get(f, 0)} <> 0)"
            for f in ("departement", *profile.departement_from)
            if f in match.positions
        ]
        place_sql = " AND ".join(terms)
    field_mask = " | ".join(conditions) if conditions else "0"
    source = (
        f"read_csv({_quote(str(path))}, columns = {{'l': 'VARCHAR'}}, delim = '\\x1e', "
        f"quote = '', escape = '', header = true, auto_detect = false, strict_mode = false, "
        # "\r\n" splits LF, CRLF and a mix of both at their physical lines; "\n" would read a
        # CRLF line as two (inventing blank lines) once a file mixes them.
        f"new_line = '\\r\\n', compression = '{text.compression}', "
        f"encoding = {_quote(text.encoding)}, max_line_size = {MAX_LINE_BYTES})"
    )
    typed_out = "".join(
        f", CASE WHEN mask & {STRUCTURAL} = 0 THEN {sql} END AS {name}" for sql, name in typed_cols
    )
    continuation = f" l = {_quote(CONTINUATION)} AS continuation," if text.continuations else ""
    kept_continuation = ", continuation" if text.continuations else ""
    # One parallel scan; insertion order is kept, so a row's rank in `_rows` is its line's.
    parse_sql = f"""
CREATE OR REPLACE TEMP TABLE _rows AS
WITH split AS (
    SELECT l, string_split(coalesce(l, ''), {_quote(text.delimiter)}) AS f FROM {source}
), fields AS (
    SELECT l IS NULL AS empty, len(f) AS n_fields,{continuation}
           CASE WHEN strpos(l, chr(0)) > 0
                THEN len(string_split(left(l, strpos(l, chr(0))), {_quote(text.delimiter)}))
           END AS nul_field,
           CASE WHEN l IS NOT NULL THEN hash(l) END AS line_hash,
           CASE WHEN l IS NOT NULL THEN hash(l || chr(0)) END AS line_hash2
           {"".join(", " + c for c in raw_cols)}
    FROM split
), typed AS (
    SELECT *{"".join(", " + c for c in typed_exprs)} FROM fields
), checked AS (
    SELECT *,
        CASE WHEN empty THEN 1 WHEN nul_field IS NOT NULL THEN 4
             WHEN {fields_rule}{expected} THEN 2 ELSE {field_mask} END AS mask
    FROM typed
)
SELECT line_hash, line_hash2, mask, false AS is_duplicate,
       CASE WHEN mask = 2 THEN n_fields END AS n_fields, nul_field{kept_continuation}
       {"".join(", " + c for c in kept_values)}
       {typed_out}
FROM checked
"""
    return ParsePlan(
        parse_sql,
        checks,
        expected,
        _check_bits(checks, "reject"),
        anomaly_mask,
        field_anomalies,
        place_sql,
        place_bit,
        text.continuations,
    )


def _field_of(profile: Profile, match: HeaderMatch, column: str) -> str:
    position = match.header.index(column)
    if position == match.local_id:
        return "hash_personne"
    return next(f for f, i in match.positions.items() if i == position)


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def run(con: duckdb.DuckDBPyConnection, plan: ParsePlan) -> None:
    """Create `_parsed`, then mark exact duplicate lines, reference failures and lines whose
    place gives no département."""
    con.execute(plan.parse_sql)
    # Row ids are consecutive in insertion order, but start at 2^55 rather than 0 while the
    # table is private to an open transaction (a series of imports, `jalon.ingest.batch`).
    # Taken before any row is dropped: a row's line is its rank in the file.
    first = con.execute("SELECT coalesce(min(rowid), 0) FROM _rows").fetchall()[0][0]
    if plan.continuations:
        con.execute("DELETE FROM _rows WHERE continuation")
    # Blank lines after the last line of data (an export ending with empty lines) are not lines.
    con.execute(
        "DELETE FROM _rows WHERE mask = 1 AND rowid > "
        "(SELECT coalesce(max(rowid), -1) FROM _rows WHERE mask <> 1)"
    )
    con.execute(
        f"CREATE OR REPLACE TEMP VIEW _parsed AS SELECT rowid - {int(first)} + 2 AS line, * "
        "FROM _rows"
    )
    _mark_duplicates(con)
    _mark_reference_failures(con, [c for c in plan.checks if c.reference and c.target])
    if plan.place_sql is not None:
        con.execute(
            f"UPDATE _rows SET mask = mask | {1 << plan.place_bit} "
            f"WHERE mask & {STRUCTURAL} = 0 AND {plan.place_sql}"
        )


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


@dataclass(frozen=True)
class Counts:
    read: int
    accepted: int
    rejected: int
    duplicates: int
    with_anomalies: int


def counts(con: duckdb.DuckDBPyConnection, plan: ParsePlan) -> Counts:
    """The fate of every line of `_parsed`: read = accepted + rejected + duplicates."""
    reject, anomaly = plan.reject_mask, plan.anomaly_mask
    row = con.execute(
        f"""
        SELECT count(*),
               count(*) FILTER (WHERE NOT is_duplicate AND mask & {reject} = 0),
               count(*) FILTER (WHERE NOT is_duplicate AND mask & {reject} <> 0),
               count(*) FILTER (WHERE is_duplicate),
               count(*) FILTER (WHERE NOT is_duplicate AND mask & {reject} = 0
                                AND mask & {anomaly} <> 0)
        FROM _parsed
        """
    ).fetchone()
    assert row is not None
    return Counts(*(int(v) for v in row))


def _by_reason(con: duckdb.DuckDBPyConnection, checks: list[Check], where: str) -> dict[str, int]:
    by_reason: dict[str, int] = {}
    for check in checks:
        by_reason[check.reason] = by_reason.get(check.reason, 0) | (1 << check.bit)
    if not by_reason:
        return {}
    names = list(by_reason)
    select = ", ".join(f"count(*) FILTER (WHERE mask & {by_reason[n]} <> 0)" for n in names)
    row = con.execute(f"SELECT {select} FROM _parsed WHERE {where}").fetchone()
    assert row is not None
    found = {n: int(c) for n, c in zip(names, row, strict=True) if c}
    return dict(sorted(found.items(), key=lambda kv: (-kv[1], kv[0])))


def reasons(con: duckdb.DuckDBPyConnection, plan: ParsePlan) -> dict[str, int]:
    """Number of rejected lines per reason code, most frequent first."""
    rejecting = [c for c in plan.checks if c.severity == "reject"]
    return _by_reason(con, rejecting, f"mask & {plan.reject_mask} <> 0 AND NOT is_duplicate")


def anomaly_reasons(con: duckdb.DuckDBPyConnection, plan: ParsePlan) -> dict[str, int]:
    """Number of accepted lines per anomaly reason code, most frequent first."""
    flagging = [c for c in plan.checks if c.severity == "anomaly"]
    return _by_reason(
        con,
        flagging,
        f"mask & {plan.reject_mask} = 0 AND mask & {plan.anomaly_mask} <> 0 AND NOT is_duplicate",
    )


def _failures_sql(checks: list[Check], where: str) -> str:
    parts = []
    for check in checks:
        message = _quote(check.message)
        if "{n}" in check.message:
            before, after = check.message.split("{n}")
            message = f"{_quote(before)} || n_fields || {_quote(after)}"
        column = "NULL" if check.column is None else _quote(check.column)
        if check.column_sql is not None:
            column = check.column_sql
        value = (
            check.value_sql if check.value_sql == "NULL" else f"CAST({check.value_sql} AS VARCHAR)"
        )
        parts.append(
            f"SELECT line, {column} AS column_name, {_quote(check.reason)} AS reason, "
            f"{message} AS message, {value} AS value FROM _parsed "
            f"WHERE mask & {1 << check.bit} <> 0 AND {where}"
        )
    return (
        "\nUNION ALL\n".join(parts)
        if parts
        else (
            "SELECT NULL::BIGINT AS line, NULL AS column_name, NULL AS reason, NULL AS message, "
            "NULL AS value WHERE false"
        )
    )


def rejets_sql(plan: ParsePlan) -> str:
    """SELECT (line, column, reason, message, value) for every rejecting check of the rejected
    lines."""
    rejecting = [c for c in plan.checks if c.severity == "reject"]
    return _failures_sql(rejecting, f"NOT is_duplicate AND mask & {plan.reject_mask} <> 0")


def anomalies_sql(plan: ParsePlan) -> str:
    """SELECT (line, column, reason, message, value) for every anomaly of the accepted lines."""
    flagging = [c for c in plan.checks if c.severity == "anomaly"]
    return _failures_sql(flagging, f"NOT is_duplicate AND mask & {plan.reject_mask} = 0")
