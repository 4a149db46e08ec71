"""Benchmark of the `pe-stagiaires` import against baselines and peers measured in the same run.

    .venv/bin/python bench/ingest_bench.py --lignes 1000000 --mensuel
    .venv/bin/python bench/ingest_bench.py --lignes 10000000 --sans pandas --mensuel
    .venv/bin/python bench/ingest_bench.py --lignes --petits 300   # per-file overhead only

For each size, one generated file (`jalon.simulate.pe_stagiaires.write_pe_stagiaires`, 2016
layout, 0.2 % malformed lines) is loaded by each method, each in its own child process so that
its peak memory (`os.wait4`) is its own:
  (a) bare DuckDB typed load: `CREATE TABLE AS SELECT` of the profile's kept columns, typed as the
      profile says, from `read_csv` (no validation, no accounting, no hashing);
  (k) Jalon's core import: `import_file` into a fresh store without the two derived stages
      (`entrees` and the indicator mart): sniff, SHA-256, every check, accounting with line
      numbers, rejections, anomalies, duplicates, HMAC, personal columns never read, one
      transaction;
  (b) `jalon import`, the first import into an empty store: (k), then `entrees` and the mart;
  (p) polars and (c) pandas doing the mandatory work of (k) (`bench/peers.py`), their counts
      checked equal to Jalon's; for a first import, each peer is charged its own core time plus
      the time Jalon's `entrees` and mart stages took in (b), as if it handed its lines to the
      same database for that part (which favours the peers);
  (m) with `--mensuel`: a monthly export of 100 000 lines (another seed) imported into the store
      (b) left, beside the bare load (a) of that file.
Bars (issue 16): k ≤ 2 × a; b ≤ 3 × a; m ≤ 3 × a(100 000) + 2 s; polars slower than Jalon and
pandas at least 4 × slower, for (k) and (b); Jalon's peak memory under 2 GiB.
Files and databases go to a temporary folder removed afterwards (`--dossier` to keep them).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from results_file import write_section

KEY = "cle-de-banc-d-essai-jalon-0123456789"
MALFORMED_SHARE = 0.002
MONTHLY_LINES = 100_000
BAR_CORE, BAR_FIRST, BAR_MONTHLY, BAR_MONTHLY_CONSTANT = 2.0, 3.0, 3.0, 2.0
BAR_PANDAS, BAR_POLARS, BAR_MEMORY = 4.0, 1.0, 2 << 30
SECTION_START, SECTION_END = "<!-- ingest:debut -->", "<!-- ingest:fin -->"
#: The steps of an import, as `ImportSummary.durations` names them.
STEPS = (
    "Lecture et contrôle des lignes",
    "Empreinte du fichier",
    "Écriture dans la base",
    "Entrées en formation",
    "Tables des indicateurs",
)
DERIVED_STEPS = ("Entrées en formation", "Tables des indicateurs")


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


def measure_core(path: Path, db: Path) -> None:
    """(k): the import without its two derived stages, `entrees` and the indicator mart."""
    import jalon.ingest.importer as importer

    importer.rebuild_entrees = lambda *_args, **_kwargs: None
    importer.refresh_marts_atomically = lambda *_args: None
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


def _peer(name: str, path: Path, db: Path) -> None:
    import duckdb
    import peers

    getattr(peers, f"{name}_import")(path, db, KEY.encode())
    con = duckdb.connect(str(db), read_only=True)
    counts = {
        t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # type: ignore[index]
        for t in ("lignes", "rejets", "doublons")
    }
    con.close()
    print(json.dumps({"accepted": counts["lignes"], "rejected": counts["rejets"],
                      "duplicates": counts["doublons"]}))  # fmt: skip


def measure_polars(path: Path, db: Path) -> None:
    _peer("polars", path, db)


def measure_pandas(path: Path, db: Path) -> None:
    _peer("pandas", path, db)


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
    "coeur": measure_core,
    "jalon": measure_jalon,
    "polars": measure_polars,
    "pandas": measure_pandas,
    "petits": measure_small,
    "serie": measure_series,
}
LABELS = {
    "bare": "(a) DuckDB, chargement typé nu",
    "coeur": "(k) cœur de l'import Jalon",
    "jalon": "(b) premier import Jalon",
    "polars": "(p) polars, même travail que (k)",
    "pandas": "(c) pandas, même travail que (k)",
}
MEASURED = ("bare", "coeur", "jalon", "polars", "pandas")


def _child(
    method: str, path: Path, db: Path, script: str = __file__
) -> tuple[float, float, int, str]:
    """Run one measure of `script` in a child process: wall and CPU seconds, peak RSS in bytes,
    output."""
    env = {
        **os.environ,
        "JALON_SECRET": KEY,
        "PYTHONPATH": os.pathsep.join(
            [str(Path(__file__).parent), os.environ.get("PYTHONPATH", "")]
        ),
    }
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, script, "--mesure", method, str(path), str(db)],
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


def generate(n: int, seed: int, path: Path) -> None:
    from jalon.simulate.pe_stagiaires import write_pe_stagiaires

    write_pe_stagiaires(path, n, seed=seed, malformed_share=MALFORMED_SHARE)


def _steps_row(n: int, bare: float, durations: dict[str, float]) -> str:
    """One line of the step table: seconds of each step of (b), and as a multiple of (a)."""
    cells = [f"{n:,}".replace(",", " ")]
    for name in STEPS:
        seconds = durations.get(name, 0.0)
        cells.append(f"{seconds:.2f} s ({seconds / bare:.2f} a)".replace(".", ","))
    total = sum(durations.values())
    cells.append(f"{total:.2f} s ({total / bare:.2f} a)".replace(".", ","))
    return "| " + " | ".join(cells) + " |"


def _generated(folder: Path, n: int, name: str, seed: int) -> Path:
    path = folder / name
    if not path.exists():
        t = time.perf_counter()
        # In a child: Linux carries a parent's peak memory into the children it forks, so
        # this process must stay small for the measures' peaks to be their own.
        subprocess.run(
            [sys.executable, __file__, "--generer", str(n), str(seed), str(path)], check=True
        )
        print(
            f"fichier de {n:,} lignes généré en {time.perf_counter() - t:.1f} s "
            f"({path.stat().st_size / 1e6:,.0f} Mo)",
            flush=True,
        )
    return path


def _remove(folder: Path, pattern: str) -> None:
    for stale in folder.glob(pattern):
        shutil.rmtree(stale) if stale.is_dir() else stale.unlink()


def _ratio(top: float, bottom: float) -> str:
    ratio = top / bottom
    return "non mesuré" if math.isnan(ratio) else f"{ratio:.2f}".replace(".", ",")


def _fr(value: float, digits: int = 1) -> str:
    return f"{value:.{digits}f}".replace(".", ",")


def _verdict(ok: bool) -> str:
    return "atteinte" if ok else "**manquée**"


def _monthly(folder: Path, store: Path) -> str:
    """(m): a monthly export imported into the store (b) left, and the bare load of that file."""
    path = _generated(folder, MONTHLY_LINES, f"mensuel-{MONTHLY_LINES}.csv", 2017)
    bare_db = folder / "mensuel-nu.duckdb"
    _remove(folder, "mensuel-nu.duckdb*")
    a, _cpu, _rss, _out = _child("bare", path, bare_db)
    _remove(folder, "mensuel-nu.duckdb*")
    m, m_cpu, m_rss, output = _child("jalon", path, store)
    s = json.loads(output.strip().splitlines()[-1])
    steps = ", ".join(f"{k} {_fr(v, 2)} s" for k, v in s["durations"].items())
    bar = BAR_MONTHLY * a + BAR_MONTHLY_CONSTANT
    print(
        f"mensuel {MONTHLY_LINES:,} lignes : a {a:.2f} s, m {m:.2f} s ({m_cpu:.1f} s CPU, "
        f"{_gib(m_rss)} Gio) ; barre {bar:.2f} s ; {steps}",
        flush=True,
    )
    return (
        f"Fichier mensuel de {MONTHLY_LINES:,} lignes".replace(",", "\u202f")
        + f" importé dans la base laissée par (b) : (a) {_fr(a, 2)} s, (m) {_fr(m, 2)} s "
        f"({_gib(m_rss).replace('.', ',')} Gio) ; barre 3 × a + 2 s = {_fr(bar, 2)} s : "
        f"{_verdict(m <= bar)}. Étapes : {steps}."
    )


def run(
    sizes: list[int], folder: Path, methods: list[str], monthly: bool
) -> tuple[list[str], list[str], list[str]]:
    """Measure every method on a file of each size: the rows of the results table, of the table
    of (b)'s steps, and the monthly lines."""
    rows, steps, notes = [], [], []
    for n in sizes:
        path = _generated(folder, n, f"pe-stagiaires-{n}.csv", 2016)
        results: dict[str, tuple[float, int, float]] = {}
        counts: dict[str, tuple[int, int, int]] = {}
        durations: dict[str, float] = {}
        for method in methods:
            db = folder / f"{method}-{n}.duckdb"
            _remove(folder, f"{method}-{n}.duckdb*")
            wall, cpu, rss, output = _child(method, path, db)
            results[method] = (wall, rss, cpu)
            detail = ""
            if method != "bare" and output.strip():
                s = json.loads(output.strip().splitlines()[-1])
                counts[method] = (s["accepted"], s["rejected"], s["duplicates"])
                detail = f"{s['accepted']:,} + {s['rejected']:,} + {s['duplicates']:,}"
                if "durations" in s:
                    detail += " ; " + ", ".join(f"{k} {v:.2f} s" for k, v in s["durations"].items())
                if method == "jalon":
                    durations = s["durations"]
                    if "bare" in results:
                        steps.append(_steps_row(n, results["bare"][0], durations))
            print(
                f"{n:>11,} {LABELS[method]:<34} {wall:8.1f} s ({cpu:7.1f} s CPU)  "
                f"{_gib(rss)} Gio  {detail}",
                flush=True,
            )
            if not (monthly and method == "jalon"):
                _remove(folder, f"{method}-{n}.duckdb*")
        if len(set(counts.values())) > 1:
            raise SystemExit(f"les méthodes ne comptent pas les mêmes lignes : {counts}")
        if monthly and "jalon" in results:
            notes.append(_monthly(folder, folder / f"jalon-{n}.duckdb"))
            _remove(folder, f"jalon-{n}.duckdb*")
        rows.append(_row(n, results, durations))
    return rows, steps, notes


