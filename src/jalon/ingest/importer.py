"""Import one file into the store: sniff → parse and validate → pseudonymise → load, atomically.

Every line of the file ends in exactly one of three states, counted and stored in `imports`:
accepted (a row of the profile's target table), rejected (rows of `rejets` with line, column,
reason) or duplicate (identical to an earlier line of the same file). Parsing happens in
temporary tables; the write is one DuckDB transaction (import row, rejections, rows, the replaced
import's removal, the `entrees` rebuild): if anything fails, or the process dies, the store is as
it was before. LHEO XML files go to `jalon.ingest.lheo`, which follows the same contract. A series
of files can also be imported as one unit (`jalon.ingest.batch`): one transaction for all of
them, `entrees` and the marts brought up to date once at the end.

DuckDB runs with a memory limit and spills to a work folder beside the database (`<base>.tmp`),
which also holds the temporary text copy of a `.bz2` or spreadsheet input.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import duckdb

from jalon.indicators.marts import note_replaced, refresh_marts
from jalon.ingest import delimited
from jalon.ingest.errors import IngestError
from jalon.ingest.inputs import Input, as_utf8, prepared, remove_leftover_copies
from jalon.ingest.progress import Report, enable, watch
from jalon.ingest.pseudonymise import check_store_key, hmac_sql, record_store_key
from jalon.ingest.quoted import unquoted
from jalon.ingest.records import (
    ImportSummary,
    Step,
    Steps,
    check_replaced,
    file_sha256,
    refuse_known_file,
)
from jalon.ingest.resources import memory_limit, resource_errors
from jalon.ingest.scope import Rows, check_scope, written_regions
from jalon.ingest.textfile import TextSniff, delimiter_name, other_delimiter
from jalon.plan import Plan
from jalon.reference import departement_of_commune, region
from jalon.sources import HeaderMatch, Profile, match_header
from jalon.sources.header import closest_columns, known_names, requirement_label
from jalon.store.canonical import SOURCE_TABLES, rebuild_entrees
from jalon.store.database import transaction


def work_folder(con: duckdb.DuckDBPyConnection) -> Path:
    row = con.execute(
        "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchone()
    if row is None or not row[0]:
        return Path(os.environ.get("TMPDIR", "/tmp")) / "jalon.tmp"
    return Path(f"{row[0]}.tmp")


def configure(con: duckdb.DuckDBPyConnection, workdir: Path) -> None:
    """DuckDB's memory limit and spill folder for an import (and its progress reports); the
    working copies an interrupted import may have left are removed first."""
    workdir.mkdir(parents=True, exist_ok=True)
    remove_leftover_copies(workdir)
    con.execute(f"SET memory_limit = '{memory_limit()}'")
    # DuckDB refuses to move its spill folder once it has spilled: set it only when it differs.
    current = con.execute("SELECT current_setting('temp_directory')").fetchall()[0][0]
    if Path(str(current)) != workdir:
        con.execute(f"SET temp_directory = '{str(workdir).replace(chr(39), chr(39) * 2)}'")
    enable(con)


_PERSONAL_VALUE = re.compile(delimited.PERSONAL_VALUE)


def _shown_column(name: str) -> str:
    """A column name as it may appear in a message: never something that looks like a data
    value (a headerless file's first line holds names, e-mails and phones)."""
    if _PERSONAL_VALUE.search(name) or sum(c.isdigit() for c in name) >= 6:
        return "«…» (valeur masquée : ressemble à une donnée, pas à un nom de colonne)"
    return f"« {name} »"


def match_or_refuse(profile: Profile, text: TextSniff, name: str) -> HeaderMatch:
    """The header matched to the profile's fields; `IngestError` naming what is missing."""
    match = match_header(profile, text.header)
    if match.usable:
        return match
    guessed = other_delimiter(text.header, text.delimiter)
    if guessed is not None:
        raise IngestError(
            f"{name}, ligne 1 : le profil {profile.name} attend le séparateur "
            f"{delimiter_name(text.delimiter)}, mais l'en-tête semble utiliser "
            f"{delimiter_name(guessed)}. Rien n'a été écrit."
        )
    parts = [
        f"{name}, ligne 1 : l'en-tête ne fournit pas {len(match.missing)} champ"
        f"{'s' if len(match.missing) > 1 else ''} obligatoire"
        f"{'s' if len(match.missing) > 1 else ''} du profil {profile.name} :"
    ]
    for requirement in match.missing:
        names = ", ".join(f"« {n} »" for n in known_names(profile, requirement))
        close = [_shown_column(c) for c in closest_columns(profile, match, requirement)]
        label = requirement_label(profile, requirement)
        line = f"  - {label} : colonne attendue sous l'un des noms {names}"
        if close:
            line += f" ; colonnes proches trouvées dans le fichier : {', '.join(close)}"
        parts.append(line)
    parts.append(
        "Rien n'a été écrit. Si ce fichier nomme autrement ces colonnes, décrivez-les dans un "
        "profil (« jalon profils --copier " + profile.name + " », puis --profil FICHIER.toml)."
    )
    raise IngestError("\n".join(parts))


def _departement_map(con: duckdb.DuckDBPyConnection, fields: list[str]) -> None:
    """`_dep_of(key, departement, region)`: the département and région of every valid
    département, commune and postcode of the accepted lines, keyed `field|code`."""
    from jalon.reference import departement_of_code_postal, departement_region, departements

    rows: list[tuple[str, str, str]] = [("departement", d.code, d.code) for d in departements()]
    resolvers = {
        "commune_lieu": departement_of_commune,
        "code_postal_lieu": departement_of_code_postal,
    }
    for field in fields:
        if field not in resolvers:
            continue
        for (code,) in con.execute(
            f'SELECT DISTINCT "{field}" FROM _parsed WHERE "{field}" IS NOT NULL'
        ).fetchall():
            try:
                rows.append((field, code, resolvers[field](code)))
            except (KeyError, ValueError):
                continue
    regions = {dep: departement_region(dep) for _k, _c, dep in rows}
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _dep_of AS SELECT unnest(CAST(? AS VARCHAR[])) AS key, "
        "unnest(CAST(? AS VARCHAR[])) AS departement, unnest(CAST(? AS VARCHAR[])) AS region",
        [
            [f"{r[0]}|{r[1]}" for r in rows],
            [r[2] for r in rows],
            [regions[r[2]] for r in rows],
        ],
    )


