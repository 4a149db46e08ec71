"""Floor of the core import in DuckDB: what the mandatory work costs before any accounting.

    .venv/bin/python bench/ingest_floor.py --lignes 1000000 10000000 --resultats bench/RESULTS.md

On the same generated file as `bench/ingest_bench.py` (it reuses that bench's files, its bare
load and its core import), each in its own child process, in one run:
  (a) the bare DuckDB typed load (`ingest_bench.measure_bare`);
  (s) one pass: Jalon's own parse query (`jalon.ingest.delimited.build`: the split of every
      line, every per-line check, the typed values) with the HMAC of the person, its accepted
      lines written straight into a table of the database. No line numbers, no duplicates, no
      reference lists, no rejections, no accounting: less than the issue's core import, so a
      lower bound of any design that does the work in DuckDB's SQL;
  (w) the first step of the core import alone: the same parse query materialised, in line
      order, into the working table `_rows` (DuckDB's CSV reader gives no line number: the
      rank of a row in an insertion-ordered table is the only one it offers);
  (k) the core import (`ingest_bench.measure_core`).
It prints s / a, w / a and k / a: how much of the core import's bar (k ≤ 2 × a, issue 16) the
mandatory work leaves to the rest.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import ingest_bench as bench
from results_file import write_section

if TYPE_CHECKING:
    import duckdb

SECTION_START, SECTION_END = "<!-- plancher:debut -->", "<!-- plancher:fin -->"
LABELS = {
    "bare": "(a) DuckDB, chargement typé nu",
    "passe": "(s) une passe : contrôles, HMAC, écriture",
    "travail": "(w) table de travail `_rows` seule",
    "coeur": "(k) cœur de l'import Jalon",
}


def _parse_plan(path: Path, workdir: Path) -> tuple[str, int, str]:
    """Jalon's parse query for `path` (without its CREATE), its reject mask, and the HMAC
    expression of the person column, built as the importer builds them."""
    from jalon.ingest import delimited
    from jalon.ingest.importer import match_or_refuse
    from jalon.ingest.inputs import prepared
    from jalon.ingest.pseudonymise import hmac_sql
    from jalon.sources import builtin_profiles

    profile = builtin_profiles()["pe-stagiaires"]
    with prepared(path, profile, workdir) as source:
        match = match_or_refuse(profile, source.text, path.name)
        parse = delimited.build(source.path, source.text, profile, match)
    return parse.parse_sql, parse.reject_mask, hmac_sql(bench.KEY.encode(), '"hash_personne"')


def _connect(db: Path) -> duckdb.DuckDBPyConnection:
    import duckdb

    from jalon.ingest.resources import memory_limit

    con = duckdb.connect(str(db))
    con.execute(f"SET memory_limit = '{memory_limit()}'")
    con.execute(f"SET temp_directory = '{db}.tmp'")
    con.execute("SET preserve_insertion_order = true")
    return con


def measure_pass(path: Path, db: Path) -> None:
    parse_sql, reject, person = _parse_plan(path, db.parent)
    body = parse_sql.split(" AS\n", 1)[1]
    working = ["line_hash", "line_hash2", "is_duplicate", "n_fields", "nul_field", "hash_personne"]
    working += re.findall(r" AS (v_\d+)", body)
    con = _connect(db)
    con.execute(
        f"CREATE TABLE lignes AS SELECT * EXCLUDE ({', '.join(working)}), "
        f"{person} AS hash_personne FROM ({body}) WHERE mask & {reject} = 0"
    )
    print(json.dumps({"lignes": con.execute("SELECT count(*) FROM lignes").fetchone()[0]}))
    con.close()


def measure_working(path: Path, db: Path) -> None:
    parse_sql, _reject, _person = _parse_plan(path, db.parent)
    con = _connect(db)
    con.execute(parse_sql)
    print(json.dumps({"lignes": con.execute("SELECT count(*) FROM _rows").fetchone()[0]}))
    con.close()


MEASURES = {
    "bare": bench.measure_bare,
    "passe": measure_pass,
    "travail": measure_working,
    "coeur": bench.measure_core,
}


def run(sizes: list[int], folder: Path) -> list[str]:
    rows = []
    for n in sizes:
        path = bench._generated(folder, n, f"pe-stagiaires-{n}.csv", 2016)
        results: dict[str, tuple[float, float, int]] = {}
        for method in MEASURES:
            db = folder / f"plancher-{method}-{n}.duckdb"
            bench._remove(folder, f"plancher-{method}-{n}.duckdb*")
            wall, cpu, rss, _output = bench._child(method, path, db, __file__)
            bench._remove(folder, f"plancher-{method}-{n}.duckdb*")
            results[method] = (wall, cpu, rss)
            print(
                f"{n:>11,} {LABELS[method]:<44} {wall:7.1f} s ({cpu:6.1f} s CPU)  "
                f"{bench._gib(rss)} Gio",
                flush=True,
            )
        a = results["bare"][0]
        ratios = [bench._ratio(results[m][0], a) for m in ("passe", "travail", "coeur")]
        print(f"   s/a = {ratios[0]} ; w/a = {ratios[1]} ; k/a = {ratios[2]}", flush=True)
        cells = [f"{n:,}".replace(",", "\u202f")]
        for method in MEASURES:
            wall, cpu, rss = results[method]
            cells.append(
                f"{bench._fr(wall)} s ({cpu:.0f} s CPU) / {bench._gib(rss).replace('.', ',')} Gio"
            )
        rows.append("| " + " | ".join(cells + ratios) + " |")
    return rows


def write_results(results: Path, rows: list[str], note: str) -> None:
    section = "\n".join(
        [
            SECTION_START,
            "## Plancher du cœur de l'import (`bench/ingest_floor.py`)",
            "",
            "Même fichier généré que `bench/ingest_bench.py`, chaque mesure dans son propre "
            "processus, une exécution. (a) chargement typé nu de DuckDB ; (s) une seule passe : "
            "la requête de lecture de Jalon (découpage, chaque contrôle ligne à ligne, valeurs "
            "typées), HMAC de la personne, lignes acceptées écrites dans une table : ni numéro "
            "de ligne, ni doublons, ni listes de référence, ni rejets, ni comptes, donc moins "
            "que le cœur de l'import ; (w) la table de travail `_rows` seule (la même requête "
            "matérialisée dans l'ordre des lignes, seul moyen d'avoir le numéro de ligne avec "
            "le lecteur CSV de DuckDB) ; (k) le cœur de l'import.",
            "",
            "| lignes | (a) DuckDB typé nu | (s) une passe | (w) table de travail | (k) cœur "
            "| s / a | w / a | k / a |",
            "|---:|" + "---:|" * 7,
            *rows,
            "",
            note,
            SECTION_END,
        ]
    )
    write_section(results, SECTION_START, SECTION_END, section)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lignes", type=int, nargs="*", default=[1_000_000])
    parser.add_argument("--dossier", type=Path, help="Dossier de travail conservé.")
    parser.add_argument("--resultats", type=Path, help="Écrire la section dans ce RESULTS.md.")
    parser.add_argument("--note", default="", help="Commentaire ajouté sous le tableau.")
    bench.add_child_arguments(parser)
    args = parser.parse_args()
    if bench.run_as_child(args, MEASURES):
        return
    folder = args.dossier or Path(tempfile.mkdtemp(prefix="jalon-plancher-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        rows = run(args.lignes, folder)
    finally:
        if args.dossier is None:
            shutil.rmtree(folder, ignore_errors=True)
    if args.resultats:
        write_results(args.resultats, rows, args.note)


if __name__ == "__main__":
    sys.exit(main())
