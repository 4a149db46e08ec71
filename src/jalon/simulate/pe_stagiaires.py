"""Writer of Pôle emploi `pe-stagiaires` exports (docs/formats.md), vectorised with pyarrow.

Runs on column tables (`SessionTable`, `EntreeTable`), for any layout of `pe_layouts`: the text
of each run of consecutive per-session columns is built once per session, then each line is
assembled from a handful of `take`s and one element-wise join executed in Arrow's C++ kernels;
the joined lines' data buffer is written as is. A few lines per file can be given the imperfect
values real exports carry (`with_anomalies`), and some made unreadable (`corrupt_lines`).
Chunks of about a million lines are built by two worker threads (Arrow releases the GIL) and
written in order, so the output only depends on the seed.

`write_pe_stagiaires` is the stand-alone entry point (benchmarks, tests): it draws random sessions
and trainees itself. The full simulator calls `format_lines` with its calibrated tables.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from jalon.simulate.geo import REGIONS_2016, geography
from jalon.simulate.pe_layouts import (
    END_DATE,
    ENTRY_COLUMNS,
    IDENTITY,
    LAYOUTS,
    START_DATE,
)
from jalon.simulate.pe_layouts import LAYOUT_2016 as LAYOUT_2016
from jalon.simulate.pools import (
    DISPOSITIFS,
    IDENTITY_POOL_SIZE,
    ORIGINES,
    TRAININGS,
    identity_pool,
    organisme_pool,
)
from jalon.simulate.sessions import (
    COMBO_INDEX,
    FINANCEUR_COMBOS,
    EntreeTable,
    SessionTable,
    draw_actions,
    schedule,
)

CHUNK_LINES = 1_000_000
_EPOCH = np.datetime64("2000-01-01", "D")
_N_DAYS = 366 * 40
_LETTERS = pa.array([chr(ord("A") + i) for i in range(26)], pa.string())


@lru_cache(maxsize=1)
def _day_strings() -> pa.StringArray:
    days = _EPOCH + np.arange(_N_DAYS).astype("timedelta64[D]")
    return pa.array([f"{d} 00:00:00.0" for d in days.astype(str)], pa.string())


def day_strings(days: np.ndarray) -> pa.StringArray:
    """`YYYY-MM-DD 00:00:00.0` for each `datetime64[D]` value."""
    return pc.take(_day_strings(), pa.array((days - _EPOCH).astype(np.int64)))


def _str(values: np.ndarray, width: int = 0) -> pa.StringArray:
    text = pc.cast(pa.array(values), pa.string())
    return pc.utf8_lpad(text, width, "0") if width else text


def _null_where(text: pa.StringArray, missing: np.ndarray) -> pa.StringArray:
    return pc.if_else(pa.array(missing), pa.scalar("NULL"), text)


def _join(parts: list[pa.Array], sep: str = "|") -> pa.StringArray:
    joined = pc.binary_join_element_wise(*parts, sep)
    if isinstance(joined, pa.ChunkedArray):
        return joined.combine_chunks()
    return joined


def national_ids(person: np.ndarray) -> pa.StringArray:
    """Pôle emploi-like national ids: 7 digits and a letter, one-to-one with person numbers."""
    p = person.astype(np.int64)
    low = p % 10_000_000
    digits = (low * 7_919 + 1_234_567) % 10_000_000
    letter = (p // 10_000_000 + low * 31 // 7) % 26
    return _join([_str(digits, 7), pc.take(_LETTERS, pa.array(letter))], "")


def local_ids(person: np.ndarray) -> pa.StringArray:
    p = person.astype(np.int64)
    return _join(
        [_str((p * 104_729 + 98_765) % 1_000_000_000, 9), pa.array(np.full(len(p), "L"))], ""
    )


def identity_index(person: np.ndarray) -> np.ndarray:
    """Row of the identity pool for each person (stable: a person keeps one name everywhere)."""
    p = person.astype(np.int64)
    return (p * 2_654_435_761 + 97) % IDENTITY_POOL_SIZE


@dataclass(frozen=True)
class Segments:
    """A layout's line cut into runs: the identity block, one per-entry column, or the text of
    consecutive per-session columns already joined with `|` (one item per session)."""

    layout: str
    runs: tuple[tuple[str, str | pa.StringArray], ...]


def _session_columns(s: SessionTable) -> dict[str, pa.Array]:
    """The text of every per-session column of every layout, one item per session."""
    geo = geography()
    orgs = organisme_pool()
    n = len(s)
    tr = pa.array(s.training)
    org = pa.array(s.organisme)
    com = pa.array(s.commune)
    no_cert = s.certifinfo <= 0
    no_carif = s.carif_session < 0
    hours = s.hours_centre + s.hours_entreprise
    null = pa.array(np.full(n, "NULL"))
    start, end = day_strings(s.start), day_strings(s.end)
    months = np.maximum(np.round(hours / 140.0), 1).astype(np.int64)
    formacodes = pa.array([t.formacode for t in TRAININGS], pa.string())
    cofinanced = np.array([";" in c for c in FINANCEUR_COMBOS])[s.financeurs]
    columns: dict[str, pa.Array] = {
        "dn_session_id": _str(s.session_id),
        "dc_formation_id": _str(s.training.astype(np.int64) * 10_000 + s.organisme, 8),
        "dc_origine_session_id": pc.take(pa.array(list(ORIGINES)), pa.array(s.origine)),
        "dc_lblformation": pc.take(pa.array([t.label for t in TRAININGS], pa.string()), tr),
        **dict.fromkeys(START_DATE, start),
        **dict.fromkeys(END_DATE, end),
        "dc_organisme_id": pc.take(pa.array(orgs.pe_id), org),
        "dc_cp_lieuformation": pc.take(pa.array(geo.postcode), com),
        "dc_insee_lieuformation": pc.take(pa.array(geo.insee), com),
        "dc_ville_lieuformation": pc.take(pa.array(geo.nom), com),
        "dc_formacode_ppal_id": pc.take(formacodes, tr),
        **{f"dc_formacode_secondaire{i}_id": null for i in range(1, 5)},
        "dn_certifinfo_1_id": _null_where(_str(s.certifinfo), no_cert),
        **{f"dn_certifinfo_{i}_id": null for i in range(2, 6)},
        "dc_lblcertifinfo": _null_where(
            pc.take(pa.array([t.certification or "NULL" for t in TRAININGS], pa.string()), tr),
            no_cert,
        ),
        "dc_siret": pc.take(pa.array(orgs.siret), org),
        "dc_lblorganisme": pc.take(pa.array(orgs.label), org),
        "dc_raisonsociale": pc.take(pa.array(orgs.raison_sociale), org),
        "departement": pc.take(pa.array(geo.departement), com),
        "dc_niveauformation_entree_id": _str(s.niveau_entree),
        "dc_niveauformation_sortie_id": _str(s.niveau_sortie),
        "dn_dureehebdo": _str(s.hebdo),
        "dn_dureemaxi": _str(hours),
        "dn_dureeentreprise": _str(s.hours_entreprise),
        "dc_dureeindicative": _join([_str(months), pa.array(np.full(n, " mois"))], ""),
        "dn_nombreheurescentre": _str(s.hours_centre),
        "dc_numeroicsession": _null_where(
            _join([pa.array(np.full(n, "SE_")), _str(s.carif_session, 7)], ""), no_carif
        ),
        "dc_numeroicaction": _null_where(
            _join([pa.array(np.full(n, "AF_")), _str(s.carif_action, 7)], ""), no_carif
        ),
        "kn_session_id": _str(s.session_id * 7 % 9_999_991 + 10_000_000),
        "c_dispositifformation": pc.take(pa.array(list(DISPOSITIFS)), pa.array(s.dispositif)),
        "dc_siret_cofinanceur": _null_where(
            pc.take(pa.array(orgs.siret), pa.array((s.organisme + 7_919) % len(orgs.siret))),
            ~cofinanced,
        ),
        "dn_montant_cofinance": _null_where(_str(hours * 4), ~cofinanced),
        "dc_lblorganisme_gestionnaire": pc.take(pa.array(orgs.label), org),
    }
    return columns


def session_segments(s: SessionTable, layout: str) -> Segments:
    """The runs of `layout`'s lines for the sessions of `s` (see `Segments`)."""
    if layout not in LAYOUTS:
        raise ValueError(f"disposition pe-stagiaires inconnue : {layout!r}")
    values = _session_columns(s)
    columns = LAYOUTS[layout]
    runs: list[tuple[str, str | pa.StringArray]] = [("identity", "")]
    pending: list[pa.Array] = []
    for name in columns[len(IDENTITY) :]:
        if name in ENTRY_COLUMNS:
            if pending:
                runs.append(("session", _join(pending)))
                pending = []
            runs.append(("entry", name))
        else:
            pending.append(values[name])
    if pending:
        runs.append(("session", _join(pending)))
    return Segments(layout, tuple(runs))