def _kept(parse: delimited.ParsePlan, field: str) -> str:
    """A field of `_parsed p` as written: missing when one of its anomalies is on."""
    bits = parse.field_anomalies.get(field, 0)
    value = f'p."{field}"'
    return f"CASE WHEN p.mask & {bits} = 0 THEN {value} END" if bits else value


@dataclass(frozen=True)
class _Place:
    """Where the written lines are: the join giving each its département and région."""

    joins: str = ""
    departement: str | None = None
    region: str = "NULL"


def _place(
    con: duckdb.DuckDBPyConnection, profile: Profile, match: HeaderMatch, parse: delimited.ParsePlan
) -> _Place:
    """The département and région of each line: its place's first usable field (one join for
    the whole line) for a trainee line, its département for a person, its own region for the
    tables counted by region; none for a table that says no place (`emplois`)."""
    if "region" in match.positions:
        return _Place(region=_kept(parse, "region"))
    places = [f for f in ("departement", *profile.departement_from) if f in match.positions]
    if profile.target != "entree_lignes":
        places = places[:1]
    if not places:
        return _Place()
    _departement_map(con, places)
    cases = " ".join(
        f"WHEN {_kept(parse, f)} IS NOT NULL THEN '{f}|' || {_kept(parse, f)}" for f in places
    )
    return _Place(f" LEFT JOIN _dep_of g ON g.key = CASE {cases} END", "g.departement", "g.region")


def _written_rows(profile: Profile, parse: delimited.ParsePlan, place: _Place) -> Rows:
    return Rows(
        f"FROM _parsed p{place.joins} "
        f"WHERE NOT p.is_duplicate AND p.mask & {parse.reject_mask} = 0",
        "p.line",
        place.region,
        located=profile.target != "emplois",
    )