def _row(n: int, results: dict[str, tuple[float, int, float]], durations: dict[str, float]) -> str:
    nan = float("nan")
    a = results.get("bare", (nan, 0, nan))[0]
    k, k_rss, _ = results.get("coeur", (nan, 0, nan))
    b, b_rss, _ = results.get("jalon", (nan, 0, nan))
    p = results.get("polars", (nan, 0, nan))[0]
    c = results.get("pandas", (nan, 0, nan))[0]
    derived = sum(durations.get(step, nan) for step in DERIVED_STEPS) if durations else nan
    cells = [f"{n:,}".replace(",", "\u202f")]
    for method in MEASURED:
        if method in results:
            wall, rss, cpu = results[method]
            cells.append(f"{_fr(wall)} s ({cpu:.0f} s CPU) / {_gib(rss).replace('.', ',')} Gio")
        else:
            cells.append("—")
    cells += [
        f"{_ratio(k, a)} ({_verdict(k / a <= BAR_CORE)})",
        f"{_ratio(b, a)} ({_verdict(b / a <= BAR_FIRST)})",
        f"{_ratio(k, p)} / {_ratio(b, p + derived)}",
        f"{_ratio(c, k)} / {_ratio(c + derived, b)}",
        "atteinte" if 0 < max(k_rss, b_rss) < BAR_MEMORY else "**manquée**",
    ]
    print(
        "   k/a = {} ; b/a = {} ; Jalon/polars (k, b) = {} ; pandas/Jalon (k, b) = {}".format(
            *cells[-5:-1]
        ),
        flush=True,
    )
    return "| " + " | ".join(cells) + " |"