def header(layout: str) -> bytes:
    return ("|".join(LAYOUTS[layout]) + "\n").encode()


_AES = pa.array(["N", "O", "N", "O"])
_REFERENCEMENT = pa.array(["O", "O", "N", "N"])


def format_lines(e: EntreeTable, segments: Segments) -> pa.StringArray:
    """The file lines (each ending with a newline) of trainee rows `e`, given the runs returned
    by `session_segments` for the table `e.session` indexes."""
    sess = pa.array(e.session)
    last = len(segments.runs) - 1
    parts: list[pa.Array] = []
    for k, (kind, run) in enumerate(segments.runs):
        if kind == "identity":
            parts.append(pc.take(identity_pool().segment, pa.array(identity_index(e.person))))
        elif kind == "session":
            assert isinstance(run, pa.Array)
            parts.append(pc.take(_ended(run) if k == last else run, sess))
        elif run == "dn_individu_national":
            parts.append(national_ids(e.person))
        elif run == "c_individulocal":
            parts.append(local_ids(e.person))
        elif run == "dc_aes_recue":
            parts.append(pc.take(_AES, pa.array(e.aes)))
        elif run == "dc_referencement":
            parts.append(pc.take(_REFERENCEMENT, pa.array(e.aes)))
        else:
            end = "\n" if k == last else ""
            combos = pa.array([c + end for c in FINANCEUR_COMBOS])
            parts.append(pc.take(combos, pa.array(e.financeurs)))
    return _join(parts)


