"""Benchmark of the simulator: the full data set at a scale (default 1, the real size) and the
stand-alone `pe-stagiaires` writer at one or more sizes.

    .venv/bin/python bench/simulate_bench.py                 # scale 1 and 1 M lines
    .venv/bin/python bench/simulate_bench.py --lines 10000000 --scale 0.5

Prints wall-clock and CPU seconds (all threads) for each step; files go to a temporary folder that
is removed afterwards. The bar (issue 5): scale 1 in under 2 minutes on the 2-core machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import tempfile
import time
from pathlib import Path

from jalon.simulate import simulate, write_pe_stagiaires

BAR_SECONDS = 120.0


def _timed(label: str, step: object) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    assert callable(step)
    detail = step()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"{label:<42} {wall:8.1f} s wall {cpu:8.1f} s CPU   {detail}")
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=2016)
    parser.add_argument("--lines", type=int, nargs="*", default=[1_000_000])
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="jalon-simulate-bench-"))
    try:

        def full() -> str:
            manifest = simulate(work / "jeu", scale=args.scale, seed=args.seed)
            size = sum(f.path.stat().st_size for f in manifest.files)
            entries = manifest.truth["entrees"]["2016"]
            return f"{len(manifest.files)} files, {size / 1e6:.0f} MB, {entries:,} entries 2016"

        wall, _cpu = _timed(f"simulate(scale={args.scale:g})", full)
        if args.scale == 1.0:
            verdict = "OK" if wall < BAR_SECONDS else "TOO SLOW"
            print(f"bar: scale 1 under {BAR_SECONDS:.0f} s -> {verdict}")
        shutil.rmtree(work / "jeu")
        for n in args.lines:

            def pe(n: int = n) -> str:
                path = work / f"pe-{n}.csv"
                write_pe_stagiaires(
                    path, n, args.seed, start=dt.date(2016, 1, 1), end=dt.date(2016, 12, 31)
                )
                size = path.stat().st_size
                path.unlink()
                return f"{size / 1e6:.0f} MB"

            _timed(f"write_pe_stagiaires({n:,} lines)", pe)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
