"""Benchmark of the full national bilan: every indicator and table, for the nation and every
region, one phase, on a synthetic store of N entries (default 10 million), warm; against the same
figures computed by straightforward pandas code on the same data, in the same run.

    .venv/bin/python bench/bilan_bench.py                         # 10 M entries
    .venv/bin/python bench/bilan_bench.py --entrees 200000 --resultats bench/RESULTS.md

The store is built directly with DuckDB SQL (this bench is about indicator speed, not ingest):
`entrees` spread over 2015-01-01 … 2017-06-30 (so about 40 % fall in phase 2016), one
`personnes` spell per person (a tenth with an earlier one), jobs for half the persons, an LHEO
offer (actions, sessions, places), `demandeurs` and `actions_agregees`. The mart
`entrees_marts` is then built by `refresh_marts`, as the importer does after each import: its
time is reported apart, as an import-side cost. Jalon runs
`compute_all_bilans` (national + 18 regions) on the database file; "warm" is the median of the
repeated runs after a first one (the first also compiles the Ibis expressions to SQL, which Jalon
keeps). pandas works on DataFrames already loaded in memory (loading is not timed). The two must
agree on the figures checked at the end, or the bench fails. Bars (DESIGN §7): warm < 2 s and
≥ 10 × faster than pandas.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
from results_file import write_section

from jalon.formatting import nombre
from jalon.indicators import compute_all_bilans
from jalon.indicators.marts import refresh_marts
from jalon.plan import Plan, load_plan
from jalon.store import open_store
from jalon.store.canonical import load_reference

#: A person's id as the importer stores it (16 bytes of a keyed hash; a plain hash stands in here).
PERSON = "unhex(left(sha256(CAST(pid AS VARCHAR)), 32))"
SECTION_START = "<!-- bilan_bench:debut -->"
SECTION_END = "<!-- bilan_bench:fin -->"
PHASE = "2016"
BAR_SECONDS = 2.0
BAR_RATIO = 10.0


def build_store(path: Path, entries: int) -> duckdb.DuckDBPyConnection:
    con = open_store(path)
    load_reference(con)
    persons = max(1, int(entries * 0.7))
    sessions = max(1, entries // 9)
    actions = max(1, sessions // 2)
    con.execute(
        """
        CREATE TEMP TABLE combos AS SELECT * FROM (VALUES
            (0, [4]::UTINYINT[]), (1, [2]::UTINYINT[]), (2, [2, 4]::UTINYINT[]),
            (3, [4, 7]::UTINYINT[]), (4, [5]::UTINYINT[]), (5, [2, 3]::UTINYINT[]),
            (6, [4]::UTINYINT[]), (7, [10]::UTINYINT[])) t(k, financeurs);
        CREATE TEMP TABLE deps AS
            SELECT row_number() OVER (ORDER BY departement) - 1 AS k, departement, region
            FROM ref_departements;
        """
    )
    n_deps = con.execute("SELECT count(*) FROM deps").fetchone()[0]
    con.execute(
        f"""
        INSERT INTO entrees
        WITH base AS (
            SELECT i, (hash(i) % {persons}) AS pid, (hash(i * 7 + 1) % 912) AS day
            FROM range({entries}) t(i)
        )
        SELECT {PERSON}, 'IC:SE_' || (i // 9),
               DATE '2015-01-01' + CAST(day AS INTEGER),
               CASE WHEN i % 50 = 0 THEN NULL
                    ELSE DATE '2015-01-01' + CAST(day + 30 + i % 200 AS INTEGER) END,
               c.financeurs, c.financeurs[1],
               lpad(CAST(10000 + (i * 37) % 90000 AS VARCHAR), 5, '0'),
               i % 3 = 0,
               CAST(31000000000000 + (i % 20000) AS VARCHAR),
               d.departement, d.region,
               CASE WHEN i % 40 = 0 THEN NULL ELSE 100 + i % 900 END, [1], false
        FROM base
        JOIN combos c ON c.k = i % 8
        JOIN deps d ON d.k = (i // 9) % {n_deps}
        """
    )
    con.execute(
        f"""
        INSERT INTO personnes
        SELECT 1, pid, {PERSON},
               DATE '1950-01-01' + INTERVAL (pid % 600) MONTH,
               CASE WHEN pid % 2 = 0 THEN 'F' ELSE 'H' END,
               CAST(1 + pid % 8 AS VARCHAR), DATE '2012-01-01' + CAST(pid % 1460 AS INTEGER),
               NULL, pid % 9 = 0, pid % 8 = 0, '31'
        FROM range({persons}) t(pid);
        INSERT INTO personnes
        SELECT 1, pid, {PERSON}, DATE '1950-01-01' + INTERVAL (pid % 600) MONTH,
               'F', '5', DATE '2008-01-01', DATE '2009-06-30', false, false, '31'
        FROM range(0, {persons}, 10) t(pid);
        INSERT INTO emplois
        SELECT 1, pid, {PERSON},
               DATE '2015-03-01' + CAST(pid % 1000 AS INTEGER),
               CASE WHEN pid % 3 = 0 THEN NULL
                    ELSE DATE '2015-03-01' + CAST(pid % 1000 + 10 + pid % 300 AS INTEGER) END,
               ['CDI', 'CDD', 'INTERIM', 'CREATION', 'AUTRE'][1 + pid % 5]
        FROM range(0, {persons}, 2) t(pid);
        INSERT INTO demandeurs
        SELECT 1, 1, 2016, region, 300000 FROM (SELECT DISTINCT region FROM deps);
        INSERT INTO actions_agregees
        SELECT 1, 1, y, m, region, t, 100
        FROM (SELECT DISTINCT region FROM deps), range(2015, 2018) a(y), range(1, 13) b(m),
             (VALUES ('accompagnement-creation'), ('contrat-professionnalisation'),
                     ('vae-collective')) c(t);
        INSERT INTO offre_actions (import_id, numero, formation, departement, region)
        SELECT 1, 'AF_' || a, 'FO_' || (a // 3), d.departement, d.region
        FROM range({actions}) t(a) JOIN deps d ON d.k = a % {n_deps};
        INSERT INTO offre_sessions (import_id, numero, action, debut, fin)
        SELECT 1, 'SE_' || s, 'AF_' || (s % {actions}),
               DATE '2015-01-01' + CAST(hash(s) % 912 AS INTEGER), NULL
        FROM range({sessions}) t(s);
        INSERT INTO places
        SELECT 1, 'AF_' || a, CASE WHEN a % 2 = 0 THEN 2 ELSE 4 END, 8 + a % 10
        FROM range({actions}) t(a);
        CHECKPOINT;
        """
    )
    return con


def load_frames(con: duckdb.DuckDBPyConnection) -> dict[str, pd.DataFrame]:
    from jalon.indicators.definitions import TABLES

    # DuckDB hands a BLOB to pandas as a bytearray, which pandas cannot group by (unhashable).
    frames = {name: con.execute(f"SELECT * FROM {name}").df() for name in TABLES}
    for frame in frames.values():
        if "hash_personne" in frame:
            frame["hash_personne"] = frame["hash_personne"].map(bytes)
    for name, columns in {
        "entrees": ("date_entree", "date_sortie"),
        "personnes": ("mois_naissance", "date_inscription", "date_fin_inscription"),
        "emplois": ("date_debut", "date_fin"),
        "offre_sessions": ("debut", "fin"),
    }.items():
        for column in columns:
            frames[name][column] = pd.to_datetime(frames[name][column])
    return frames


def _months(day: pd.Series) -> pd.Series:
    return day.dt.year * 12 + day.dt.month - 1


def _full_months(start: pd.Series, end: pd.Series) -> pd.Series:
    return _months(end) - _months(start) - (end.dt.day < start.dt.day).astype(int)


def pandas_bilan(f: dict[str, pd.DataFrame], plan: Plan) -> dict[str, Any]:
    """The figures of every region and the nation, the straightforward pandas way."""
    phase = plan.phase(PHASE)
    start, end = pd.Timestamp(phase.start), pd.Timestamp(phase.end)
    counted = set(plan.rules.counted_financeurs)
    e = f["entrees"]
    e = e[e["financeurs"].map(lambda codes: any(int(c) in counted for c in codes))]
    ph = e[(e.date_entree >= start) & (e.date_entree <= end)].reset_index(drop=True)
    ph["entry"] = ph.index
    ref = e[
        (e.date_entree >= pd.Timestamp(phase.reference_start))
        & (e.date_entree <= pd.Timestamp(phase.reference_end))
    ]
    # persons' attributes on the entry date
    p = f["personnes"].sort_values(["hash_personne", "date_inscription"])
    p["suivante"] = p.groupby("hash_personne")["date_inscription"].shift(-1)
    p = p[
        [
            "hash_personne",
            "mois_naissance",
            "niveau",
            "date_inscription",
            "date_fin_inscription",
            "travailleur_handicape",
            "suivante",
        ]
    ]
    m = ph[["entry", "hash_personne", "date_entree"]].merge(p, on="hash_personne")
    m = m[
        (m.date_inscription <= m.date_entree) & (m.suivante.isna() | (m.suivante > m.date_entree))
    ]
    ph = ph.merge(m.drop(columns=["hash_personne", "date_entree"]), on="entry", how="left")
    publics = plan.rules.publics
    ph["connue"] = ph.date_inscription.notna()
    age = _full_months(ph.mois_naissance, ph.date_entree) // 12
    ph["peu_qualifies"] = ph.niveau.isin([str(x) for x in publics.low_qualified_levels])
    ph["jeunes"] = ph.connue & (age <= publics.young_max_age)
    ph["seniors"] = ph.connue & (age >= publics.senior_min_age)
    inscrit = ph.connue & (
        ph.date_fin_inscription.isna() | (ph.date_fin_inscription >= ph.date_entree)
    )
    ph["deld"] = inscrit & (
        _full_months(ph.date_inscription, ph.date_entree) >= publics.long_term_months
    )
    ph["handicapes"] = ph.connue & ph.travailleur_handicape.fillna(False).astype(bool)
    ph["region"] = ph.region.fillna("?")
    g = ph.groupby("region")
    out: dict[str, Any] = {
        "entrees": g.size(),
        "personnes": g.hash_personne.nunique(),
        "publics": g[["connue", "peu_qualifies", "jeunes", "seniors", "deld", "handicapes"]].sum(),
        "duree": g.duree_heures.mean(),
        "certifiante": g.certifiante.mean(),
        "reference": ref.groupby(ref.region.fillna("?")).size(),
        "national_personnes": ph.hash_personne.nunique(),
    }
    ph["mois"] = _months(ph.date_entree)
    out["mois"] = ph.groupby(["region", "mois"]).size()
    out["reference_mois"] = ref.groupby([ref.region.fillna("?"), _months(ref.date_entree)]).size()
    for dimension, key in {
        "financeur_principal": ph.financeur_principal,
        "departement": ph.departement,
        "domaine": ph.formacode.str[:2],
        "organisme": ph.siret,
        "niveau": ph.niveau,
        "tranche_age": pd.cut(age, [-1, publics.young_max_age, publics.senior_min_age - 1, 200]),
    }.items():
        out[dimension] = ph.groupby([ph.region, key], observed=True).size()
    exploded = ph[["region", "financeurs"]].explode("financeurs")
    out["financeur"] = exploded.groupby(["region", "financeurs"]).size()
    # stock at each month end
    started = e[e.date_entree <= end]
    stock = {}
    for month_end in pd.date_range(start, end, freq="ME"):
        inside = (started.date_entree <= month_end) & (
            started.date_sortie.isna() | (started.date_sortie > month_end)
        )
        stock[month_end] = started[inside].groupby(started.region.fillna("?")).size()
    out["stock"] = stock
    # access to employment within 6 months of leaving
    rules = plan.rules.emploi
    leavers = e[(e.date_sortie >= start) & (e.date_sortie <= end)][
        ["region", "hash_personne", "date_sortie"]
    ]
    jobs = f["emplois"]
    days = (jobs.date_fin - jobs.date_debut).dt.days + 1
    jobs = jobs[jobs.date_fin.isna() | (days >= rules.min_days)].copy()
    long = jobs.date_fin.isna() | (
        _full_months(jobs.date_debut, jobs.date_fin + pd.Timedelta(days=1)) >= rules.durable_months
    )
    jobs["durable"] = jobs.type_contrat.isin(["CDI", "CREATION"]) | (
        jobs.type_contrat.isin(["CDD", "INTERIM"]) & long
    )
    lj = leavers.merge(
        jobs[["hash_personne", "date_debut", "durable"]], on="hash_personne", how="left"
    )
    elapsed = _full_months(lj.date_sortie, lj.date_debut)
    ok = (lj.date_debut >= lj.date_sortie) & (
        (elapsed < rules.window_months)
        | ((elapsed == rules.window_months) & (lj.date_debut.dt.day == lj.date_sortie.dt.day))
    )
    lj["emploi"] = ok
    lj["durable"] = ok & lj.durable.fillna(False).astype(bool)
    per_person = lj.groupby([lj.region.fillna("?"), "hash_personne"])[["emploi", "durable"]].max()
    out["emploi"] = per_person.groupby(level=0).mean()
    national = lj.groupby("hash_personne")[["emploi", "durable"]].max()
    out["national_emploi"] = national.mean()
    # places launched
    sessions = f["offre_sessions"]
    launched = sessions[(sessions.debut >= start) & (sessions.debut <= end)].action.unique()
    acts = f["offre_actions"]
    latest = acts.groupby("numero").import_id.max().reset_index()
    acts = acts.merge(latest, on=["numero", "import_id"])
    acts = acts[acts.numero.isin(launched)]
    places = f["places"].merge(
        acts, left_on=["action", "import_id"], right_on=["numero", "import_id"]
    )
    out["places"] = places.groupby(["region", "financeur"]).places.sum()
    d = f["demandeurs"]
    out["demandeurs"] = d[d.annee == phase.start.year].groupby("region").demandeurs.sum()
    a = f["actions_agregees"]
    month = a.annee * 12 + a.mois - 1
    a = a[(month >= _months(pd.Series([start]))[0]) & (month <= _months(pd.Series([end]))[0])]
    out["actions"] = a.groupby(["region", "type_action"]).nombre.sum()
    return out


def _check(jalon: dict, panda: dict[str, Any]) -> None:
    national = jalon[None]
    stock_end = panda["stock"][max(panda["stock"])]
    checks = {
        "entrees": (national.value("entrees"), int(panda["entrees"].sum())),
        "personnes": (national.value("personnes"), int(panda["national_personnes"])),
        "entrees_reference": (national.value("entrees_reference"), int(panda["reference"].sum())),
        "stock_fin": (national.value("stock_fin"), int(stock_end.sum())),
        "places_lancees": (national.value("places_lancees"), int(panda["places"].sum())),
        "acces_emploi": (
            round(national.value("acces_emploi"), 9),
            round(float(panda["national_emploi"]["emploi"]), 9),
        ),
        "part_jeunes (76)": (
            round(jalon["76"].value("part_jeunes"), 9),
            round(panda["publics"].loc["76", "jeunes"] / panda["publics"].loc["76", "connue"], 9),
        ),
        "financeur (somme)": (
            national.breakdown("financeur").total("entrees"),
            int(panda["financeur"].sum()),
        ),
    }
    for name, (ours, theirs) in checks.items():
        if ours != theirs:
            raise SystemExit(f"désaccord sur {name} : Jalon {ours}, pandas {theirs}")


def write_results(path: Path, row: str, note: str) -> None:
    section = "\n".join(
        [
            SECTION_START,
            "## Bilan national complet (bench/bilan_bench.py)",
            "",
            "Tous les indicateurs et toutes les ventilations, pour la France et chacune des "
            "18 régions, phase 2016, sur une base synthétique construite en SQL (entrées réparties "
            "de janvier 2015 à juin 2017). Jalon : `compute_all_bilans` sur le fichier DuckDB, à "
            "chaud (médiane des exécutions après la première) ; pandas : le même calcul écrit "
            "simplement, sur des DataFrames déjà en mémoire. Les deux s'accordent sur les chiffres "
            "contrôlés, sinon le banc échoue. Barres : Jalon < 2 s et au moins 10 × plus rapide. "
            "Le mart `entrees_marts` (une ligne par entrée, attributs de la personne à la date "
            "d'entrée et issue après la sortie) est construit avant, comme l'importeur le fait "
            "après chaque import : son temps est un coût d'import, donné à part.",
            "",
            "| entrées (dont phase 2016) | Jalon 1re exécution | Jalon à chaud | pandas "
            "| pandas / Jalon | mart (à l'import) |",
            "|---:|---:|---:|---:|---:|---:|",
            row,
            "",
            note,
            SECTION_END,
        ]
    )
    write_section(path, SECTION_START, SECTION_END, section)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entrees", type=int, default=10_000_000)
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--resultats", type=Path, help="Écrire la section dans ce RESULTS.md.")
    parser.add_argument("--note", default="")
    args = parser.parse_args()
    plan = load_plan()
    with tempfile.TemporaryDirectory(prefix="jalon-bilan-bench-") as work:
        t0 = time.perf_counter()
        con = build_store(Path(work) / "bench.duckdb", args.entrees)
        in_phase = con.execute(
            "SELECT count(*) FROM entrees WHERE year(date_entree) = 2016"
        ).fetchall()[0][0]
        print(
            f"base construite : {args.entrees:,} entrées ({in_phase:,} en 2016) en "
            f"{time.perf_counter() - t0:.1f} s"
        )
        t = time.perf_counter()
        con.execute("BEGIN TRANSACTION")
        refresh_marts(con, plan)
        con.execute("COMMIT")
        con.execute("CHECKPOINT")
        mart_seconds = time.perf_counter() - t
        print(f"mart entrees_marts construit en {mart_seconds:.1f} s (coût d'import)")
        t = time.perf_counter()
        bilans = compute_all_bilans(con, plan, PHASE)
        first = time.perf_counter() - t
        warm = []
        for _ in range(args.repetitions):
            t = time.perf_counter()
            bilans = compute_all_bilans(con, plan, PHASE)
            warm.append(time.perf_counter() - t)
        jalon = statistics.median(warm)
        print(
            f"Jalon : 1re exécution {first:.2f} s, à chaud {jalon:.2f} s "
            f"({', '.join(f'{w:.2f}' for w in warm)})"
        )
        frames = load_frames(con)
        con.close()
        t = time.perf_counter()
        panda = pandas_bilan(frames, plan)
        pandas_seconds = time.perf_counter() - t
        print(f"pandas : {pandas_seconds:.1f} s")
        _check(bilans, panda)
        ratio = pandas_seconds / jalon
        verdict = "OK" if jalon < BAR_SECONDS and ratio >= BAR_RATIO else "barre manquée"
        print(
            f"pandas / Jalon = {ratio:.1f} ; barres < {BAR_SECONDS:g} s "
            f"et ≥ {BAR_RATIO:g} × : {verdict}"
        )
    if args.resultats:
        row = (
            f"| {nombre(args.entrees)} ({nombre(in_phase)}) | {nombre(first, 2)} s "
            f"| {nombre(jalon, 2)} s | {nombre(pandas_seconds, 1)} s | {nombre(ratio, 1)} × "
            f"| {nombre(mart_seconds, 1)} s |"
        )
        write_results(args.resultats, row, args.note)


if __name__ == "__main__":
    main()