def _ended(run: pa.StringArray) -> pa.StringArray:
    return _join([run, pa.array(np.full(len(run), "\n"))], "")


def malformed_versions(texts: list[str], kinds: np.ndarray) -> list[str]:
    """Malformed versions of lines: truncated (kind 0), impossible date (1), extra field (2)."""
    fixed: list[str] = []
    for text, kind in zip(texts, kinds.tolist(), strict=True):
        body = text.rstrip("\n")
        fields = body.split("|")
        if kind == 0:
            body = "|".join(fields[: max(3, len(fields) // 2)])
        elif kind == 1:
            body = "|".join(
                "2016-02-31 25:61:00.0" if f.endswith(" 00:00:00.0") else f for f in fields
            )
        else:
            body = body + "|9"
        fixed.append(body + "\n")
    return fixed


def anomalous_value(kind: int, value: str) -> str:
    """A value of the kinds real exports carry in place of a valid one (DESIGN §5): a SIRET of
    15 characters (0), a SIRET whose check digit is wrong (1), a département code that does not
    exist (2), `-` as placeholder text (3)."""
    if kind == 0:
        return value + "0"
    if kind == 1:
        return value[:-1] + str((int(value[-1]) + 1) % 10)
    if kind == 2:
        return "00"
    return "-"


# Pôle emploi lines: (column, kind of `anomalous_value`) given in turn.
ANOMALIES: tuple[tuple[str, int], ...] = (
    ("dc_siret", 0),
    ("dc_siret", 1),
    ("departement", 2),
    ("dc_cp_lieuformation", 3),
)


def with_anomalies(
    lines: pa.StringArray,
    columns: tuple[str, ...],
    rng: np.random.Generator,
    count: int,
    *,
    sep: str = "|",
    targets: tuple[tuple[str, int], ...] = ANOMALIES,
    keyed_by: str | None = "dc_numeroicsession",
    no_key: str = "NULL",
) -> tuple[pa.StringArray, int]:
    """Give `count` lines (the `targets` in turn) one value an importer keeps the line with,
    recording an anomaly. When `keyed_by` is given, only lines with a value there (the Carif
    session number) are chosen: their session key does not depend on the SIRET. Returns the
    lines and how many were changed."""
    if len(lines) == 0 or count <= 0:
        return lines, 0
    key = columns.index(keyed_by) if keyed_by else None
    candidates = np.unique(rng.integers(0, len(lines), 4 * count))
    texts = lines.take(pa.array(candidates)).to_pylist()
    chosen: list[int] = []
    fixed: list[str] = []
    for row, text in zip(candidates.tolist(), texts, strict=True):
        fields = text.rstrip("\n").split(sep)
        if len(chosen) == count or (key is not None and fields[key] == no_key):
            continue
        column, kind = targets[len(chosen) % len(targets)]
        at = columns.index(column)
        fields[at] = anomalous_value(kind, fields[at])
        chosen.append(row)
        fixed.append(sep.join(fields) + "\n")
    if not chosen:
        return lines, 0
    mask = np.zeros(len(lines), dtype=bool)
    mask[chosen] = True
    return pc.replace_with_mask(lines, pa.array(mask), pa.array(fixed, pa.string())), len(chosen)


def corrupt_lines(
    lines: pa.StringArray, rows: np.ndarray, rng: np.random.Generator
) -> pa.StringArray:
    """Replace `rows` of `lines` with malformed versions of themselves."""
    if len(rows) == 0:
        return lines
    fixed = malformed_versions(
        lines.take(pa.array(rows)).to_pylist(), rng.integers(0, 3, len(rows))
    )
    mask = np.zeros(len(lines), dtype=bool)
    mask[rows] = True
    return pc.replace_with_mask(lines, pa.array(mask), pa.array(fixed, pa.string()))


def write_lines(out: BinaryIO, lines: pa.StringArray) -> None:
    """Write a string array whose items already end with a newline, without copying."""
    if len(lines) == 0:
        return
    if lines.null_count:
        raise ValueError("une ligne générée est nulle")
    width = np.int64 if pa.types.is_large_string(lines.type) else np.int32
    offsets = np.frombuffer(
        lines.buffers()[1],
        dtype=width,
        count=len(lines) + 1,
        offset=lines.offset * np.dtype(width).itemsize,
    )
    out.write(memoryview(lines.buffers()[2])[int(offsets[0]) : int(offsets[-1])])


def _chunk_tables(
    n: int, seed: int, chunk: int, first: int, regions: list[str], start: dt.date, end: dt.date
) -> tuple[EntreeTable, SessionTable]:
    """Random sessions and trainees of chunk number `chunk`, whose first line is line `first`
    of the file (person numbers and session ids are unique across the file)."""
    rng = np.random.default_rng([seed, chunk])
    geo = geography()
    n_sessions = max(1, n // 9)
    span = (end - start).days + 1
    starts = np.datetime64(start, "D") + rng.integers(0, span, n_sessions).astype("timedelta64[D]")
    region_of = rng.integers(0, len(regions), n_sessions)
    communes = np.empty(n_sessions, dtype=np.int64)
    for k, region in enumerate(regions):
        sel = region_of == k
        idx, p = geo.region_communes(region)
        communes[sel] = rng.choice(idx, size=int(sel.sum()), p=p)
    combo_p = np.zeros(len(FINANCEUR_COMBOS))
    for combo, share in (
        ("4", 0.62),
        ("2", 0.2),
        ("4;7", 0.05),
        ("2;4", 0.06),
        ("16", 0.03),
        ("3", 0.02),
        ("11", 0.02),
    ):
        combo_p[COMBO_INDEX[combo]] = share
    actions = draw_actions(rng, communes, certifying_share=0.38, mean_hours=487.0, combo_p=combo_p)
    sessions = schedule(
        actions,
        np.arange(n_sessions),
        starts,
        first_action_id=first,
        first_session_id=first,
        no_carif=rng.random(n_sessions) < 0.05,
    )
    person = np.arange(n, dtype=np.int64) + first + 1
    second = rng.random(n) < 0.05
    person[second] = person[rng.integers(0, n, int(second.sum()))]
    session = rng.integers(0, n_sessions, n).astype(np.int64)
    entrees = EntreeTable(
        person=person,
        session=session,
        financeurs=sessions.financeurs[session],
        aes=rng.integers(0, 4, n),
    )
    return entrees, sessions


def _build_chunk(
    args: tuple[int, int, int, int, str, list[str], dt.date, dt.date, float],
) -> pa.StringArray:
    n, seed, chunk, first, layout, regions, start, end, malformed_share = args
    entrees, sessions = _chunk_tables(n, seed, chunk, first, regions, start, end)
    lines = format_lines(entrees, session_segments(sessions, layout))
    if malformed_share > 0:
        rng = np.random.default_rng([seed, chunk, 1])
        rows = np.flatnonzero(rng.random(n) < malformed_share)
        lines = corrupt_lines(lines, rows, rng)
    return lines


def _chunks(
    args: list[tuple[int, int, int, int, str, list[str], dt.date, dt.date, float]], threads: int
) -> Iterator[pa.StringArray]:
    if threads <= 1:
        yield from map(_build_chunk, args)
        return
    with ThreadPoolExecutor(max_workers=threads) as pool:
        pending = []
        for a in args:
            pending.append(pool.submit(_build_chunk, a))
            if len(pending) > threads:
                yield pending.pop(0).result()
        for fut in pending:
            yield fut.result()


def write_pe_stagiaires(
    path: Path,
    n_lines: int,
    seed: int,
    *,
    layout: str = "2016",
    region: str | None = None,
    start: dt.date = dt.date(2016, 1, 1),
    end: dt.date = dt.date(2016, 12, 31),
    malformed_share: float = 0.0,
    chunk_lines: int = CHUNK_LINES,
    threads: int = 2,
    first_line: int = 0,
    with_header: bool = True,
) -> int:
    """Write a random `pe-stagiaires` file of `n_lines` trainee lines (plus the header line).

    Sessions start uniformly between `start` and `end` in `region` (a 2016 region code; all
    regions when None); about 5 % of lines are a second training of a person of the same file.
    `malformed_share` of lines are made unreadable on purpose. The same arguments always give the
    same bytes. Returns the number of trainee lines written. `first_line` numbers the file's
    persons and sessions after those of other files (ids are unique from `first_line` on), and
    `with_header=False` appends the lines to `path` without a header, so that several calls
    write one file.
    """
    if layout not in LAYOUTS:
        raise ValueError(f"disposition pe-stagiaires inconnue : {layout!r}")
    regions = [region] if region else list(REGIONS_2016)
    args = []
    done = 0
    chunk = 0
    while done < n_lines:
        n = min(chunk_lines, n_lines - done)
        first = first_line + done
        args.append((n, seed, chunk, first, layout, regions, start, end, malformed_share))
        done += n
        chunk += 1
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb" if with_header else "ab") as out:
        if with_header:
            out.write(header(layout))
        for lines in _chunks(args, threads):
            write_lines(out, lines)
    return n_lines
