"""Writers of the small CSV formats defined by Jalon (docs/formats.md): `personnes`, `emplois`,
`demandeurs` and `actions-agregees`, and the drawing of employment spells after training.

Runs on a region's `RegionData` with numpy and pyarrow (the two large files, `personnes` and
`emplois`, are built column-wise like the trainee exports); the two small ones in plain Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from jalon.simulate import calibration as cal
from jalon.simulate.pe_stagiaires import national_ids, write_lines
from jalon.simulate.region import RegionData

PERSONNES_COLUMNS = (
    "identifiant_national",
    "mois_naissance",
    "sexe",
    "niveau",
    "date_inscription",
    "date_fin_inscription",
    "travailleur_handicape",
    "qpv",
    "departement",
)
EMPLOIS_COLUMNS = ("identifiant_national", "date_debut", "date_fin", "type_contrat")
DEMANDEURS_COLUMNS = ("annee", "region", "demandeurs")
ACTIONS_COLUMNS = ("annee", "mois", "region", "type_action", "nombre")
CONTRATS = ("CDI", "CDD", "INTERIM", "CREATION", "AUTRE")
# Employment spells are known up to this date; later ones are not in the file, ongoing ones
# have no end date.
EMPLOIS_EXTRACTION = np.datetime64("2018-06-30", "D")


@dataclass
class Emplois:
    """Employment spells: row in the region's entries, start, end (NaT if ongoing), contract."""

    entree: np.ndarray
    debut: np.ndarray
    fin: np.ndarray
    contrat: np.ndarray


_FIRST_DAY = np.datetime64("1940-01-01", "D")
_N_DAYS = 366 * 100


@lru_cache(maxsize=1)
def _iso_days() -> pa.StringArray:
    days = _FIRST_DAY + np.arange(_N_DAYS).astype("timedelta64[D]")
    return pa.array(np.datetime_as_string(days, unit="D"), pa.string())


@lru_cache(maxsize=1)
def _iso_months() -> pa.StringArray:
    months = _FIRST_DAY.astype("datetime64[M]") + np.arange(12 * 100).astype("timedelta64[M]")
    return pa.array(np.datetime_as_string(months, unit="M"), pa.string())


def _iso(days: np.ndarray) -> pa.StringArray:
    """ISO dates (`AAAA-MM-JJ`), empty for NaT; looked up in a table of days."""
    missing = np.isnat(days)
    index = np.where(missing, 0, (days.astype("datetime64[D]") - _FIRST_DAY).astype(np.int64))
    text = pc.take(_iso_days(), pa.array(index))
    return pc.if_else(pa.array(missing), pa.scalar(""), text)


def _iso_month(months: np.ndarray) -> pa.StringArray:
    index = (months.astype("datetime64[M]") - _FIRST_DAY.astype("datetime64[M]")).astype(np.int64)
    return pc.take(_iso_months(), pa.array(index))


def _join(parts: list[pa.Array], sep: str) -> pa.StringArray:
    joined = pc.binary_join_element_wise(*parts, sep)
    if isinstance(joined, pa.ChunkedArray):
        return joined.combine_chunks()
    return joined


def _write_table(path: Path, columns: tuple[str, ...], parts: list[pa.Array]) -> int:
    n = len(parts[0])
    lines = _join([*parts[:-1], _join([parts[-1], pa.array(np.full(n, "\n"))], "")], ",")
    with path.open("wb") as out:
        out.write((",".join(columns) + "\n").encode())
        write_lines(out, lines)
    return n


