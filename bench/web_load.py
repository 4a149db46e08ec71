"""Load bench of the web app: 20 concurrent clients on a region page and its JSON for 60 s.

Builds (once, then reuses) a store of N synthetic entries written straight into the canonical
`entrees` table with SQL (default 10 million, spread over 2015 – mid-2017, every département,
realistic financeur mixes), starts the real `jalon serveur` on 127.0.0.1 in a child process, warms
the region's views, then runs 20 closed-loop clients alternating `GET /regions/R` and
`GET /api/regions/R` for the given duration: wrk (Debian's package, `apt-get install wrk`) when
present, else an asyncio httpx loop (whose own Python cost, on two cores, weighs on the
latencies it reports). Only loopback is contacted. The server's own CPU time per request is
reported too (from /proc), which machine load does not inflate.

The baseline measured in the same run is the first (uncached) answer of each URL, which computes
the bilan on the whole store: the ratio says what the per-data-version cache buys. Bar (DESIGN §7):
95th percentile under 200 ms with no error.

    .venv/bin/python bench/web_load.py                  # 10 000 000 entries, 20 clients, 60 s
    .venv/bin/python bench/web_load.py --entrees 200000 --duree 10
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

from jalon.store import open_store
from jalon.store.canonical import load_reference

OUT = Path(__file__).parent / "out"


def build_store(path: Path, entries: int) -> None:
    """Synthetic entries in the canonical table (no personal data exists to begin with)."""
    if path.exists():
        con = open_store(path)
        try:
            row = con.execute("SELECT count(*) FROM entrees").fetchone()
        finally:
            con.close()
        if row and row[0] == entries:
            return
        path.unlink()
    started = time.perf_counter()
    con = open_store(path)
    try:
        load_reference(con)
        con.execute(
            """
            CREATE TEMP TABLE deps AS
            SELECT row_number() OVER (ORDER BY departement) - 1 AS k, departement, region
            FROM ref_departements
            """
        )
        n_deps = con.execute("SELECT count(*) FROM deps").fetchone()[0]  # type: ignore[index]
        con.execute(
            f"""
            INSERT INTO entrees
            SELECT
                'p' || (i % {max(entries * 7 // 10, 1)}) AS hash_personne,
                'SK:' || (i // 12) AS cle_session,
                DATE '2015-01-01' + CAST(hash(i) % 912 AS INTEGER) AS date_entree,
                DATE '2015-01-01' + CAST(hash(i) % 912 AS INTEGER)
                    + CAST(30 + hash(i + 1) % 300 AS INTEGER) AS date_sortie,
                CASE hash(i + 2) % 10
                    WHEN 0 THEN [2, 4] WHEN 1 THEN [5] WHEN 2 THEN [4, 7]
                    WHEN 3 THEN [2] WHEN 4 THEN [2] ELSE [4] END::UTINYINT[] AS financeurs,
                CASE hash(i + 2) % 10
                    WHEN 0 THEN 2 WHEN 1 THEN 5 WHEN 3 THEN 2 WHEN 4 THEN 2 ELSE 4
                END::UTINYINT AS financeur_principal,
                lpad(CAST(10000 + hash(i + 3) % 89999 AS VARCHAR), 5, '0') AS formacode,
                hash(i + 4) % 3 = 0 AS certifiante,
                lpad(CAST(hash(i + 5) % 99999999999999 AS VARCHAR), 14, '0') AS siret,
                d.departement,
                d.region,
                CAST(35 + hash(i + 6) % 900 AS INTEGER) AS duree_heures,
                [1] AS imports,
                false AS personne_locale
            FROM range({entries}) t(i)
            JOIN deps d ON d.k = hash(t.i + 7) % {n_deps}
            """
        )
        con.execute(
            "INSERT INTO imports (import_id, profile, layout, file_name, sha256, encoding, "
            "started_at, finished_at, lines_read, accepted, rejected, duplicates, status, "
            "replaces, imported_by) VALUES (1, 'synthetique', NULL, 'web_load', 'bench', NULL, "
            "now(), now(), ?, ?, 0, 0, 'actif', NULL, 'bench')",
            [entries, entries],
        )
        con.execute("CHECKPOINT")
    finally:
        con.close()
    print(f"base de {entries:,} entrées construite en {time.perf_counter() - started:.1f} s")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_server(db: Path, port: int) -> subprocess.Popen[bytes]:
    jalon = Path(sys.executable).with_name("jalon")
    process = subprocess.Popen(
        [str(jalon), "serveur", "--hote", "127.0.0.1", "--port", str(port), "--db", str(db),
         "--http-local"],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/sante", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError("le serveur n'a pas démarré")


async def load(base: str, urls: list[str], clients: int, seconds: float) -> dict[str, object]:
    latencies: list[float] = []
    errors: list[str] = []
    stop = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=10) as client:

        async def worker(index: int) -> None:
            turn = index
            while time.monotonic() < stop:
                url = urls[turn % len(urls)]
                turn += 1
                began = time.perf_counter()
                try:
                    response = await client.get(url)
                    await response.aread()
                    if response.status_code != 200:
                        errors.append(f"{url}: HTTP {response.status_code}")
                except httpx.HTTPError as exc:
                    errors.append(f"{url}: {type(exc).__name__}")
                latencies.append(time.perf_counter() - began)

        await asyncio.gather(*(worker(i) for i in range(clients)))
    latencies.sort()
    return {
        "requetes": len(latencies),
        "erreurs": len(errors),
        "exemples_erreurs": errors[:3],
        "p50_ms": 1000 * statistics.median(latencies),
        "p95_ms": 1000 * latencies[int(0.95 * (len(latencies) - 1))],
        "p99_ms": 1000 * latencies[int(0.99 * (len(latencies) - 1))],
        "max_ms": 1000 * latencies[-1],
        "debit_par_s": len(latencies) / seconds,
    }


WRK_SCRIPT = """
local paths = {%s}
local turn = 0
request = function()
  turn = turn + 1
  return wrk.format("GET", paths[(turn %% #paths) + 1])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("JALON %%d %%d %%.3f %%.3f %%.3f %%.3f\\n", summary.requests,
    e.connect + e.read + e.write + e.status + e.timeout, latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
"""


def load_wrk(base: str, urls: list[str], clients: int, seconds: float) -> dict[str, object]:
    """The same closed loop with wrk (C, from Debian), whose own cost does not skew the result."""
    script = OUT / "web_load.lua"
    script.write_text(WRK_SCRIPT % ", ".join(f'"{u}"' for u in urls), encoding="utf-8")
    run = subprocess.run(
        ["wrk", "-t1", f"-c{clients}", f"-d{int(seconds)}s", "--timeout", "10s", "-s",
         str(script), base],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    line = next(li for li in run.stdout.splitlines() if li.startswith("JALON "))
    requests, errors, p50, p95, p99, worst = line.split()[1:]
    return {
        "requetes": int(requests),
        "erreurs": int(errors),
        "p50_ms": float(p50),
        "p95_ms": float(p95),
        "p99_ms": float(p99),
        "max_ms": float(worst),
        "debit_par_s": int(requests) / seconds,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entrees", type=int, default=10_000_000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--duree", type=float, default=60.0)
    parser.add_argument("--region", default="76")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--db", type=Path, default=None)
    parser.add_argument(
        "--outil",
        choices=["wrk", "httpx"],
        default="wrk" if shutil.which("wrk") else "httpx",
        help="client de charge : wrk (apt-get install wrk) ou la boucle asyncio httpx",
    )
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    db = args.db or OUT / f"web-{args.entrees}.duckdb"
    build_store(db, args.entrees)
    server = start_server(db, args.port)
    base = f"http://127.0.0.1:{args.port}"
    urls = [f"/regions/{args.region}?phase=2016", f"/api/regions/{args.region}?phase=2016"]
    try:
        cold = {}
        for url in urls:
            began = time.perf_counter()
            response = httpx.get(base + url, timeout=600)
            cold[url] = time.perf_counter() - began
            response.raise_for_status()
        load_before = os.getloadavg()[0]
        cpu_before = cpu_seconds(server.pid)
        if args.outil == "wrk":
            result = load_wrk(base, urls, args.clients, args.duree)
        else:
            result = asyncio.run(load(base, urls, args.clients, args.duree))
        server_cpu = cpu_seconds(server.pid) - cpu_before
        load_after = os.getloadavg()[0]
    finally:
        server.terminate()
        server.wait(timeout=60)
    baseline_ms = 1000 * max(cold.values())
    print(
        f"entrées : {args.entrees:,} ; clients : {args.clients} ; durée : {args.duree:.0f} s ; "
        f"outil : {args.outil}"
    )
    for url, seconds in cold.items():
        print(f"premier appel (calcul, base de comparaison) {url} : {1000 * seconds:.0f} ms")
    for key, value in result.items():
        print(f"{key} : {value:.1f}" if isinstance(value, float) else f"{key} : {value}")
    per_request = 1000 * server_cpu / max(int(result["requetes"]), 1)  # type: ignore[call-overload]
    print(f"CPU du serveur par requête : {per_request:.2f} ms")
    print(f"charge de la machine (1 min) avant / après : {load_before:.1f} / {load_after:.1f}")
    ratio = baseline_ms / float(result["p95_ms"])  # type: ignore[arg-type]
    print(f"rapport premier calcul / p95 : {ratio:.0f}×")
    ok = float(result["p95_ms"]) < 200 and result["erreurs"] == 0  # type: ignore[arg-type]
    print("barre (p95 < 200 ms, aucune erreur) :", "atteinte" if ok else "NON ATTEINTE")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