def _insert_rows(
    con: duckdb.DuckDBPyConnection,
    key: bytes,
    import_id: int,
    profile: Profile,
    match: HeaderMatch,
    parse: delimited.ParsePlan,
    place: _Place,
) -> None:
    """Write the accepted lines: fields with an anomaly set to missing, the person hashed."""
    assert profile.target is not None

    def kept(field: str) -> str:
        return _kept(parse, field)

    stored = [f for f in profile.stored_fields() if f in match.positions]
    select = [f'{kept(f)} AS "{f}"' for f in stored if f not in ("hash_personne", "departement")]
    if profile.target == "entree_lignes":
        select.append(f"{place.departement or 'NULL'} AS departement")
    elif "departement" in stored:
        select.append(f"{kept('departement')} AS departement")
    region = place.region if profile.target == "entree_lignes" else "NULL"
    national = 'p."hash_personne"' if "hash_personne" in match.positions else "NULL"
    if "hash_personne" in match.positions or match.local_id is not None:
        # Hashed row by row: identifiers barely repeat in an export, so a DISTINCT and a join
        # back would cost more (and spill) than the HMAC itself.
        person = national
        if match.local_id is not None:
            namespace = f"'{profile.name}/' || coalesce({region}, '?') || '/'"
            local = f"{namespace} || p.{delimited.LOCAL_PERSON}"
            person = f"coalesce({national}, {local})"
            if profile.target == "entree_lignes":
                select.append(
                    f"CASE WHEN {national} IS NULL THEN '{profile.name}' END AS personne_source"
                )
        select.append(f"{hmac_sql(key, person)} AS hash_personne")
    if profile.fixed_financeurs and "financeurs" not in match.positions:
        codes = ", ".join(str(int(c)) for c in profile.fixed_financeurs)
        select.append(f"[{codes}]::UTINYINT[] AS financeurs")
    con.execute(
        f"""
        INSERT INTO {profile.target} BY NAME
        SELECT {import_id} AS import_id, p.line, {", ".join(select)}
        FROM _parsed p{place.joins}
        WHERE NOT p.is_duplicate AND p.mask & {parse.reject_mask} = 0
        """
    )


def _write(
    con: duckdb.DuckDBPyConnection,
    key: bytes,
    import_row: list[object],
    plan: Plan,
    profile: Profile,
    match: HeaderMatch,
    parse: delimited.ParsePlan,
    replaces: int | None,
    report: Report | None,
    counted: delimited.Counts,
    in_batch: bool,
    say: Steps,
    place: _Place,
    regions: list[str],
) -> int:
    import_id = int(con.execute("SELECT nextval('import_id_seq')").fetchone()[0])  # type: ignore[index]
    if replaces is not None:
        check_replaced(con, replaces, profile)
        con.execute("UPDATE imports SET status = 'remplace' WHERE import_id = ?", [replaces])
        note_replaced(con, replaces)
        for table in SOURCE_TABLES:
            con.execute(f"DELETE FROM {table} WHERE import_id = ?", [replaces])
    con.execute(
        "INSERT INTO imports (import_id, profile, layout, file_name, sha256, encoding, started_at, "
        "finished_at, lines_read, accepted, rejected, duplicates, status, replaces, imported_by, "
        "with_anomalies, ignored_columns, regions_ecrites) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, current_localtimestamp(), ?, ?, ?, ?, 'actif', "
        "?, ?, ?, ?, ?)",
        [
            import_id,
            *import_row,
            replaces,
            os.environ.get("USER"),
            counted.with_anomalies,
            match.ignored,
            regions,
        ],
    )
    if counted.rejected:
        con.execute(
            f"INSERT INTO rejets SELECT {import_id}, * FROM ({delimited.rejets_sql(parse)})"
        )
    if counted.with_anomalies:
        con.execute(
            f"INSERT INTO anomalies SELECT {import_id}, * FROM ({delimited.anomalies_sql(parse)})"
        )
    with watch(con, "Écriture dans la base", report, counted.read):
        _insert_rows(con, key, import_id, profile, match, parse, place)
    if in_batch:
        return import_id
    if profile.target == "entree_lignes" or replaces is not None:
        say("Entrées en formation")
        with watch(con, "Entrées en formation", report, counted.read):
            rebuild_entrees(con, plan.rules, new_import=None if replaces else import_id)
    return import_id


