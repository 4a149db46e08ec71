"""Benchmark of the `pe-stagiaires` import against baselines measured in the same run.

    .venv/bin/python bench/ingest_bench.py --lignes 1000000
    .venv/bin/python bench/ingest_bench.py --lignes 10000000 --sans pandas
    .venv/bin/python bench/ingest_bench.py --lignes --petits 300   # per-file overhead only

For each size, one generated file (`jalon.simulate.pe_stagiaires.write_pe_stagiaires`, 2016
layout, 0.2 % malformed lines) is loaded by each method, each in its own child process so that
its peak memory (`os.wait4`) is its own:
  (a) bare DuckDB typed load: `CREATE TABLE AS SELECT` of the profile's kept columns, typed as the
      profile says, from `read_csv` (no validation, no accounting, no hashing);
  (a') DESIGN §7's other reference point, "cleaned and hashed, to Parquet": the same typed read,
      lines without identifier or financeur dropped, the identifier HMAC-hashed, `COPY` to Parquet;
  (b) `jalon import`: `import_file` into a fresh store (sniff, SHA-256, validation, accounting,
      rejections, duplicates, HMAC, load, `entrees`, then the indicator mart), and (b') the same
      without the mart; the summary's step durations give the table of where the time goes;
  (c) pandas: `read_csv` with string dtypes, exact-duplicate removal, personal columns dropped,
      HMAC of ids with `hmac`, dates parsed, checks, then loaded into DuckDB.
Bars (DESIGN §7): b ≤ 1.5 × a; b at least 4 × faster than c; b's peak memory under 2 GiB.
Files and databases go to a temporary folder removed afterwards (`--dossier` to keep them).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

KEY = "cle-de-banc-d-essai-jalon-0123456789"
MALFORMED_SHARE = 0.002
BAR_BARE, BAR_PANDAS, BAR_MEMORY = 1.5, 4.0, 2 << 30
SECTION_START, SECTION_END = "<!-- ingest:debut -->", "<!-- ingest:fin -->"
#: The steps of an import, as `ImportSummary.durations` names them.
STEPS = (
    "Lecture et contrôle des lignes",
    "Empreinte du fichier",
    "Écriture dans la base",
    "Entrées en formation",
    "Tables des indicateurs",
)


def _kept() -> dict[str, str]:
    """Column of the 2016 layout that the profile reads → DuckDB type, as the profile declares."""
    from jalon.simulate.pe_stagiaires import LAYOUT_2016
    from jalon.sources import builtin_profiles, match_header

    profile = builtin_profiles()["pe-stagiaires"]
    types = {"text": "VARCHAR", "integer": "INTEGER", "date": "TIMESTAMP", "financeurs": "VARCHAR"}
    match = match_header(profile, list(LAYOUT_2016))
    kept = {}
    for field, position in sorted(match.positions.items(), key=lambda item: item[1]):
        spec = profile.fields[field]
        kept[LAYOUT_2016[position]] = types[spec.type] if spec.type != "boolean" else "BOOLEAN"
    return kept


def _typed_read(path: Path) -> tuple[list[str], str]:
    """The profile's kept columns, typed as it declares them, and DuckDB's `read_csv` of the file
    (lines that do not fit the types are skipped): what the bare load (a) and (a') read."""
    from jalon.simulate.pe_stagiaires import LAYOUT_2016 as layout

    kept = _kept()
    columns = {c: kept.get(c, "VARCHAR") for c in layout}
    select = []
    for name, kind in kept.items():
        if kind == "TIMESTAMP":
            select.append(f"CAST({name} AS DATE) AS {name}")
        elif name == "liste_financeur":
            select.append(
                f"list_transform(string_split({name}, ';'), "
                f"lambda x: TRY_CAST(x AS UTINYINT)) AS {name}"
            )
        else:
            select.append(name)
    source = f"""read_csv('{path}', delim = '|', header = true, quote = '', escape = '',
                      auto_detect = false, columns = {columns}, nullstr = ['NULL', ''],
                      timestampformat = '%Y-%m-%d %H:%M:%S.%f', ignore_errors = true)"""
    return select, source


def measure_bare(path: Path, db: Path) -> None:
    import duckdb

    select, source = _typed_read(path)
    con = duckdb.connect(str(db))
    con.execute(f"CREATE TABLE bare AS SELECT {', '.join(select)} FROM {source}")
    con.close()


def measure_parquet(path: Path, db: Path) -> None:
    """(a') DESIGN §7's other reference point: the typed read, cleaned (lines without an
    identifier or a financeur dropped) and hashed (HMAC of the identifier), written to Parquet."""
    import duckdb

    from jalon.ingest.pseudonymise import hmac_sql

    select, source = _typed_read(path)
    select = [
        f"{hmac_sql(KEY.encode(), 'dn_individu_national')} AS hash_personne"
        if name == "dn_individu_national"
        else name
        for name in select
    ]
    con = duckdb.connect(str(db))
    con.execute(
        f"COPY (SELECT {', '.join(select)} FROM {source} WHERE dn_individu_national IS NOT NULL "
        f"AND liste_financeur IS NOT NULL) TO '{db}.parquet' (FORMAT parquet)"
    )
    con.close()


def measure_jalon_without_marts(path: Path, db: Path) -> None:
    """(b) without the `entrees_marts` refresh the importer ends with (the indicators' stage,
    timed apart so that each stage's share is known)."""
    import jalon.ingest.importer as importer

    importer.refresh_marts = lambda *_args: False
    measure_jalon(path, db)


def measure_jalon(path: Path, db: Path) -> None:
    from jalon.ingest import import_file
    from jalon.plan import load_plan
    from jalon.sources import builtin_profiles
    from jalon.store import open_store

    con = open_store(db)
    summary = import_file(con, path, builtin_profiles()["pe-stagiaires"], load_plan(), KEY.encode())
    con.close()
    print(json.dumps(summary.as_dict()))


def measure_pandas(path: Path, db: Path) -> None:
    import hashlib
    import hmac

    import duckdb
    import pandas as pd

    from jalon.ingest.reference_checks import luhn_ok
    from jalon.reference import departements, est_commune
    from jalon.sources import builtin_profiles

    profile = builtin_profiles()["pe-stagiaires"]
    frame = pd.read_csv(
        path,
        sep="|",
        dtype=str,
        na_values=["NULL", ""],
        keep_default_na=False,
        on_bad_lines="skip",
        quoting=3,
    )
    duplicated = frame.duplicated()
    frame = frame[~duplicated]
    dropped = [c for c in profile.personal_columns if c in frame]
    frame = frame.drop(columns=dropped)
    ok = frame["dn_individu_national"].notna() & frame["liste_financeur"].notna()
    for spec in profile.fields.values():
        name = next((n for n in spec.names if n in frame), None)
        if name is not None and spec.pattern:
            ok &= frame[name].isna() | frame[name].str.fullmatch(spec.pattern[1:-1]).fillna(False)
    start = pd.to_datetime(
        frame["dd_datedebutmodule"], format="%Y-%m-%d %H:%M:%S.%f", errors="coerce"
    )
    end = pd.to_datetime(frame["dd_datefinmodule"], format="%Y-%m-%d %H:%M:%S.%f", errors="coerce")
    ok &= start.notna() & (end.notna() | frame["dd_datefinmodule"].isna())
    for name in ("dn_nombreheurescentre", "dn_dureeentreprise"):
        number = pd.to_numeric(frame[name], errors="coerce")
        ok &= number.notna() | frame[name].isna()
        frame[name] = number.astype("Int32")
    codes = frame["liste_financeur"].str.split(";")
    ok &= codes.map(lambda c: isinstance(c, list) and all(x.isdigit() and int(x) <= 17 for x in c))
    known_deps = {d.code for d in departements()}
    ok &= frame["departement"].isna() | frame["departement"].isin(known_deps)
    communes = frame["dc_insee_lieuformation"].dropna().unique()
    good_communes = {c for c in communes if est_commune(c)}
    ok &= frame["dc_insee_lieuformation"].isna() | frame["dc_insee_lieuformation"].isin(
        good_communes
    )
    sirets = frame["dc_siret"].dropna().unique()
    good_sirets = {s for s in sirets if luhn_ok(s)}
    ok &= frame["dc_siret"].isna() | frame["dc_siret"].isin(good_sirets)
    frame = frame[ok].copy()
    key = KEY.encode()
    ids = frame["dn_individu_national"].unique()
    hashed = {i: hmac.new(key, i.encode(), hashlib.sha256).hexdigest() for i in ids}
    frame["hash_personne"] = frame.pop("dn_individu_national").map(hashed)
    frame["date_entree"] = start[ok].dt.date
    frame["date_fin_prevue"] = end[ok].dt.date
    frame["financeurs"] = codes[ok].map(lambda c: [int(x) for x in c])
    frame = frame.drop(columns=["dd_datedebutmodule", "dd_datefinmodule", "liste_financeur"])
    con = duckdb.connect(str(db))
    con.register("frame", frame)
    con.execute("CREATE TABLE entrees AS SELECT * FROM frame")
    con.close()


def measure_small(folder: Path, db: Path) -> None:
    """Import every `petit-*.csv` of `folder` into one store, in order: seconds per file."""
    from jalon.ingest import import_file
    from jalon.plan import load_plan
    from jalon.sources import builtin_profiles
    from jalon.store import open_store

    con = open_store(db)
    plan, profile = load_plan(), builtin_profiles()["pe-stagiaires"]
    times = []
    for path in sorted(folder.glob("petit-*.csv")):
        started = time.perf_counter()
        import_file(con, path, profile, plan, KEY.encode())
        times.append(time.perf_counter() - started)
    con.close()
    print(json.dumps(times))


def measure_series(folder: Path, db: Path) -> None:
    """The same files imported as one series (`import_batch`, as `jalon demo` does)."""
    from jalon.ingest.batch import BatchFile, import_batch
    from jalon.plan import load_plan
    from jalon.sources import builtin_profiles
    from jalon.store import open_store

    con = open_store(db)
    profile = builtin_profiles()["pe-stagiaires"]
    files = [BatchFile(path, profile) for path in sorted(folder.glob("petit-*.csv"))]
    import_batch(con, files, load_plan(), KEY.encode())
    con.close()


def run_small(count: int, folder: Path) -> None:
    """Per-file overhead: `count` files of 100 lines imported one after the other into one
    store (as a data officer imports monthly exports); the first ten and the last ten files
    show whether the cost of one file grows with the store. Then the same files as one series
    (`jalon import PROFIL FICHIER…`, `jalon demo`)."""
    from jalon.simulate.pe_stagiaires import write_pe_stagiaires

    small = folder / "petits"
    small.mkdir(exist_ok=True)
    for index in range(count):
        path = small / f"petit-{index:04d}.csv"
        if not path.exists():
            write_pe_stagiaires(path, 100, seed=5000 + index, malformed_share=MALFORMED_SHARE)
    db = folder / "petits.duckdb"
    for stale in folder.glob("petits.duckdb*"):
        shutil.rmtree(stale) if stale.is_dir() else stale.unlink()
    wall, cpu, rss, output = _child("petits", small, db)
    times = sorted(json.loads(output.strip().splitlines()[-1])[1:])
    order = json.loads(output.strip().splitlines()[-1])
    print(
        f"{count} fichiers de 100 lignes : {wall:.1f} s ({cpu:.1f} s CPU), {_gib(rss)} Gio ; "
        f"par fichier médiane {times[len(times) // 2] * 1000:.0f} ms, "
        f"10 premiers {sum(order[:10]) * 100:.0f} ms, 10 derniers {sum(order[-10:]) * 100:.0f} ms",
        flush=True,
    )
    for stale in folder.glob("petits.duckdb*"):
        shutil.rmtree(stale) if stale.is_dir() else stale.unlink()
    wall, cpu, rss, _output = _child("serie", small, db)
    print(
        f"les mêmes en une série : {wall:.1f} s ({cpu:.1f} s CPU), {_gib(rss)} Gio, "
        f"{wall / count * 1000:.0f} ms par fichier",
        flush=True,
    )


MEASURES = {
    "bare": measure_bare,
    "parquet": measure_parquet,
    "jalon": measure_jalon,
    "jalon-sans-marts": measure_jalon_without_marts,
    "pandas": measure_pandas,
    "petits": measure_small,
    "serie": measure_series,
}
LABELS = {
    "bare": "(a) DuckDB, chargement typé nu",
    "parquet": "(a') DuckDB, nettoyé, haché, Parquet",
    "jalon": "(b) jalon import",
    "jalon-sans-marts": "(b') import sans entrees_marts",
    "pandas": "(c) pandas",
}


MEASURED = ("bare", "parquet", "jalon", "jalon-sans-marts", "pandas")


def _child(method: str, path: Path, db: Path) -> tuple[float, float, int, str]:
    """Run one measure in a child process: wall and CPU seconds, peak RSS in bytes, output."""
    env = {**os.environ, "JALON_SECRET": KEY}
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, __file__, "--mesure", method, str(path), str(db)],
        stdout=subprocess.PIPE,
        env=env,
        text=True,
    )
    _pid, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    output = child.stdout.read() if child.stdout else ""
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"{method} a échoué (code {child.returncode})")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024, output