def write_personnes(path: Path, data: RegionData) -> int:
    """One line per person and registration spell (current spell, then earlier spells)."""
    p = data.persons
    prev = np.flatnonzero(~np.isnat(p.previous_inscription))
    rows = np.concatenate([np.arange(len(p.person)), prev])
    order = np.argsort(rows, kind="stable")
    rows = rows[order]
    is_prev = np.concatenate([np.zeros(len(p.person), bool), np.ones(len(prev), bool)])[order]
    debut = np.where(is_prev, p.previous_inscription[rows], p.inscription[rows])
    fin = np.where(is_prev, p.previous_fin[rows], p.fin_inscription[rows])
    deps = pa.array(data.departements)
    parts = [
        national_ids(p.person[rows]),
        _iso_month(p.birth_month[rows]),
        pc.take(pa.array(["H", "F"]), pa.array(p.female[rows].astype(np.int64))),
        pc.cast(pa.array(p.niveau[rows]), pa.string()),
        _iso(debut),
        _iso(fin),
        pc.cast(pa.array(p.disabled[rows].astype(np.int8)), pa.string()),
        pc.cast(pa.array(p.qpv[rows].astype(np.int8)), pa.string()),
        pc.take(deps, pa.array(p.departement[rows])),
    ]
    return _write_table(path, PERSONNES_COLUMNS, parts)


def draw_emplois(rng: np.random.Generator, data: RegionData) -> Emplois:
    """Spells after each entry's end: `EMPLOI_SHARE` with a job of a month or more starting
    within 6 months (`DURABLE_SHARE` durable), the others with no job, a short one, or a late
    one — so that the indicator's window and duration rules matter."""
    s = data.sessions
    end = s.end[data.entrees.session]
    n = len(end)
    u = rng.random(n)
    qualifying = u < cal.EMPLOI_SHARE
    durable = u < cal.DURABLE_SHARE
    v = rng.random(n)
    short = ~qualifying & (v < 0.25)
    late = ~qualifying & (v >= 0.25) & (v < 0.45)
    has_job = qualifying | short | late
    offset = np.where(late, rng.integers(200, 400, n), rng.integers(5, 170, n))
    debut = end + offset.astype("timedelta64[D]")
    kind_durable = rng.choice([0, 1, 2, 3], size=n, p=[0.5, 0.3, 0.1, 0.1])
    kind_other = rng.choice([1, 2, 4], size=n, p=[0.55, 0.35, 0.10])
    contrat = np.where(durable, kind_durable, kind_other)
    length = np.where(
        durable,
        rng.integers(200, 540, n),
        np.where(short, rng.integers(3, 25, n), rng.integers(35, 160, n)),
    )
    fin = debut + length.astype("timedelta64[D]")
    open_ended = durable & ((contrat == 3) | ((contrat == 0) & (rng.random(n) < 0.85)))
    nat = np.datetime64("NaT", "D")
    fin = np.where(open_ended | (fin > EMPLOIS_EXTRACTION), nat, fin)
    keep = np.flatnonzero(has_job & (debut <= EMPLOIS_EXTRACTION))
    return Emplois(keep, debut[keep], fin[keep], contrat[keep].astype(np.int8))


def write_emplois(path: Path, data: RegionData, emplois: Emplois) -> int:
    person = data.entrees.person[emplois.entree]
    order = np.lexsort((emplois.debut, person))
    parts = [
        national_ids(person[order]),
        _iso(emplois.debut[order]),
        _iso(emplois.fin[order]),
        pc.take(pa.array(list(CONTRATS)), pa.array(emplois.contrat[order])),
    ]
    return _write_table(path, EMPLOIS_COLUMNS, parts)


def write_demandeurs(path: Path, region: str, demandeurs: dict[int, int]) -> int:
    lines = [",".join(DEMANDEURS_COLUMNS)]
    lines += [f"{year},{region},{n}" for year, n in sorted(demandeurs.items())]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(demandeurs)


def write_actions(path: Path, region: str, rows: list[tuple[int, int, str, int]]) -> int:
    """`rows` are (annee, mois, type_action, nombre); zero counts are left out."""
    lines = [",".join(ACTIONS_COLUMNS)]
    lines += [f"{y},{m},{region},{t},{n}" for y, m, t, n in rows if n > 0]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(lines) - 1
