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
from pathlib import Path

import duckdb

from jalon.ingest import delimited
from jalon.ingest.errors import IngestError
from jalon.ingest.inputs import Input, as_utf8, prepared
from jalon.ingest.lheo import import_lheo
from jalon.ingest.progress import Report, enable, watch
from jalon.ingest.pseudonymise import check_store_key, hmac_sql, record_store_key
from jalon.ingest.records import (
    ImportSummary,
    Step,
    Steps,
    check_replaced,
    file_sha256,
    refuse_known_file,
)
from jalon.ingest.textfile import TextSniff, delimiter_name, other_delimiter
from jalon.plan import Plan
from jalon.reference import departement_of_commune
from jalon.sources import Layout, Profile
from jalon.store.canonical import SOURCE_TABLES, rebuild_entrees
from jalon.store.database import transaction
from jalon.store.marts import note_replaced, refresh_marts

MEMORY_LIMIT = os.environ.get("JALON_MEMOIRE", "1GB")


def work_folder(con: duckdb.DuckDBPyConnection) -> Path:
    row = con.execute(
        "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchone()
    if row is None or not row[0]:
        return Path(os.environ.get("TMPDIR", "/tmp")) / "jalon.tmp"
    return Path(f"{row[0]}.tmp")


def configure(con: duckdb.DuckDBPyConnection, workdir: Path) -> None:
    """DuckDB's memory limit and spill folder for an import (and its progress reports)."""
    workdir.mkdir(parents=True, exist_ok=True)
    con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
    # DuckDB refuses to move its spill folder once it has spilled: set it only when it differs.
    current = con.execute("SELECT current_setting('temp_directory')").fetchall()[0][0]
    if Path(str(current)) != workdir:
        con.execute(f"SET temp_directory = '{str(workdir).replace(chr(39), chr(39) * 2)}'")
    enable(con)


def _layout_or_refuse(profile: Profile, text: TextSniff, name: str) -> Layout:
    header = text.header
    layout = profile.match_layout(header)
    if layout:
        return layout
    guessed = other_delimiter(header, text.delimiter)
    if guessed is not None:
        raise IngestError(
            f"{name}, ligne 1 : le profil {profile.name} attend le séparateur "
            f"{delimiter_name(text.delimiter)}, mais l'en-tête semble utiliser "
            f"{delimiter_name(guessed)}. Rien n'a été écrit."
        )
    best, unexpected, missing = profile.closest_layout(header)
    parts = [f"{name}, ligne 1 : en-tête inconnu pour le profil {profile.name}"]
    parts.append(f"(disposition la plus proche : {best.name}, {len(best.columns)} colonnes)")
    if unexpected:
        parts.append(f"; colonnes inattendues : {', '.join(unexpected)}")
    if missing:
        parts.append(f"; colonnes manquantes : {', '.join(missing)}")
    if not unexpected and not missing:
        parts.append("; colonnes dans un ordre inattendu")
    raise IngestError(" ".join(parts) + ". Rien n'a été écrit.")


def _target_columns(profile: Profile, layout: Layout) -> list[str]:
    names = []
    for column in layout.columns:
        spec = profile.columns.get(column)
        if spec is not None and spec.personal != "drop" and spec.to and spec.to not in names:
            names.append(spec.to)
    return names


def _departement_map(con: duckdb.DuckDBPyConnection, column: str) -> None:
    """`_dep_of(commune, departement)` for the communes of accepted lines."""
    communes = [
        r[0]
        for r in con.execute(
            f'SELECT DISTINCT "{column}" FROM _parsed WHERE mask = 0 AND "{column}" IS NOT NULL'
        ).fetchall()
    ]
    rows = []
    for code in communes:
        try:
            rows.append([code, departement_of_commune(code)])
        except KeyError:
            continue
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _dep_of AS SELECT unnest(CAST(? AS VARCHAR[])) AS commune, "
        "unnest(CAST(? AS VARCHAR[])) AS departement",
        [[r[0] for r in rows], [r[1] for r in rows]],
    )


def _insert_rows(
    con: duckdb.DuckDBPyConnection, key: bytes, import_id: int, profile: Profile, layout: Layout
) -> None:
    assert profile.target is not None
    columns = _target_columns(profile, layout)
    select = [f'p."{c}"' for c in columns if c not in ("hash_personne", "departement")]
    joins = ""
    if "hash_personne" in columns:
        # Hashed row by row: identifiers barely repeat in an export, so a DISTINCT and a join
        # back would cost more (and spill) than the HMAC itself.
        select.append(f"{hmac_sql(key, 'p.hash_personne')} AS hash_personne")
    if profile.departement_from:
        _departement_map(con, profile.departement_from)
        own = 'p."departement"' if "departement" in columns else "NULL"
        select.append(f"coalesce({own}, d.departement) AS departement")
        joins += f' LEFT JOIN _dep_of d ON d.commune = p."{profile.departement_from}"'
    elif "departement" in columns:
        select.append('p."departement"')
    if profile.fixed_financeurs and "financeurs" not in columns:
        codes = ", ".join(str(int(c)) for c in profile.fixed_financeurs)
        select.append(f"[{codes}]::UTINYINT[] AS financeurs")
    con.execute(
        f"""
        INSERT INTO {profile.target} BY NAME
        SELECT {import_id} AS import_id, p.line, {", ".join(select)}
        FROM _parsed p{joins}
        WHERE NOT p.is_duplicate AND p.mask = 0
        """
    )