def _gib(value: int) -> str:
    return f"{value / (1 << 30):.2f}"


def generate(n: int, path: Path) -> None:
    from jalon.simulate.pe_stagiaires import write_pe_stagiaires

    write_pe_stagiaires(path, n, seed=2016, malformed_share=MALFORMED_SHARE)


def _steps_row(n: int, bare: float, durations: dict[str, float]) -> str:
    """One line of the step table: seconds of each step of (b), and as a multiple of (a)."""
    cells = [f"{n:,}".replace(",", " ")]
    for name in STEPS:
        seconds = durations.get(name, 0.0)
        cells.append(f"{seconds:.2f} s ({seconds / bare:.2f} a)".replace(".", ","))
    total = sum(durations.values())
    cells.append(f"{total:.2f} s ({total / bare:.2f} a)".replace(".", ","))
    return "| " + " | ".join(cells) + " |"


def run(sizes: list[int], folder: Path, methods: list[str]) -> tuple[list[str], list[str]]:
    """Measure every method on a file of each size: the rows of the results table and of the
    table of (b)'s steps."""
    rows, steps = [], []
    for n in sizes:
        path = folder / f"pe-stagiaires-{n}.csv"
        if not path.exists():
            t = time.perf_counter()
            # In a child: Linux carries a parent's peak memory into the children it forks, so
            # this process must stay small for the measures' peaks to be their own.
            subprocess.run([sys.executable, __file__, "--generer", str(n), str(path)], check=True)
            print(
                f"fichier de {n:,} lignes généré en {time.perf_counter() - t:.1f} s "
                f"({path.stat().st_size / 1e6:,.0f} Mo)",
                flush=True,
            )
        results: dict[str, tuple[float, int, float]] = {}
        for method in methods:
            db = folder / f"{method}-{n}.duckdb"
            for stale in folder.glob(f"{method}-{n}.duckdb*"):
                shutil.rmtree(stale) if stale.is_dir() else stale.unlink()
            wall, cpu, rss, output = _child(method, path, db)
            results[method] = (wall, rss, cpu)
            detail = ""
            if method.startswith("jalon") and output.strip():
                s = json.loads(output.strip().splitlines()[-1])
                detail = (
                    f"lues {s['lines_read']:,} = {s['accepted']:,} + {s['rejected']:,} + "
                    f"{s['duplicates']:,} ; "
                    + ", ".join(f"{k} {v:.2f} s" for k, v in s["durations"].items())
                )
                if method == "jalon" and "bare" in results:
                    steps.append(_steps_row(n, results["bare"][0], s["durations"]))
            print(
                f"{n:>11,} {LABELS[method]:<32} {wall:8.1f} s ({cpu:7.1f} s CPU)  "
                f"{_gib(rss)} Gio  {detail}",
                flush=True,
            )
            for stale in folder.glob(f"{method}-{n}.duckdb*"):
                shutil.rmtree(stale) if stale.is_dir() else stale.unlink()
        nan = float("nan")
        a, _a_rss, a_cpu = results.get("bare", (nan, 0, nan))
        b, b_rss, b_cpu = results.get("jalon", (nan, 0, nan))
        own, _own_rss, own_cpu = results.get("jalon-sans-marts", (nan, 0, nan))
        c, _c_rss, c_cpu = results.get("pandas", (nan, 0, nan))
        clean, _clean_rss, _clean_cpu = results.get("parquet", (nan, 0, nan))
        verdicts = [
            f"b/a = {b / a:.2f} ({'OK' if b / a <= BAR_BARE else 'barre manquée'})",
            f"c/b = {c / b:.1f} ({'OK' if c / b >= BAR_PANDAS else 'barre manquée'})",
            f"mémoire b {'OK' if 0 < b_rss < BAR_MEMORY else 'barre manquée ou non mesurée'}",
            f"en temps CPU : b/a = {b_cpu / a_cpu:.2f}, c/b = {c_cpu / b_cpu:.1f}",
            f"b'/a = {own / a:.2f} (CPU {own_cpu / a_cpu:.2f}), c/b' = {c / own:.1f}",
            f"a'/a = {clean / a:.2f}, b/a' = {b / clean:.2f}, b'/a' = {own / clean:.2f}",
        ]
        print("   " + " ; ".join(verdicts), flush=True)
        cells = [f"{n:,}".replace(",", " ")]
        for method in MEASURED:
            if method in results:
                wall, rss, cpu = results[method]
                cells.append(f"{wall:.1f} s ({cpu:.0f} s CPU) / {_gib(rss)} Gio")
            else:
                cells.append("—")
        cells += [
            f"{b / a:.2f} (CPU {b_cpu / a_cpu:.2f})",
            f"{own / a:.2f} (CPU {own_cpu / a_cpu:.2f})",
            f"{b / clean:.2f}",
            f"{c / b:.1f}",
            f"{c / own:.1f}",
        ]
        rows.append("| " + " | ".join(cells) + " |")
    return rows, steps


