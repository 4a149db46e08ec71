"""Draw the ground truth of one region: its sessions, its trainee entries and its trainees.

Pure numpy, no I/O: `generate_region` returns a `RegionData` of column arrays that the writers
turn into files. Counts come from `calibration` times the scale and are exact (monthly counts are
apportioned with largest remainders), so a file-level count can be compared with the truth.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from jalon.simulate import calibration as cal
from jalon.simulate.geo import geography
from jalon.simulate.sessions import (
    COMBO_CODES,
    COMBO_INDEX,
    FINANCEUR_COMBOS,
    EntreeTable,
    SessionTable,
    draw_actions,
    schedule,
)

PERIOD_MONTHS: dict[str, tuple[str, int]] = {
    "2015": ("2015-01", 12),
    "2016": ("2016-01", 12),
    "2017S1": ("2017-01", 6),
}
IDS_PER_REGION = 10_000_000
# Training organisations of a region: a slice of the organisation pool of this size.
ORGANISMES_PER_REGION = 160
LAST_MONTH = np.datetime64("2017-06", "M")

_ADD_AGEFIPH = {
    COMBO_INDEX["4"]: COMBO_INDEX["4;7"],
    COMBO_INDEX["2;4"]: COMBO_INDEX["2;4;7"],
    COMBO_INDEX["2"]: COMBO_INDEX["2;7"],
}
COMBO_COUNTED = np.array(
    [any(c in cal.counted_financeurs() for c in codes) for codes in COMBO_CODES]
)
COMBO_HAS_2 = np.array([2 in codes for codes in COMBO_CODES])
COMBO_HAS_4 = np.array([4 in codes for codes in COMBO_CODES])


@dataclass
class Persons:
    """One row per distinct trainee of the region (attributes at their first entry)."""

    person: np.ndarray
    female: np.ndarray
    birth_month: np.ndarray  # datetime64[M]
    niveau: np.ndarray
    inscription: np.ndarray  # datetime64[D]
    fin_inscription: np.ndarray  # datetime64[D], NaT while registered
    previous_inscription: np.ndarray
    previous_fin: np.ndarray  # NaT when the person has no earlier spell
    disabled: np.ndarray
    qpv: np.ndarray
    departement: np.ndarray  # index into the region's département list


@dataclass
class RegionData:
    """Ground truth of a region: sessions, entries (one per person and session) and persons.

    `period` indexes `calibration.PERIODS`; `in_pe` / `in_region` tell which exports report the
    entry; `pe_month` is the month of the Pôle emploi export that carries it."""

    region: str
    departements: list[str]
    sessions: SessionTable
    entrees: EntreeTable
    period: np.ndarray
    counted: np.ndarray
    in_pe: np.ndarray
    in_region: np.ndarray
    pe_month: np.ndarray
    persons: Persons
    person_row: np.ndarray  # row in `persons` of each entry


def apportion(total: int, weights: np.ndarray) -> np.ndarray:
    """Split `total` into integers proportional to `weights` (largest remainders)."""
    if total <= 0:
        return np.zeros(len(weights), dtype=np.int64)
    share = weights / weights.sum() * total
    base = np.floor(share).astype(np.int64)
    rest = total - int(base.sum())
    if rest:
        base[np.argsort(-(share - base), kind="stable")[:rest]] += 1
    return base


def distinct(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values (a sort, faster here than `np.unique`'s hash table)."""
    ordered = np.sort(values)
    return ordered[np.r_[True, ordered[1:] != ordered[:-1]]] if len(ordered) else ordered


def month_weights(region: str, period: str) -> np.ndarray:
    """Relative entries per month: seasonality, and in 2016 the plan's ramp-up sized so that
    the year reaches the region's 2016 / 2015 ratio."""
    season = np.asarray(cal.SEASONALITY)
    if period == "2015":
        return season
    if period == "2017S1":
        return season[:6]
    e2015, e2016, _ = cal.ENTREES_COUNTED[region]
    ramp = np.asarray(cal.RAMP_2016)
    k = (e2016 / e2015 - 1) * season.sum() / (season * ramp).sum()
    return season * (1 + k * ramp)


