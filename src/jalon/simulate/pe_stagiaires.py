"""Writer of Pôle emploi `pe-stagiaires` exports (docs/formats.md), vectorised with pyarrow.

Runs on column tables (`SessionTable`, `EntreeTable`): the text of every per-session part of a line
is built once per session, then each line is assembled from a handful of `take`s and one
element-wise join executed in Arrow's C++ kernels; the joined lines' data buffer is written as is.
Chunks of about a million lines are built by two worker threads (Arrow releases the GIL) and
written in order, so the output only depends on the seed.

`write_pe_stagiaires` is the stand-alone entry point (benchmarks, tests): it draws random sessions
and trainees itself. The full simulator calls `format_lines` with its calibrated tables.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from jalon.simulate.geo import REGIONS_2016, geography
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

# The column layouts written, from the format's description (docs/formats.md), never read from
# the importer's profile: simulator and importer must not share a mistake.
LAYOUT_2016: tuple[str, ...] = (
    "c_nomcorrespondance",
    "c_prenomcorrespondance",
    "c_adresseemail",
    "c_telephone1",
    "c_telephone2",
    "c_validitemail_id",
    "dn_individu_national",
    "dn_session_id",
    "dc_aes_recue",
    "dc_referencement",
    "c_individulocal",
    "dc_formation_id",
    "dc_origine_session_id",
    "dc_lblformation",
    "dd_datedebutmodule",
    "dd_datefinmodule",
    "dc_organisme_id",
    "dc_cp_lieuformation",
    "dc_insee_lieuformation",
    "dc_ville_lieuformation",
    "dc_formacode_ppal_id",
    "dn_certifinfo_1_id",
    "dc_lblcertifinfo",
    "dc_siret",
    "dc_lblorganisme",
    "dc_raisonsociale",
    "departement",
    "dc_niveauformation_entree_id",
    "dc_niveauformation_sortie_id",
    "dn_dureehebdo",
    "dn_dureemaxi",
    "dn_dureeentreprise",
    "dc_dureeindicative",
    "dn_nombreheurescentre",
    "dc_numeroicsession",
    "dc_numeroicaction",
    "kn_session_id",
    "liste_financeur",
)
LAYOUT_2017: tuple[str, ...] = (
    "c_nomcorrespondance",
    "c_prenomcorrespondance",
    "c_adresseemail",
    "c_telephone1",
    "c_telephone2",
    "c_validitemail_id",
    "dn_individu_national",
    "dn_session_id",
    "dc_aes_recue",
    "dc_referencement",
    "c_individulocal",
    "dc_formation_id",
    "dc_origine_session_id",
    "dc_lblformation",
    "dd_datedebutplanformation",
    "dd_datefinplanformation",
    "dc_organisme_id",
    "dc_cp_lieuformation",
    "dc_insee_lieuformation",
    "dc_ville_lieuformation",
    "dc_formacode_ppal_id",
    "dc_formacode_secondaire1_id",
    "dc_formacode_secondaire2_id",
    "dc_formacode_secondaire3_id",
    "dc_formacode_secondaire4_id",
    "dn_certifinfo_1_id",
    "dn_certifinfo_2_id",
    "dn_certifinfo_3_id",
    "dn_certifinfo_4_id",
    "dn_certifinfo_5_id",
    "dc_lblcertifinfo",
    "dc_siret",
    "dc_lblorganisme",
    "dc_raisonsociale",
    "departement",
    "dc_numeroicsession",
    "dc_numeroicaction",
    "kn_session_id",
    "c_dispositifformation",
    "liste_financeur",
)
LAYOUTS: dict[str, tuple[str, ...]] = {"2016": LAYOUT_2016, "2017": LAYOUT_2017}

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


def session_segments(s: SessionTable, layout: str) -> tuple[pa.StringArray, pa.StringArray]:
    """Per session: the `dn_session_id` text and the text from `dc_formation_id` to the column
    before `liste_financeur`, already joined with `|`."""
    geo = geography()
    orgs = organisme_pool()
    labels = pa.array([t.label for t in TRAININGS], pa.string())
    formacodes = pa.array([t.formacode for t in TRAININGS], pa.string())
    cert_labels = pa.array([t.certification or "NULL" for t in TRAININGS], pa.string())
    tr = pa.array(s.training)
    org = pa.array(s.organisme)
    com = pa.array(s.commune)
    no_cert = s.certifinfo <= 0
    no_carif = s.carif_session < 0
    hours = s.hours_centre + s.hours_entreprise
    common_head = [
        _str(s.training.astype(np.int64) * 10_000 + s.organisme, 8),
        pc.take(pa.array(list(ORIGINES)), pa.array(s.origine)),
        pc.take(labels, tr),
        day_strings(s.start),
        day_strings(s.end),
        pc.take(pa.array(orgs.pe_id), org),
        pc.take(pa.array(geo.postcode), com),
        pc.take(pa.array(geo.insee), com),
        pc.take(pa.array(geo.nom), com),
        pc.take(formacodes, tr),
    ]
    certif = _null_where(_str(s.certifinfo), no_cert)
    cert_label = _null_where(pc.take(cert_labels, tr), no_cert)
    org_tail = [
        pc.take(pa.array(orgs.siret), org),
        pc.take(pa.array(orgs.label), org),
        pc.take(pa.array(orgs.raison_sociale), org),
        pc.take(pa.array(geo.departement), com),
    ]
    carif = [
        _null_where(
            _join([pa.array(np.full(len(s), "SE_")), _str(s.carif_session, 7)], ""), no_carif
        ),
        _null_where(
            _join([pa.array(np.full(len(s), "AF_")), _str(s.carif_action, 7)], ""), no_carif
        ),
        _str(s.session_id * 7 % 9_999_991 + 10_000_000),
    ]
    if layout == "2016":
        months = np.maximum(np.round(hours / 140.0), 1).astype(np.int64)
        duration = [
            _str(s.niveau_entree),
            _str(s.niveau_sortie),
            _str(s.hebdo),
            _str(hours),
            _str(s.hours_entreprise),
            _join([_str(months), pa.array(np.full(len(s), " mois"))], ""),
            _str(s.hours_centre),
        ]
        parts = [*common_head, certif, cert_label, *org_tail, *duration, *carif]
    elif layout == "2017":
        null = pa.array(np.full(len(s), "NULL"))
        parts = [
            *common_head,
            null,
            null,
            null,
            null,
            certif,
            null,
            null,
            null,
            null,
            cert_label,
            *org_tail,
            *carif,
            pc.take(pa.array(list(DISPOSITIFS)), pa.array(s.dispositif)),
        ]
    else:
        raise ValueError(f"disposition pe-stagiaires inconnue : {layout!r}")
    return _str(s.session_id), _join(parts)


def header(layout: str) -> bytes:
    return ("|".join(LAYOUTS[layout]) + "\n").encode()


def format_lines(
    e: EntreeTable, seg_id: pa.StringArray, seg_body: pa.StringArray
) -> pa.StringArray:
    """The file lines (each ending with a newline) of trainee rows `e`, given the session parts
    returned by `session_segments` for the table `e.session` indexes."""
    sess = pa.array(e.session)
    flags = pa.array(["N|O", "O|O", "N|N", "O|N"])
    combos = pa.array([c + "\n" for c in FINANCEUR_COMBOS])
    parts = [
        pc.take(identity_pool().segment, pa.array(identity_index(e.person))),
        national_ids(e.person),
        pc.take(seg_id, sess),
        pc.take(flags, pa.array(e.aes)),
        local_ids(e.person),
        pc.take(seg_body, sess),
        pc.take(combos, pa.array(e.financeurs)),
    ]
    return _join(parts)


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
    seg_id, seg_body = session_segments(sessions, layout)
    lines = format_lines(entrees, seg_id, seg_body)
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
) -> int:
    """Write a random `pe-stagiaires` file of `n_lines` trainee lines (plus the header line).

    Sessions start uniformly between `start` and `end` in `region` (a 2016 region code; all
    regions when None); about 5 % of lines are a second training of a person of the same file.
    `malformed_share` of lines are made unreadable on purpose. The same arguments always give the
    same bytes. Returns the number of trainee lines written.
    """
    if layout not in LAYOUTS:
        raise ValueError(f"disposition pe-stagiaires inconnue : {layout!r}")
    regions = [region] if region else list(REGIONS_2016)
    args = []
    done = 0
    chunk = 0
    while done < n_lines:
        n = min(chunk_lines, n_lines - done)
        args.append((n, seed, chunk, done, layout, regions, start, end, malformed_share))
        done += n
        chunk += 1
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as out:
        out.write(header(layout))
        for lines in _chunks(args, threads):
            write_lines(out, lines)
    return n_lines