def write_results(
    results: Path, rows: list[str], steps: list[str], notes: list[str], note: str
) -> None:
    table = "\n".join(
        [
            SECTION_START,
            "## Import `pe-stagiaires` (bench/ingest_bench.py)",
            "",
            "Temps écoulé (temps CPU de tous les fils) et mémoire crête de chaque méthode, chacune "
            "dans son propre processus, sur le même fichier généré (disposition 2016, 0,2 % de "
            "lignes abîmées). (a) chargement typé nu de DuckDB ; (k) cœur de l'import Jalon "
            "(lecture, contrôles, comptes, rejets, anomalies, doublons, HMAC, écriture) ; (b) "
            "premier import dans une base vide, `entrees` et mart compris ; (p) polars et (c) "
            "pandas font le travail de (k) (`bench/peers.py`) ; pour un premier import, chacun "
            "est compté avec le temps des étapes `entrees` et mart de (b). Barres : k ≤ 2 × a, "
            "b ≤ 3 × a, Jalon plus rapide que polars (rapport < 1), pandas au moins 4 fois plus "
            "lent (rapport ≥ 4), mémoire < 2 Gio.",
            "",
            "| lignes | (a) DuckDB typé nu | (k) cœur Jalon | (b) premier import | (p) polars "
            "| (c) pandas | k / a | b / a | Jalon / polars (k ; b) | pandas / Jalon (k ; b) "
            "| mémoire |",
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
            *[f"{line}\n" for line in notes],
            note,
            SECTION_END,
        ]
    )
    write_section(results, SECTION_START, SECTION_END, table)


