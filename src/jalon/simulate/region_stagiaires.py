"""Writer of regional trainee exports (`region-stagiaires`, docs/formats.md), vectorised with
pyarrow like `pe_stagiaires`: `;`-separated, dates `DD/MM/YYYY`, empty field when missing, in
UTF-8 or Latin-1. Runs on the simulator's `SessionTable` / `EntreeTable`.
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


def header() -> str:
    return ";".join(COLUMNS) + "\n"


def session_segments(s: SessionTable) -> pa.StringArray:
    """Per session, the text from `Code Postal` to `Heures Entreprise` joined with `;`."""
    geo = geography()
    orgs = organisme_pool()
    tr = pa.array(s.training)
    org = pa.array(s.organisme)
    com = pa.array(s.commune)
    no_carif = s.carif_session < 0
    n = len(s)
    parts = [
        pc.take(pa.array(geo.postcode), com),
        _empty_where(_join([pa.array(np.full(n, "SE_")), _str(s.carif_session, 7)], ""), no_carif),
        _empty_where(_join([pa.array(np.full(n, "AF_")), _str(s.carif_action, 7)], ""), no_carif),
        pc.take(pa.array([t.label for t in TRAININGS], pa.string()), tr),
        pc.take(pa.array([t.formacode for t in TRAININGS], pa.string()), tr),
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


def format_lines(e: EntreeTable, segments: pa.StringArray) -> pa.StringArray:
    """File lines (ending with a newline) of trainee rows `e`, whose `session` indexes the table
    `segments` was built from."""
    nom, prenom, mail, tel = _identity_parts()
    ident = pa.array(identity_index(e.person))
    parts = [
        national_ids(e.person),
        pc.take(nom, ident),
        pc.take(prenom, ident),
        pc.take(mail, ident),
        pc.take(tel, ident),
        pc.take(segments, pa.array(e.session)),
    ]
    lines = _join(parts, ";")
    return _join([lines, pa.array(np.full(len(e), "\n"))], "")


def malformed_versions(texts: list[str], kinds: np.ndarray) -> list[str]:
    """Malformed versions of lines: truncated (0), impossible date (1), extra field (2)."""
    out: list[str] = []
    for text, kind in zip(texts, kinds.tolist(), strict=True):
        fields = text.rstrip("\n").split(";")
        if kind == 0:
            fields = fields[: max(3, len(fields) // 2)]
        elif kind == 1:
            fields[14] = "31/02/" + fields[14][-4:]
        else:
            fields.append("X")
        out.append(";".join(fields) + "\n")
    return out
