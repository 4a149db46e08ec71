"""Benchmark of the secrecy pattern on a store, and its comparison with τ-Argus (pytauargus).

    .venv/bin/python bench/secret_bench.py --db BASE.duckdb [--plan PLAN.toml] [--phase 2016]

On the store's bilans of one phase (the nation and every region, `compute_all_bilans`), it times
`secret_pattern` (not memoised), counts the published count cells, the primary and the secondary
suppressions (and those of the open data crossings, `Bilan.crossings`), and checks every hidden
cell against the pattern's linear system (no hidden cell, and no small gap, is determined). The
time is given as elapsed and as processor time (the machine is shared: the latter varies less).
Then it takes one linked table, région × domaine with its margins (the regions' tables and the
nation's), protects it with Jalon's pattern alone and with τ-Argus (frequency rule
`FREQ(threshold, 0)`, optimal suppression `OPT`, HiGHS solver), and compares the two: cells
hidden, their total, and whether each pattern leaves every hidden cell undetermined by the
other's check. τ-Argus is a reference here, not a run-time dependency.
"""

from __future__ import annotations

import argparse
import contextlib
import tempfile
import time
from pathlib import Path

from jalon.formatting import nombre
from jalon.indicators import Bilan, compute_all_bilans
from jalon.indicators.registry import CROSSING_SPECS as CROSSINGS
from jalon.indicators.secret_pattern import (
    FIGURES,
    TOTAL,
    determined,
    linear_system,
    secret_pattern,
)
from jalon.plan import load_plan
from jalon.store import open_store


def _check(bilans: dict[str | None, Bilan], hidden: set, threshold: int) -> int:
    """Hidden cells (and small gaps) the linear system of `bilans` determines: must be 0."""
    system = linear_system(bilans)
    unknown = sorted(hidden | set(system.gaps), key=repr)
    protect = hidden | {c for c, v in system.gaps.items() if 0 < abs(v) < threshold}
    return len(set(determined(system.equations, unknown)) & protect)


def _domain_table(bilans: dict[str | None, Bilan]) -> dict[str | None, Bilan]:
    return {
        t: Bilan(
            b.plan,
            b.plan_sha256,
            b.phase,
            t,
            [f for f in b.figures if f.code == "entrees"],
            [x for x in b.breakdowns if x.code == "domaine"],
        )
        for t, b in bilans.items()
    }


def _tau_argus(bilans: dict[str | None, Bilan], threshold: int) -> set:
    from pytauargus import protect

    regions, domains, ones = [], [], []
    for territory, bilan in bilans.items():
        if territory is None:
            continue
        for row in bilan.breakdown("domaine").rows:
            count = int(row.values["entrees"] or 0)
            regions += [territory] * count
            domains += [row.key] * count
            ones += [1.0] * count
    workdir = tempfile.mkdtemp(prefix="jalon-tauargus-")
    with contextlib.chdir(workdir):  # its solver writes its logs in the working directory
        result = protect(
            {"Region": regions, "Domaine": domains, "un": ones},
            ["Region", "Domaine"],
            response="un",
            safety_rules=f"FREQ({threshold},0)",
            suppress="OPT(1)",
            workdir=workdir,
        )
    frame = result.tables[0].dataframe()
    hidden = set()
    for region, domain, status in zip(
        frame["Region"], frame["Domaine"], frame["status"], strict=True
    ):
        if status not in ("U", "M"):
            continue
        # τ-Argus pads its codes to the longest one ("     21"); Jalon's keys are bare.
        region, domain = str(region).strip(), str(domain).strip()
        territory = None if region == "Total" else region
        if domain == "Total":
            hidden.add((territory, FIGURES, "entrees", ""))
        else:
            hidden.add((territory, "domaine", "entrees", domain))
    return hidden


def _cost(bilans: dict[str | None, Bilan], hidden: set) -> int:
    values = linear_system(bilans).values
    return int(sum(values.get(c, 0) for c in hidden))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--plan", type=Path)
    parser.add_argument("--phase", default="2016")
    args = parser.parse_args()
    plan = load_plan(args.plan) if args.plan else load_plan()
    threshold = plan.secret.threshold
    con = open_store(args.db, read_only=True)
    try:
        bilans = compute_all_bilans(con, plan, args.phase)
    finally:
        con.close()
    included = plan.actions_agregees.included
    started, processor = time.perf_counter(), time.process_time()
    pattern = secret_pattern(bilans, threshold, included=included)
    elapsed, processor = time.perf_counter() - started, time.process_time() - processor
    values = linear_system(bilans, included).values
    secondary = pattern.hidden - pattern.primary
    print(
        f"Cases publiées : {nombre(len(values))} ; primaires : {nombre(len(pattern.primary))} ; "
        f"secondaires : {nombre(len(secondary))} (effectif "
        f"{nombre(int(sum(values[c] for c in secondary)))}) ; calcul : {nombre(elapsed, 2)} s "
        f"({nombre(processor, 2)} s de processeur)"
    )
    print(f"Cases masquées recalculables : {_check(bilans, set(pattern.hidden), threshold)}")
    crossed = {c for c in values if c[1] in CROSSINGS}
    print(
        f"dont croisements (données ouvertes) : {nombre(len(crossed))} cases publiées, "
        f"{nombre(len(pattern.hidden & crossed))} masquées ; tableaux du bilan : "
        f"{nombre(len(pattern.hidden - crossed))} cases masquées"
    )

    table = _domain_table(bilans)
    ours = set(secret_pattern(table, threshold).hidden)
    theirs = _tau_argus(table, threshold)
    for name, hidden in (("Jalon", ours), ("τ-Argus OPT", theirs)):
        print(
            f"Région × domaine, {name} : {nombre(len(hidden))} cases masquées "
            f"(dont {nombre(sum(1 for c in hidden if c[3] in ('', TOTAL)))} totaux), "
            f"effectif masqué {nombre(_cost(table, hidden))}, "
            f"recalculables : {_check(table, hidden, threshold)}"
        )
    print(f"Cases masquées par les deux : {nombre(len(ours & theirs))}")


if __name__ == "__main__":
    main()
