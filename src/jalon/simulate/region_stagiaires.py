"""Writer of regional trainee exports (`region-stagiaires`, docs/formats.md), vectorised with
pyarrow like `pe_stagiaires`: `;`-separated, dates `DD/MM/YYYY`, empty field when missing, in
UTF-8 or Latin-1. Runs on the simulator's `SessionTable` / `EntreeTable`.

Two layouts, written from DESIGN §5: `national` (the national job-seeker id, Carif numbers,
hours) and `local`, like Île-de-France's export: no national id but the trainee's id in the
regional base, the regional action number and the session id of the regional offer base, the
entry, planned end and actual end dates, and the postcode as the only place.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from jalon.simulate.geo import geography
from jalon.simulate.pe_stagiaires import identity_index, national_ids
from jalon.simulate.pools import TRAININGS, identity_pool, organisme_pool
from jalon.simulate.sessions import EntreeTable, SessionTable

COLUMNS: tuple[str, ...] = (
    "Identifiant national",
    "Nom",
    "Prénom",
    "Courriel",
    "Téléphone",
    "Code Postal",
    "N° Session Carif",
    "N° Action Carif",
    "Intitulé Formation",
    "Formacode",
    "Code Certifinfo",
    "SIRET Organisme",
    "Raison Sociale",
    "Code INSEE Lieu",
    "Date Entree",
    "Date Sortie Prevue",
    "Heures Centre",
    "Heures Entreprise",
)
COLUMNS_LOCAL: tuple[str, ...] = (
    "Identifiant Stagiaire",
    "Nom",
    "Prénom",
    "Téléphone",
    "Courriel",
    "N° Action Région",
    "Identifiant Session",
    "Intitulé Formation",
    "Formacode",
    "SIRET Organisme",
    "Raison Sociale",
    "Code Postal",
    "Date Entree",
    "Date Sortie Prevue",
    "Date Sortie Reelle",
)
LAYOUTS: dict[str, tuple[str, ...]] = {"national": COLUMNS, "local": COLUMNS_LOCAL}
# (column, kind of `pe_stagiaires.anomalous_value`) given in turn to a few lines of each file.
ANOMALIES: tuple[tuple[str, int], ...] = (
    ("SIRET Organisme", 0),
    ("SIRET Organisme", 1),
    ("Formacode", 3),
)
_EPOCH = np.datetime64("2000-01-01", "D")
_N_DAYS = 366 * 40


@lru_cache(maxsize=1)
def _day_strings() -> pa.StringArray:
    days = _EPOCH + np.arange(_N_DAYS).astype("timedelta64[D]")
    return pa.array([f"{d[8:10]}/{d[5:7]}/{d[0:4]}" for d in days.astype(str)], pa.string())


def _days(days: np.ndarray) -> pa.StringArray:
    return pc.take(_day_strings(), pa.array((days - _EPOCH).astype(np.int64)))


def _str(values: np.ndarray, width: int = 0) -> pa.StringArray:
    text = pc.cast(pa.array(values), pa.string())
    return pc.utf8_lpad(text, width, "0") if width else text


def _empty_where(text: pa.StringArray, missing: np.ndarray) -> pa.StringArray:
    return pc.if_else(pa.array(missing), pa.scalar(""), text)


def _join(parts: list[pa.Array], sep: str) -> pa.StringArray:
    joined = pc.binary_join_element_wise(*parts, sep)
    if isinstance(joined, pa.ChunkedArray):
        return joined.combine_chunks()
    return joined


@lru_cache(maxsize=1)
def _identity_parts() -> tuple[pa.StringArray, pa.StringArray, pa.StringArray, pa.StringArray]:
    pool = identity_pool()
    mails = ["" if m == "NULL" else m for m in pool.email]
    return (
        pa.array(pool.nom_usuel, pa.string()),
        pa.array(pool.prenom, pa.string()),
        pa.array(mails, pa.string()),
        pa.array(pool.telephone, pa.string()),
    )


def header(layout: str = "national") -> str:
    return ";".join(LAYOUTS[layout]) + "\n"


def local_person_ids(person: np.ndarray) -> pa.StringArray:
    """Trainee ids of a regional base: 10 digits, one-to-one with person numbers below 10⁹."""
    p = person.astype(np.int64)
    return _str((p * 48_271 + 1_234) % 1_000_000_007, 10)


def session_segments(
    s: SessionTable, layout: str = "national", as_of: np.datetime64 | None = None
) -> pa.StringArray:
    """Per session, the text of the per-session columns joined with `;` (from `Code Postal` to
    `Heures Entreprise` in `national`, from `N° Action Région` to `Date Sortie Reelle` in
    `local`, where the actual end is given for sessions ended by `as_of`, the sending date)."""
    geo = geography()
    orgs = organisme_pool()
    tr = pa.array(s.training)
    org = pa.array(s.organisme)
    com = pa.array(s.commune)
    n = len(s)
    labels = pc.take(pa.array([t.label for t in TRAININGS], pa.string()), tr)
    formacodes = pc.take(pa.array([t.formacode for t in TRAININGS], pa.string()), tr)
    if layout == "local":
        ended = s.end <= (as_of if as_of is not None else s.end)
        parts = [
            _join([pa.array(np.full(n, "AR")), _str(s.action, 8)], ""),
            _join([pa.array(np.full(n, "RS")), _str(s.session_id, 9)], ""),
            labels,
            formacodes,
            pc.take(pa.array(orgs.siret), org),
            pc.take(pa.array(orgs.raison_sociale), org),
            pc.take(pa.array(geo.postcode), com),
            _days(s.start),
            _days(s.end),
            _empty_where(_days(s.end), ~ended),
        ]
        return _join(parts, ";")
    no_carif = s.carif_session < 0
    parts = [
        pc.take(pa.array(geo.postcode), com),
        _empty_where(_join([pa.array(np.full(n, "SE_")), _str(s.carif_session, 7)], ""), no_carif),
        _empty_where(_join([pa.array(np.full(n, "AF_")), _str(s.carif_action, 7)], ""), no_carif),
        labels,
        formacodes,
        _empty_where(_str(s.certifinfo), s.certifinfo <= 0),
        pc.take(pa.array(orgs.siret), org),
        pc.take(pa.array(orgs.raison_sociale), org),
        pc.take(pa.array(geo.insee), com),
        _days(s.start),
        _days(s.end),
        _str(s.hours_centre),
        _str(s.hours_entreprise),
    ]
    return _join(parts, ";")


def format_lines(
    e: EntreeTable, segments: pa.StringArray, layout: str = "national"
) -> pa.StringArray:
    """File lines (ending with a newline) of trainee rows `e`, whose `session` indexes the table
    `segments` was built from."""
    nom, prenom, mail, tel = _identity_parts()
    ident = pa.array(identity_index(e.person))
    if layout == "local":
        people = [
            local_person_ids(e.person),
            pc.take(nom, ident),
            pc.take(prenom, ident),
            pc.take(tel, ident),
            pc.take(mail, ident),
        ]
    else:
        people = [
            national_ids(e.person),
            pc.take(nom, ident),
            pc.take(prenom, ident),
            pc.take(mail, ident),
            pc.take(tel, ident),
        ]
    lines = _join([*people, pc.take(segments, pa.array(e.session))], ";")
    return _join([lines, pa.array(np.full(len(e), "\n"))], "")


def malformed_versions(texts: list[str], kinds: np.ndarray, layout: str = "national") -> list[str]:
    """Malformed versions of lines: truncated (0), impossible date (1), extra field (2)."""
    entry = LAYOUTS[layout].index("Date Entree")
    out: list[str] = []
    for text, kind in zip(texts, kinds.tolist(), strict=True):
        fields = text.rstrip("\n").split(";")
        if kind == 0:
            fields = fields[: max(3, len(fields) // 2)]
        elif kind == 1:
            fields[entry] = "31/02/" + fields[entry][-4:]
        else:
            fields.append("X")
        out.append(";".join(fields) + "\n")
    return out