def _write(
    con: duckdb.DuckDBPyConnection,
    key: bytes,
    import_row: list[object],
    plan: Plan,
    profile: Profile,
    layout: Layout,
    parse: delimited.ParsePlan,
    replaces: int | None,
    report: Report | None,
    counted: tuple[int, int],
    in_batch: bool,
    say: Steps,
) -> int:
    lines, rejected = counted
    import_id = int(con.execute("SELECT nextval('import_id_seq')").fetchone()[0])  # type: ignore[index]
    if replaces is not None:
        check_replaced(con, replaces, profile)
        con.execute("UPDATE imports SET status = 'remplace' WHERE import_id = ?", [replaces])
        note_replaced(con, replaces)
        for table in SOURCE_TABLES:
            con.execute(f"DELETE FROM {table} WHERE import_id = ?", [replaces])
    con.execute(
        "INSERT INTO imports (import_id, profile, layout, file_name, sha256, encoding, started_at, "
        "finished_at, lines_read, accepted, rejected, duplicates, status, replaces, imported_by) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, current_localtimestamp(), ?, ?, ?, ?, 'actif', ?, ?)",
        [import_id, *import_row[:-1], replaces, import_row[-1]],
    )
    if rejected:
        con.execute(
            f"INSERT INTO rejets SELECT {import_id}, * FROM ({delimited.rejets_sql(parse.checks)})"
        )
    with watch(con, "Écriture dans la base", report, lines):
        _insert_rows(con, key, import_id, profile, layout)
    if in_batch:
        return import_id
    if profile.target == "entree_lignes" or replaces is not None:
        say("Entrées en formation")
        with watch(con, "Entrées en formation", report, lines):
            rebuild_entrees(con, plan.rules, new_import=None if replaces else import_id)
    return import_id


def _parse(
    con: duckdb.DuckDBPyConnection,
    source: Input,
    profile: Profile,
    layout: Layout,
    name: str,
    report: Report | None,
    workdir: Path,
) -> tuple[TextSniff, delimited.ParsePlan]:
    """Run the parse; a file that is not UTF-8 (in the sample or beyond) is read as
    Windows-1252 through a UTF-8 copy."""
    lines = _estimate_lines(source.path, source.text)
    if source.text.encoding == "utf-8":
        try:
            return source.text, _run(con, source, profile, layout, report, lines)
        except duckdb.Error as exc:
            if "unicode" not in str(exc).lower() and "encoded" not in str(exc).lower():
                raise IngestError(f"{name} : lecture impossible ({_explain(str(exc))})") from None
    with as_utf8(source, workdir) as converted:
        try:
            return converted.text, _run(con, converted, profile, layout, report, lines)
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
    layout: Layout,
    report: Report | None,
    lines: int,
) -> delimited.ParsePlan:
    parse = delimited.build(source.path, source.text, profile, layout)
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
) -> ImportSummary:
    """Import `path` with `profile` into the open store; raise `IngestError` if refused whole.

    The indicator marts are brought up to date after the import's transaction (derived data:
    until then readers recompute them, see `jalon.store.marts`). `in_batch` is for
    `jalon.ingest.batch`, which holds the transaction, configures DuckDB once, and rebuilds
    `entrees` and the marts once after the last file.
    """
    if profile.format == "lheo":
        return _import_lheo(
            con, path, plan, dry_run=dry_run, step=step, replaces=replaces, in_batch=in_batch
        )
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
        with prepared(path, profile, workdir) as source:
            layout = _layout_or_refuse(profile, source.text, path.name)
            say("Lecture et contrôle des lignes")
            text, parse = _parse(con, source, profile, layout, path.name, report, workdir)
        say("Empreinte du fichier")
        try:
            sha = digest.result()
        except OSError as exc:
            raise IngestError(f"{path.name} : fichier illisible ({exc.strerror}).") from None
        refuse_known_file(con, sha, path.name)
        read, accepted, rejected, duplicates = delimited.counts(con)
        reasons = delimited.reasons(con, parse.checks) if rejected else {}
        import_id = None
        if not dry_run:
            say("Écriture dans la base")
            row: list[object] = [
                profile.name,
                layout.name,
                path.name,
                sha,
                text.encoding_label,
                started,
                read,
                accepted,
                rejected,
                duplicates,
                os.environ.get("USER"),
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
                    layout,
                    parse,
                    replaces,
                    report,
                    (read, rejected),
                    in_batch,
                    say,
                )
            if not in_batch:
                say("Tables des indicateurs")
                with watch(con, "Tables des indicateurs", report, accepted):
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
        layout.name,
        text.encoding_label,
        read,
        accepted,
        rejected,
        duplicates,
        reasons,
        dry_run,
        replaces,
        source.kind,
        say.durations,
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
) -> ImportSummary:
    return import_lheo(
        con, path, plan, dry_run=dry_run, step=step, replaces=replaces, in_batch=in_batch
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