def _parse(
    con: duckdb.DuckDBPyConnection,
    source: Input,
    profile: Profile,
    match: HeaderMatch,
    name: str,
    report: Report | None,
    workdir: Path,
) -> tuple[TextSniff, delimited.ParsePlan]:
    """Run the parse; a file that is not UTF-8 (in the sample or beyond) is read as
    Windows-1252 through a UTF-8 copy."""
    lines = _estimate_lines(source.path, source.text)
    if source.text.encoding == "utf-8":
        try:
            return source.text, _run(con, source, profile, match, report, lines)
        except duckdb.OutOfMemoryException:
            raise
        except duckdb.Error as exc:
            if "unicode" not in str(exc).lower() and "encoded" not in str(exc).lower():
                raise IngestError(f"{name} : lecture impossible ({_explain(str(exc))})") from None
    with as_utf8(source, workdir, name, profile.quote) as converted:
        try:
            return converted.text, _run(con, converted, profile, match, report, lines)
        except duckdb.OutOfMemoryException:
            raise
        except duckdb.Error as exc:
            raise IngestError(f"{name} : lecture impossible ({_explain(str(exc))})") from None


def refresh_marts_atomically(con: duckdb.DuckDBPyConnection, plan: Plan) -> None:
    """Rebuild the indicator marts if their sources changed, in a transaction of their own."""
    with transaction(con):
        refresh_marts(con, plan)


def _run(
    con: duckdb.DuckDBPyConnection,
    source: Input,
    profile: Profile,
    match: HeaderMatch,
    report: Report | None,
    lines: int,
) -> delimited.ParsePlan:
    parse = delimited.build(source.path, source.text, profile, match)
    # Line numbers are the rank of each row in the scan: insertion order must be kept while
    # parsing, and only then (writing needs no order, and less memory without it).
    con.execute("SET preserve_insertion_order = true")
    with watch(con, "Lecture et contrôle des lignes", report, lines):
        delimited.run(con, parse)
    con.execute("SET preserve_insertion_order = false")
    return parse


def import_file(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    profile: Profile,
    plan: Plan,
    key: bytes,
    *,
    dry_run: bool = False,
    step: Step | None = None,
    replaces: int | None = None,
    report: Report | None = None,
    in_batch: bool = False,
    scope: str | None = None,
) -> ImportSummary:
    """Import `path` with `profile` into the open store; raise `IngestError` if refused whole.

    `scope` is the region (INSEE code) of a regional account: a row outside it refuses the
    file (`jalon.ingest.scope`); None for a national import.

    The indicator marts are brought up to date after the import's transaction (derived data:
    until then readers recompute them, see `jalon.indicators.marts`). `in_batch` is for
    `jalon.ingest.batch`, which holds the transaction, configures DuckDB once, and rebuilds
    `entrees` and the marts once after the last file.
    """
    if scope is not None:
        scope = _known_region(scope)
    if profile.format == "lheo":
        return _import_lheo(
            con,
            path,
            plan,
            dry_run=dry_run,
            step=step,
            replaces=replaces,
            in_batch=in_batch,
            scope=scope,
        )
    with resource_errors(path.name, work_folder(con)):
        return _import_delimited(
            con,
            path,
            profile,
            plan,
            key,
            dry_run=dry_run,
            step=step,
            replaces=replaces,
            report=report,
            in_batch=in_batch,
            scope=scope,
        )


def _known_region(code: str) -> str:
    try:
        return region(code).code
    except KeyError:
        raise IngestError(f"région inconnue « {code} » (code INSEE de région attendu).") from None


