"""A simulated data set for any declared plan: Pôle emploi trainee exports sized on its targets.

`simulate_plan(out_dir, plan, scale, seed)` reads nothing but the plan: one national
`pe-stagiaires` export per window the plan counts (every distinct reference window, then every
phase), with the lines of each region of the 2016 map starting uniformly in the window
(`write_pe_stagiaires`). A
region's reference window gets its convention's declared baseline, a phase the baseline plus the
target's additional entries times a realisation factor drawn between 0.7 and 1.2; a region
without a convention gets the mean baseline of the others and no increase. It proves that the
bilan, the ranking and the forecast run on a plan other than the one `simulate` is calibrated on
(DESIGN §4); the figures mean nothing beyond that. Files and manifest only; the same arguments
always give the same bytes.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np

from jalon.plan import Plan
from jalon.simulate.geo import REGIONS_2016
from jalon.simulate.manifest import Manifest, ManifestEntry, sha256_of
from jalon.simulate.pe_stagiaires import write_pe_stagiaires

LAYOUT = "2017-35"  # the 35-column export Pôle emploi sends since 2017 (DESIGN §5)


def _windows(plan: Plan) -> list[tuple[str, dt.date, dt.date, str | None]]:
    """(name, start, end, phase code or None for a reference window), references first."""
    references = sorted({(p.reference_start, p.reference_end) for p in plan.phases})
    windows: list[tuple[str, dt.date, dt.date, str | None]] = [
        (f"reference-{start:%Y%m%d}-{end:%Y%m%d}", start, end, None) for start, end in references
    ]
    windows += [(f"phase-{p.code}", p.start, p.end, p.code) for p in plan.phases]
    return windows


def _volume(plan: Plan, region: str, phase: str | None, factor: float) -> float:
    """Entries of a region in a window, from its targets (see the module)."""
    baselines = [t.declared_baseline for c in plan.conventions for t in c.targets]
    default = sum(baselines) / len(baselines) if baselines else 1000.0
    convention = plan.convention(region)
    code = phase or plan.phases[0].code
    target = convention.target(code) if convention else None
    if target is None:
        return default
    if phase is None:
        return target.declared_baseline
    return target.declared_baseline + target.additional_entries * factor


def simulate_plan(out_dir: Path, plan: Plan, seed: int = 2019) -> Manifest:
    """Write one national trainee export per window of `plan` (every region's lines, sized on
    the plan's targets as loaded: a plan copied at a small `scale` by `write_scaled_plan` gives
    a small data set, read at full size by the same copy), and the manifest (load order:
    references, then phases). Persons and sessions are numbered across the whole data set, so
    no line of one file repeats an entry of another."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng([seed, 15])
    factors = {(r, p.code): float(rng.uniform(0.7, 1.2)) for r in REGIONS_2016 for p in plan.phases}
    manifest = Manifest(root=out_dir, scale=plan.scale, seed=seed)
    written = 0
    for index, (name, start, end, phase) in enumerate(_windows(plan)):
        path = out_dir / f"pe-stagiaires-{name}.csv"
        lines = 0
        for number, region in enumerate(REGIONS_2016):
            factor = factors.get((region, phase or ""), 1.0)
            n = max(1, round(_volume(plan, region, phase, factor)))
            write_pe_stagiaires(
                path,
                n,
                seed * 1000 + index * 100 + number,
                layout=LAYOUT,
                region=region,
                start=start,
                end=end,
                threads=1,
                first_line=written,
                with_header=number == 0,
            )
            written += n
            lines += n
        manifest.files.append(
            ManifestEntry(
                path=path,
                profile="pe-stagiaires",
                region="toutes",
                period=f"{start:%Y-%m}/{end:%Y-%m}",
                sha256=sha256_of(path),
                lines=lines,
                layout=LAYOUT,
            )
        )
    manifest.write()
    return manifest