def add_child_arguments(parser: argparse.ArgumentParser) -> None:
    """The hidden arguments with which a bench runs one measure, or generates a file, in a
    child process."""
    parser.add_argument(
        "--mesure", nargs=3, metavar=("METHODE", "FICHIER", "BASE"), help=argparse.SUPPRESS
    )
    parser.add_argument(
        "--generer", nargs=3, metavar=("LIGNES", "GRAINE", "FICHIER"), help=argparse.SUPPRESS
    )


def run_as_child(
    args: argparse.Namespace, measures: dict[str, Callable[[Path, Path], None]]
) -> bool:
    """Do what a child process was started for (`add_child_arguments`); False in the parent."""
    if args.generer:
        generate(int(args.generer[0]), int(args.generer[1]), Path(args.generer[2]))
        return True
    if args.mesure:
        method, path, db = args.mesure
        measures[method](Path(path), Path(db))
        return True
    return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lignes", type=int, nargs="*", default=[1_000_000])
    parser.add_argument(
        "--sans",
        nargs="*",
        default=[],
        choices=list(MEASURED),
        help="Méthodes à ne pas mesurer (ex. pandas à 10 M si la mémoire manque).",
    )
    parser.add_argument(
        "--mensuel",
        action="store_true",
        help=f"Importer aussi un fichier de {MONTHLY_LINES} lignes dans la base de (b).",
    )
    parser.add_argument(
        "--petits", type=int, default=0, help="Importer aussi N fichiers de 100 lignes à la suite."
    )
    parser.add_argument("--dossier", type=Path, help="Dossier de travail conservé.")
    parser.add_argument("--resultats", type=Path, help="Écrire la section dans ce RESULTS.md.")
    parser.add_argument("--note", default="", help="Commentaire ajouté sous le tableau.")
    add_child_arguments(parser)
    args = parser.parse_args()
    if run_as_child(args, MEASURES):
        return
    folder = args.dossier or Path(tempfile.mkdtemp(prefix="jalon-ingest-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    methods = [m for m in MEASURED if m not in args.sans]
    try:
        rows, steps, notes = run(args.lignes, folder, methods, args.mensuel)
        if args.petits:
            run_small(args.petits, folder)
    finally:
        if args.dossier is None:
            shutil.rmtree(folder, ignore_errors=True)
    if args.resultats:
        write_results(args.resultats, rows, steps, notes, args.note)


if __name__ == "__main__":
    main()