def _combo_p(shares: dict[str, float]) -> np.ndarray:
    p = np.zeros(len(FINANCEUR_COMBOS))
    for combo, share in shares.items():
        p[COMBO_INDEX[combo]] = share
    return p / p.sum()


def _session_days(rng: np.random.Generator, month: np.datetime64, n: int) -> np.ndarray:
    first = month.astype("datetime64[D]")
    days = first + np.arange(((month + 1).astype("datetime64[D]") - first).astype(int))
    weekday = (days.astype(np.int64) - 4) % 7  # 1970-01-01 was a Thursday; Monday = 0
    w = np.asarray(cal.WEEKDAY_WEIGHTS)[weekday]
    return rng.choice(days, size=n, p=w / w.sum())


def _sessions_of_months(
    rng: np.random.Generator, first_month: str, counts: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Start days and sizes of the sessions receiving `counts[i]` entries in month i."""
    starts: list[np.ndarray] = []
    sizes: list[np.ndarray] = []
    m0 = np.datetime64(first_month, "M")
    for i, n in enumerate(counts.tolist()):
        if n <= 0:
            continue
        n_s = max(1, round(n / cal.MEAN_SESSION_SIZE))
        starts.append(_session_days(rng, m0 + i, n_s))
        p = rng.gamma(3.0, 1.0, n_s)
        sizes.append(rng.multinomial(n, p / p.sum()))
    if not starts:
        return np.zeros(0, "datetime64[D]"), np.zeros(0, np.int64)
    return np.concatenate(starts), np.concatenate(sizes)


def _draw_block(
    rng: np.random.Generator,
    region: str,
    index: int,
    starts: np.ndarray,
    sizes: np.ndarray,
    *,
    counted: bool,
    first_id: int,
) -> SessionTable:
    geo = geography()
    n_s = len(starts)
    n_a = max(1, int(np.ceil(n_s / cal.MEAN_SESSIONS_PER_ACTION)))
    perm = rng.permutation(n_s)
    action_of = np.empty(n_s, dtype=np.int64)
    action_of[perm[:n_a]] = np.arange(n_a)
    action_of[perm[n_a:]] = rng.integers(0, n_a, n_s - n_a)
    idx, p = geo.region_communes(region)
    shares = cal.COUNTED_COMBOS_PE_ONLY if region in cal.NO_REGION_EXPORT else cal.COUNTED_COMBOS
    actions = draw_actions(
        rng,
        rng.choice(idx, size=n_a, p=p),
        certifying_share=cal.CERTIFYING_SHARE,
        mean_hours=cal.MEAN_HOURS,
        entries=np.bincount(action_of, weights=sizes, minlength=n_a),
        combo_p=_combo_p(shares if counted else cal.NON_COUNTED_COMBOS),
        weekly_hours=cal.WEEKLY_HOURS,
        organismes=np.arange(ORGANISMES_PER_REGION) + index * ORGANISMES_PER_REGION,
    )
    missing = cal.CARIF_MISSING_SHARE if counted else 0.5
    sessions = schedule(
        actions,
        action_of,
        starts,
        first_action_id=first_id,
        first_session_id=first_id,
        no_carif=rng.random(n_a) < missing,
    )
    if counted:
        slack = rng.uniform(*cal.PLACES_SLACK, n_s)
        places = np.ceil(sizes * slack).astype(np.int64)
        places[sizes == 0] = rng.integers(6, 13, int((sizes == 0).sum()))
        sessions.places = places
    else:
        sessions.places = np.zeros(n_s, dtype=np.int64)
    return sessions


def _exact(rng: np.random.Generator, n: int, shares: np.ndarray) -> np.ndarray:
    """Categories 0, 1, … in exact proportions `shares` (largest remainders), shuffled: the
    region's shares of trainees are then exact, not just expected."""
    return rng.permutation(np.repeat(np.arange(len(shares)), apportion(n, shares)))


def _persons(
    rng: np.random.Generator,
    person: np.ndarray,
    start: np.ndarray,
    end: np.ndarray,
    dep_of_entry: np.ndarray,
    n_deps: int,
) -> tuple[Persons, np.ndarray]:
    order = np.lexsort((start, person))
    ordered = person[order]
    first = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    uniq = ordered[first]
    first_entry = order[first]
    last_pos = np.r_[first[1:], len(order)] - 1
    last_end = end[order[last_pos]]
    row = np.searchsorted(uniq, person)
    n = len(uniq)
    entry_day = start[first_entry]
    entry_month = entry_day.astype("datetime64[M]")
    kind = _exact(
        rng,
        n,
        np.array([cal.YOUNG_SHARE, cal.SENIOR_SHARE, 1 - cal.YOUNG_SHARE - cal.SENIOR_SHARE]),
    )
    young = kind == 0
    senior = kind == 1
    age = np.where(
        young,
        rng.integers(18 * 12, 25 * 12 + 11, n),
        np.where(
            senior,
            rng.integers(45 * 12 + 2, 62 * 12, n),
            rng.integers(26 * 12 + 2, 44 * 12 + 11, n),
        ),
    )
    levels = np.array(list(cal.LEVEL_SHARES))
    level_p = np.array(list(cal.LEVEL_SHARES.values()))
    long_term = _exact(rng, n, np.array([1 - cal.LONG_TERM_SHARE, cal.LONG_TERM_SHARE])) == 1
    seniority = np.where(long_term, rng.integers(400, 1100, n), rng.integers(15, 330, n))
    inscription = entry_day - seniority.astype("timedelta64[D]")
    ends = rng.random(n) < 0.35
    fin = last_end + rng.integers(20, 300, n).astype("timedelta64[D]")
    fin = np.where(ends & (fin < np.datetime64("2017-07-31")), fin, np.datetime64("NaT"))
    has_previous = rng.random(n) < 0.10
    prev_start = inscription - rng.integers(700, 2000, n).astype("timedelta64[D]")
    prev_end = inscription - rng.integers(30, 300, n).astype("timedelta64[D]")
    nat = np.datetime64("NaT", "D")
    moved = rng.random(n) < 0.08
    persons = Persons(
        person=uniq,
        female=rng.random(n) < cal.FEMALE_SHARE,
        birth_month=entry_month - age.astype("timedelta64[M]"),
        niveau=levels[_exact(rng, n, level_p)].astype(np.int8),
        inscription=inscription,
        fin_inscription=fin.astype("datetime64[D]"),
        previous_inscription=np.where(has_previous, prev_start, nat),
        previous_fin=np.where(has_previous, prev_end, nat),
        disabled=_exact(rng, n, np.array([1 - cal.DISABLED_SHARE, cal.DISABLED_SHARE])) == 1,
        qpv=rng.random(n) < cal.QPV_SHARE,
        departement=np.where(moved, rng.integers(0, n_deps, n), dep_of_entry[first_entry]),
    )
    return persons, row


def _second_trainings(
    rng: np.random.Generator,
    person: np.ndarray,
    session: np.ndarray,
    start: np.ndarray,
    end: np.ndarray,
) -> np.ndarray:
    """Give `SECOND_TRAINING_SHARE` of entries the person of an entry ended 2 weeks before."""
    out = person.copy()
    chosen = np.flatnonzero(rng.random(len(person)) < cal.SECOND_TRAINING_SHARE)
    by_end = np.argsort(end, kind="stable")
    limit = start[chosen] - np.timedelta64(14, "D")
    available = np.searchsorted(end[by_end], limit, side="left")
    ok = available > 0
    chosen, available = chosen[ok], available[ok]
    partner = by_end[(rng.random(len(chosen)) * available).astype(np.int64)]
    out[chosen] = person[partner]
    # Two entries that took the same partner may share a session: keep one entry per person
    # and session by giving the others back their own person.
    key = out * (int(session.max()) + 1) + session
    by_key = np.argsort(key, kind="stable")
    ordered = key[by_key]
    first = by_key[np.r_[True, ordered[1:] != ordered[:-1]]]
    clash = np.ones(len(out), dtype=bool)
    clash[first] = False
    out[clash] = person[clash]
    return out


def generate_region(region: str, index: int, scale: float, seed: int) -> RegionData:
    """Draw region `region` (position `index` in the list of regions) at `scale`."""
    rng = np.random.default_rng([seed, index, 2016])
    blocks: list[SessionTable] = []
    sizes: list[np.ndarray] = []
    periods: list[np.ndarray] = []
    next_id = index * IDS_PER_REGION
    for k, period in enumerate(cal.PERIODS):
        first_month, _n_months = PERIOD_MONTHS[period]
        n_counted = round(cal.ENTREES_COUNTED[region][k] * scale)
        n_other = round(n_counted * cal.NON_COUNTED_SHARE / (1 - cal.NON_COUNTED_SHARE))
        weights = month_weights(region, period)
        for counted, n in ((True, n_counted), (False, n_other)):
            starts, sz = _sessions_of_months(rng, first_month, apportion(n, weights))
            if len(starts) == 0:
                continue
            block = _draw_block(rng, region, index, starts, sz, counted=counted, first_id=next_id)
            next_id += len(block)
            blocks.append(block)
            sizes.append(sz)
            periods.append(np.full(len(block), k, dtype=np.int8))
    sessions = SessionTable.concat(blocks)
    size = np.concatenate(sizes)
    session_of = np.repeat(np.arange(len(sessions)), size)
    n = len(session_of)
    start = sessions.start[session_of]
    end = sessions.end[session_of]
    person = _second_trainings(
        rng, np.arange(n, dtype=np.int64) + index * IDS_PER_REGION + 1, session_of, start, end
    )
    geo = geography()
    deps = geo.departements_of(region)
    dep_index = {d: i for i, d in enumerate(deps)}
    session_dep = np.array(
        [dep_index[geo.departement[c]] for c in sessions.commune.tolist()], dtype=np.int64
    )
    persons, row = _persons(rng, person, start, end, session_dep[session_of], len(deps))
    combo = sessions.financeurs[session_of].copy()
    agefiph = persons.disabled[row] & (rng.random(n) < cal.AGEFIPH_SHARE)
    for plain, with7 in _ADD_AGEFIPH.items():
        combo[agefiph & (combo == plain)] = with7
    has2, has4 = COMBO_HAS_2[combo], COMBO_HAS_4[combo]
    if region in cal.NO_REGION_EXPORT:
        in_region = np.zeros(n, dtype=bool)
        in_pe = np.ones(n, dtype=bool)
    else:
        u = rng.random(n)
        in_region = has2 & (~has4 | (u < cal.DUPLICATE_COFINANCED_SHARE))
        in_pe = ~has2 | has4 | (u < cal.DUPLICATE_REGION_ONLY_SHARE)
    month = start.astype("datetime64[M]")
    if region in cal.LOCAL_ID_REGIONS:
        local = month >= np.datetime64(cal.LOCAL_ID_REGIONS[region], "M")
        in_region = np.where(local, has2 & ~has4, in_region)
        in_pe = np.where(local, ~in_region, in_pe)
    late = (rng.random(n) < cal.LATE_SHARE) & (month < LAST_MONTH)
    pe_month = month + late.astype("timedelta64[M]")
    entrees = EntreeTable(
        person=person, session=session_of, financeurs=combo, aes=rng.integers(0, 4, n)
    )
    return RegionData(
        region=region,
        departements=deps,
        sessions=sessions,
        entrees=entrees,
        period=np.concatenate(periods)[session_of],
        counted=COMBO_COUNTED[combo],
        in_pe=in_pe,
        in_region=in_region,
        pe_month=pe_month,
        persons=persons,
        person_row=row,
    )