def _import_delimited(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    profile: Profile,
    plan: Plan,
    key: bytes,
    *,
    dry_run: bool,
    step: Step | None,
    replaces: int | None,
    report: Report | None,
    in_batch: bool,
    scope: str | None,
) -> ImportSummary:
    say = Steps(step)
    if not path.is_file():
        raise IngestError(f"{path} : fichier introuvable.")
    started = dt.datetime.now()
    new_key = check_store_key(con, key)
    if replaces is not None:
        check_replaced(con, replaces, profile)
    workdir = work_folder(con)
    if not in_batch:
        configure(con, workdir)
    # The file's SHA-256 (mostly waiting on the disk) is computed by a thread while DuckDB
    # parses; hashlib releases the GIL. A file already imported is refused before any write.
    hasher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="jalon-sha256")
    digest = hasher.submit(file_sha256, path)
    try:
        with (
            prepared(path, profile, workdir) as given,
            unquoted(given, profile, workdir, path.name) as source,
        ):
            match = match_or_refuse(profile, source.text, path.name)
            say("Lecture et contrôle des lignes")
            text, parse = _parse(con, source, profile, match, path.name, report, workdir)
        say("Empreinte du fichier")
        try:
            sha = digest.result()
        except OSError as exc:
            raise IngestError(f"{path.name} : fichier illisible ({exc.strerror}).") from None
        refuse_known_file(con, sha, path.name)
        counted = delimited.counts(con, parse)
        reasons = delimited.reasons(con, parse) if counted.rejected else {}
        flagged = delimited.anomaly_reasons(con, parse) if counted.with_anomalies else {}
        place = _place(con, profile, match, parse)
        written = _written_rows(profile, parse, place)
        if scope is not None:
            check_scope(con, path.name, scope, written)
        regions = written_regions(con, written)
        import_id = None
        if not dry_run:
            say("Écriture dans la base")
            row: list[object] = [
                profile.name,
                match.layout,
                path.name,
                sha,
                text.encoding_label,
                started,
                counted.read,
                counted.accepted,
                counted.rejected,
                counted.duplicates,
            ]
            with transaction(con, own=not in_batch):
                if new_key:
                    record_store_key(con, key)
                import_id = _write(
                    con,
                    key,
                    row,
                    plan,
                    profile,
                    match,
                    parse,
                    replaces,
                    report,
                    counted,
                    in_batch,
                    say,
                    place,
                    regions,
                )
            if not in_batch:
                say("Tables des indicateurs")
                with watch(con, "Tables des indicateurs", report, counted.accepted):
                    refresh_marts_atomically(con, plan)
        say.stop()
    finally:
        hasher.shutdown(wait=False, cancel_futures=True)
        con.execute("RESET preserve_insertion_order")
        con.execute("DROP VIEW IF EXISTS _parsed")
        for table in ("_rows", "_dep_of", "_bad", "_dups"):
            con.execute(f"DROP TABLE IF EXISTS {table}")
        if not in_batch:
            with contextlib.suppress(OSError):
                workdir.rmdir()
    return ImportSummary(
        import_id,
        path.name,
        profile.name,
        match.layout,
        text.encoding_label,
        counted.read,
        counted.accepted,
        counted.rejected,
        counted.duplicates,
        reasons,
        dry_run,
        replaces,
        source.kind,
        say.durations,
        counted.with_anomalies,
        flagged,
        match.ignored,
        regions,
    )


def _import_lheo(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    plan: Plan,
    *,
    dry_run: bool,
    step: Step | None,
    replaces: int | None,
    in_batch: bool,
    scope: str | None,
) -> ImportSummary:
    # Loaded on first use: the LHEO reader brings pyarrow, which a CSV import does not need.
    from jalon.ingest.lheo import import_lheo

    return import_lheo(
        con,
        path,
        plan,
        dry_run=dry_run,
        step=step,
        replaces=replaces,
        in_batch=in_batch,
        scope=scope,
    )


def _estimate_lines(path: Path, text: TextSniff) -> int:
    if text.compression != "none" or text.bytes_per_line <= 0:
        return 0
    return max(0, round(path.stat().st_size / text.bytes_per_line) - 1)


def _explain(message: str) -> str:
    """A French reason from DuckDB's error, never quoting the line itself (personal data)."""
    first = message.strip().splitlines()[0]
    where = re.search(r"Line: (\d+)", first)
    line = f"ligne {where.group(1)} : " if where else ""
    if "line size" in message.lower():
        return f"{line}une ligne dépasse {delimited.MAX_LINE_BYTES >> 20} Mo"
    if "unicode" in message.lower() or "encoded" in message.lower():
        return f"{line}octets invalides pour l'encodage du fichier"
    return first