def write_results(results: Path, rows: list[str], steps: list[str], note: str) -> None:
    table = "\n".join(
        [
            SECTION_START,
            "## Import `pe-stagiaires` (bench/ingest_bench.py)",
            "",
            "Temps et mémoire crête de chaque méthode, chacune dans son propre processus, sur le "
            "même fichier généré (disposition 2016, 0,2 % de lignes abîmées) : temps écoulé, "
            "(temps CPU de tous les fils), mémoire crête. Rapports en temps écoulé (en temps CPU). "
            "Barres : b ≤ 1,5 × a ; c ≥ 4 × b ; mémoire de b < 2 Gio.",
            "",
            "| lignes | (a) DuckDB typé nu | (a') nettoyé, haché, Parquet | (b) import complet "
            "| (b') sans `entrees_marts` | (c) pandas | b / a | b' / a | b / a' | c / b | c / b' |",
            "|---:|" + "---:|" * 10,
            *rows,
            "",
            "Où va le temps de (b) : durée de chaque étape de l'import (`ImportSummary.durations`, "
            "ce que `jalon import` affiche sous « Durée »), en secondes et en multiple de (a).",
            "",
            "| lignes | " + " | ".join(STEPS) + " | total (hors lancement de Python) |",
            "|---:|" + "---:|" * (len(STEPS) + 1),
            *steps,
            "",
            note,
            SECTION_END,
        ]
    )
    text = results.read_text(encoding="utf-8") if results.exists() else ""
    if SECTION_START in text:
        before, rest = text.split(SECTION_START, 1)
        after = rest.split(SECTION_END, 1)[1] if SECTION_END in rest else ""
        text = before + table + after
    else:
        text = text.rstrip() + "\n\n" + table + "\n"
    results.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lignes", type=int, nargs="*", default=[1_000_000])
    parser.add_argument(
        "--sans",
        nargs="*",
        default=[],
        choices=["bare", "parquet", "jalon", "jalon-sans-marts", "pandas"],
        help="Méthodes à ne pas mesurer (ex. pandas à 10 M si la mémoire manque).",
    )
    parser.add_argument(
        "--petits", type=int, default=0, help="Importer aussi N fichiers de 100 lignes à la suite."
    )
    parser.add_argument("--dossier", type=Path, help="Dossier de travail conservé.")
    parser.add_argument("--resultats", type=Path, help="Écrire la section dans ce RESULTS.md.")
    parser.add_argument("--note", default="", help="Commentaire ajouté sous le tableau.")
    parser.add_argument(
        "--mesure", nargs=3, metavar=("METHODE", "FICHIER", "BASE"), help=argparse.SUPPRESS
    )
    parser.add_argument("--generer", nargs=2, metavar=("LIGNES", "FICHIER"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generer:
        generate(int(args.generer[0]), Path(args.generer[1]))
        return
    if args.mesure:
        method, path, db = args.mesure
        MEASURES[method](Path(path), Path(db))
        return
    folder = args.dossier or Path(tempfile.mkdtemp(prefix="jalon-ingest-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    methods = [m for m in MEASURED if m not in args.sans]
    try:
        rows, steps = run(args.lignes, folder, methods)
        if args.petits:
            run_small(args.petits, folder)
    finally:
        if args.dossier is None:
            shutil.rmtree(folder, ignore_errors=True)
    if args.resultats:
        write_results(args.resultats, rows, steps, args.note)


if __name__ == "__main__":
    main()
