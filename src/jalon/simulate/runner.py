"""The simulator's entry point: `simulate` draws every region of the 2016 map and writes the files
a real deployment receives under `out_dir/<region>/`, then `manifest.json`.

Regions are independent (each has its own random stream derived from the seed), so they are drawn
and written by two worker threads; the manifest is assembled in a fixed order, so the output is
byte-identical for a seed. Only `demandeurs` and `actions-agregees`, which are apportioned across
regions, are written after all regions.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from jalon.simulate import calibration as cal
from jalon.simulate import pe_stagiaires as pe
from jalon.simulate import region_stagiaires as rs
from jalon.simulate.geo import REGIONS_2016
from jalon.simulate.lheo import write_lheo
from jalon.simulate.manifest import Manifest, ManifestEntry, sha256_of
from jalon.simulate.pe_layouts import END_DATE, LAYOUTS, column_index, layout_of_month
from jalon.simulate.region import RegionData, apportion, distinct, generate_region
from jalon.simulate.registers import (
    Emplois,
    draw_emplois,
    write_actions,
    write_demandeurs,
    write_emplois,
    write_personnes,
)
from jalon.simulate.truth import national_truth, region_truth

Progress = Callable[[str, int, int], None]
"""Called as `progress(message, done, total)` after each region and at the end."""

FIRST_MONTH = np.datetime64("2015-01", "M")
N_MONTHS = 30
# Load order of the profiles (trainee exports are further ordered by the date they are sent).
_GROUP = {
    "lheo": 0,
    "personnes": 1,
    "pe-stagiaires": 2,
    "region-stagiaires": 2,
    "emplois": 3,
    "demandeurs": 4,
    "actions-agregees": 5,
}


@dataclass
class _Written:
    """Files of one region with their sort keys, and what the later steps need."""

    entries: list[tuple[tuple[int, int, int], ManifestEntry]] = field(default_factory=list)
    truth: dict[str, object] = field(default_factory=dict)
    persons_by_year: dict[int, int] = field(default_factory=dict)
    counted_by_period: list[int] = field(default_factory=list)
    local_lines: int = 0


def _entry(
    out_dir: Path,
    path: Path,
    *,
    profile: str,
    region: str,
    period: str,
    lines: int,
    malformed: int = 0,
    anomalies: int = 0,
    encoding: str = "utf-8",
    layout: str | None = None,
    replaces: Path | None = None,
) -> ManifestEntry:
    return ManifestEntry(
        path=path,
        profile=profile,
        region=region,
        period=period,
        sha256=sha256_of(path),
        lines=lines,
        malformed=malformed,
        anomalies=anomalies,
        encoding=encoding,
        layout=layout,
        replaces=replaces,
    )


def _with_malformed(
    lines: pa.StringArray,
    rng: np.random.Generator,
    versions: Callable[[list[str], np.ndarray], list[str]],
) -> tuple[pa.StringArray, int]:
    """Insert malformed copies of `MALFORMED_SHARE` of the lines, each after its original."""
    n = len(lines)
    k = int(rng.binomial(n, cal.MALFORMED_SHARE)) if n else 0
    if k == 0:
        return lines, 0
    src = np.sort(rng.choice(n, size=k, replace=False))
    bad = versions(lines.take(pa.array(src)).to_pylist(), rng.integers(0, 3, k))
    keys = np.concatenate([np.arange(n) * 2, src * 2 + 1])
    merged = pa.concat_arrays([lines, pa.array(bad, pa.string())])
    return merged.take(pa.array(np.argsort(keys, kind="stable"))), k


def _flawed_first_version(
    lines: pa.StringArray, rng: np.random.Generator, end_at: int
) -> pa.StringArray:
    """The first sending of an export later corrected: some lines missing, some end dates
    wrong (the correction has the right content)."""
    n = len(lines)
    missing = rng.random(n) < cal.CORRECTION_MISSING_SHARE
    if n and not missing.any():
        missing[rng.integers(0, n)] = True
    keep = np.flatnonzero(~missing)
    kept = lines.take(pa.array(keep))
    wrong = np.flatnonzero(rng.random(len(kept)) < cal.CORRECTION_WRONG_SHARE)
    if len(wrong) == 0:
        return kept
    texts = kept.take(pa.array(wrong)).to_pylist()
    fixed = []
    for text in texts:
        fields = text.split("|")
        end = np.datetime64(fields[end_at][:10]) + np.timedelta64(28, "D")
        fields[end_at] = f"{end} 00:00:00.0"
        fixed.append("|".join(fields))
    mask = np.zeros(len(kept), dtype=bool)
    mask[wrong] = True
    return pc.replace_with_mask(kept, pa.array(mask), pa.array(fixed, pa.string()))


def _write_pe(out_dir: Path, data: RegionData, rng: np.random.Generator, w: _Written) -> None:
    folder = out_dir / data.region
    rows = np.flatnonzero(data.in_pe)
    rows = rows[np.argsort(data.pe_month[rows], kind="stable")]
    month_index = (data.pe_month[rows] - FIRST_MONTH).astype(np.int64)
    bounds = np.searchsorted(month_index, np.arange(N_MONTHS + 1))
    layouts = [layout_of_month(str(FIRST_MONTH + m)) for m in range(N_MONTHS)]
    segments = {layout: pe.session_segments(data.sessions, layout) for layout in set(layouts)}
    corrected = int(rng.integers(13, 23))  # one 2016 export (February … November) is re-sent
    for m in range(N_MONTHS):
        month = str(FIRST_MONTH + m)
        layout = layouts[m]
        sel = rows[bounds[m] : bounds[m + 1]]
        lines = pe.format_lines(data.entrees.take(sel), segments[layout])
        name = f"pe-stagiaires-{data.region}-{month}"
        versions: list[tuple[pa.StringArray, str, Path | None, int, int]]
        versions = [(lines, f"{name}.csv", None, m + 1, 0)]
        if m == corrected:
            first = _flawed_first_version(lines, rng, column_index(layout, END_DATE))
            versions = [
                (first, f"{name}.csv", None, m + 1, 0),
                (lines, f"{name}-rectificatif.csv", folder / f"{name}.csv", m + 2, 2),
            ]
        for text, filename, replaces, sent, sub in versions:
            text, odd = pe.with_anomalies(text, LAYOUTS[layout], rng, cal.ANOMALIES_PER_FILE)
            final, bad = _with_malformed(text, rng, pe.malformed_versions)
            path = folder / filename
            with path.open("wb") as out:
                out.write(pe.header(layout))
                pe.write_lines(out, final)
            entry = _entry(
                out_dir,
                path,
                profile="pe-stagiaires",
                region=data.region,
                period=month,
                lines=len(final),
                malformed=bad,
                anomalies=odd,
                layout=layout,
                replaces=replaces,
            )
            w.entries.append(((2, sent, sub), entry))


def _region_layout(region: str, quarter: int) -> str:
    local_from = cal.LOCAL_ID_REGIONS.get(region)
    first = str(FIRST_MONTH + 3 * quarter)
    return "local" if local_from is not None and first >= local_from else "national"


def _write_region_exports(
    out_dir: Path, data: RegionData, rng: np.random.Generator, w: _Written
) -> None:
    if data.region in cal.NO_REGION_EXPORT:
        return
    encoding = "latin-1" if data.region in cal.LATIN1_REGIONS else "utf-8"
    rows = np.flatnonzero(data.in_region)
    start = data.sessions.start[data.entrees.session[rows]]
    quarter = (start.astype("datetime64[M]") - FIRST_MONTH).astype(np.int64) // 3
    rows = rows[np.argsort(quarter, kind="stable")]
    quarter = np.sort(quarter, kind="stable")
    bounds = np.searchsorted(quarter, np.arange(N_MONTHS // 3 + 1))
    national = rs.session_segments(data.sessions)
    for q in range(N_MONTHS // 3):
        layout = _region_layout(data.region, q)
        if layout == "national":
            segments = national
            keyed_by: str | None = "N° Session Carif"
        else:
            # Sent two weeks after the quarter: the actual end is known for sessions ended by then.
            sent = (FIRST_MONTH + 3 * q + 3).astype("datetime64[D]") + np.timedelta64(14, "D")
            segments = rs.session_segments(data.sessions, layout, sent)
            keyed_by = None
        sel = rows[bounds[q] : bounds[q + 1]]
        if layout == "local":
            w.local_lines += len(sel)
        lines = rs.format_lines(data.entrees.take(sel), segments, layout)
        lines, odd = pe.with_anomalies(
            lines,
            rs.LAYOUTS[layout],
            rng,
            cal.ANOMALIES_PER_FILE,
            sep=";",
            targets=rs.ANOMALIES,
            keyed_by=keyed_by,
            no_key="",
        )
        final, bad = _with_malformed(lines, rng, partial(rs.malformed_versions, layout=layout))
        period = f"{2015 + q // 4}-T{q % 4 + 1}"
        path = out_dir / data.region / f"region-stagiaires-{data.region}-{period}.csv"
        text = rs.header(layout) + "".join(final.to_pylist())
        path.write_bytes(text.encode(encoding))
        entry = _entry(
            out_dir,
            path,
            profile="region-stagiaires",
            region=data.region,
            period=period,
            lines=len(final),
            malformed=bad,
            anomalies=odd,
            encoding=encoding,
            layout=layout,
        )
        w.entries.append(((2, 3 * q + 3, 1), entry))


def _persons_by_year(data: RegionData) -> dict[int, int]:
    start = data.sessions.start[data.entrees.session]
    year = start.astype("datetime64[Y]").astype(np.int64) + 1970
    out: dict[int, int] = {}
    for y in (2015, 2016, 2017):
        out[y] = len(distinct(data.entrees.person[year == y]))
    return out


def _simulate_region(out_dir: Path, index: int, scale: float, seed: int) -> _Written:
    region = REGIONS_2016[index]
    data = generate_region(region, index, scale, seed)
    rng = np.random.default_rng([seed, index, 7])
    folder = out_dir / region
    folder.mkdir(parents=True, exist_ok=True)
    w = _Written()
    path = folder / f"lheo-offres-{region}.xml"
    n = write_lheo(path, data.sessions, region, rng)
    w.entries.append(
        (
            (0, 0, 0),
            _entry(out_dir, path, profile="lheo", region=region, period="2015-01/2017-06", lines=n),
        )
    )
    path = folder / f"personnes-{region}.csv"
    n = write_personnes(path, data)
    w.entries.append(
        (
            (1, 0, 0),
            _entry(out_dir, path, profile="personnes", region=region, period="2017-07", lines=n),
        )
    )
    _write_pe(out_dir, data, rng, w)
    _write_region_exports(out_dir, data, rng, w)
    emplois: Emplois = draw_emplois(rng, data)
    path = folder / f"emplois-{region}.csv"
    n = write_emplois(path, data, emplois)
    w.entries.append(
        (
            (3, 0, 0),
            _entry(
                out_dir, path, profile="emplois", region=region, period="2015-01/2018-06", lines=n
            ),
        )
    )
    w.persons_by_year = _persons_by_year(data)
    w.truth = region_truth(data, emplois)
    w.truth["personnes"] = {str(y): n for y, n in w.persons_by_year.items()}
    # Entries reported under a regional trainee id only (no national id to match them by).
    w.truth["entrees_identifiant_local"] = w.local_lines
    w.counted_by_period = [int(((data.period == k) & data.counted).sum()) for k in range(3)]
    return w


def _demandeurs(seed: int, persons: list[dict[int, int]]) -> list[dict[int, int]]:
    """Job seekers per region and year: the trained persons over the year's access rate, with a
    regional factor, rescaled so that the national rate is exact."""
    rng = np.random.default_rng([seed, 99])
    factor = rng.uniform(0.85, 1.15, len(persons))
    out: list[dict[int, int]] = [{} for _ in persons]
    for year in (2015, 2016):
        raw = np.array([p[year] for p in persons]) / (cal.ACCESS_RATE[year] * factor)
        total = round(sum(p[year] for p in persons) / cal.ACCESS_RATE[year])
        for i, n in enumerate(apportion(total, raw)):
            out[i][year] = max(int(n), 1)
    for d in out:
        d[2017] = round(d[2016] * 0.985)
    return out


def _actions(counted: list[list[int]], scale: float) -> list[list[tuple[int, int, str, int]]]:
    """Non-training actions per region and month: national totals apportioned to regions by
    their counted entries of the period, then to months by the seasonal profile."""
    out: list[list[tuple[int, int, str, int]]] = [[] for _ in counted]
    season = np.asarray(cal.SEASONALITY)
    for k, period in enumerate(cal.PERIODS):
        year = int(period[:4])
        months = season[:6] if period == "2017S1" else season
        weights = np.array([c[k] for c in counted], dtype=np.float64) + 1e-9
        for kind, total in cal.ACTIONS_AGREGEES[period].items():
            per_region = apportion(round(total * scale), weights)
            for i, n in enumerate(per_region.tolist()):
                for m, v in enumerate(apportion(n, months).tolist()):
                    out[i].append((year, m + 1, kind, v))
    return out


def simulate(
    out_dir: Path, scale: float = 0.02, seed: int = 2016, progress: Progress | None = None
) -> Manifest:
    """Write a simulated data set for every region of the 2016 map under `out_dir` and return
    (and write as `out_dir/manifest.json`) its manifest. Scale 1 is the real size (about a
    million entries in 2016). The same `scale` and `seed` always give byte-identical files."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    total = len(REGIONS_2016)
    results: list[_Written] = []
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = [pool.submit(_simulate_region, out_dir, i, scale, seed) for i in range(total)]
        for i, fut in enumerate(futures):
            results.append(fut.result())
            if progress:
                progress(f"région {REGIONS_2016[i]}", i + 1, total + 1)
    demandeurs = _demandeurs(seed, [w.persons_by_year for w in results])
    actions = _actions([w.counted_by_period for w in results], scale)
    keyed: list[tuple[tuple[int, int, int], int, ManifestEntry]] = []
    for i, (region, w) in enumerate(zip(REGIONS_2016, results, strict=True)):
        keyed += [(key, i, entry) for key, entry in w.entries]
        path = out_dir / region / f"demandeurs-{region}.csv"
        n = write_demandeurs(path, region, demandeurs[i])
        keyed.append(
            (
                (4, 0, 0),
                i,
                _entry(
                    out_dir, path, profile="demandeurs", region=region, period="2015/2017", lines=n
                ),
            )
        )
        path = out_dir / region / f"actions-agregees-{region}.csv"
        n = write_actions(path, region, actions[i])
        keyed.append(
            (
                (5, 0, 0),
                i,
                _entry(
                    out_dir,
                    path,
                    profile="actions-agregees",
                    region=region,
                    period="2015-01/2017-06",
                    lines=n,
                ),
            )
        )
    keyed.sort(key=lambda t: (t[0][0], t[0][1], t[1], t[0][2]))
    manifest = Manifest(root=out_dir, scale=scale, seed=seed, files=[e for _k, _i, e in keyed])
    manifest.truth = national_truth(
        {r: w.truth for r, w in zip(REGIONS_2016, results, strict=True)},
        {r: d for r, d in zip(REGIONS_2016, demandeurs, strict=True)},
        actions={r: a for r, a in zip(REGIONS_2016, actions, strict=True)},
        malformed=sum(f.malformed for f in manifest.files),
        anomalies=sum(f.anomalies for f in manifest.files),
    )
    manifest.write()
    if progress:
        progress("manifeste", total + 1, total + 1)
    return manifest
