"""Recognise which profile a file follows, from the file itself: `jalon import FICHIER`.

Reads the first megabyte at most (the header line, or an XML file's first bytes), never the
data lines. An XML document (plain or gzipped) whose first element is `<lheo>` is an LHEO
catalogue; a delimited file is matched against every tabular profile's fields
(`jalon.sources.header`): the profile whose required fields are all found, and which recognises
the most columns, is chosen. No candidate, or two equally good ones, is refused with what each
profile lacks.
"""

from __future__ import annotations

import gzip
from pathlib import Path

from jalon.ingest.errors import IngestError
from jalon.ingest.inputs import kind_of, prepared
from jalon.sources import Profile, match_header
from jalon.sources.header import requirement_label

_XML_START = (b"<?xml", b"<lheo", b"\xef\xbb\xbf<?xml", b"\xef\xbb\xbf<lheo")


def _looks_xml(path: Path) -> bool:
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    try:
        with opener(path, "rb") as handle:
            start = handle.read(4096).lstrip()
    except (OSError, EOFError):
        return False
    return start.startswith(_XML_START) or (start.startswith(b"<") and b"<lheo" in start)


def detect_profile(path: Path, profiles: dict[str, Profile], workdir: Path) -> Profile:
    """The profile `path` follows; `IngestError` (French) naming the candidates otherwise."""
    if not path.is_file():
        raise IngestError(f"{path} : fichier introuvable.")
    if _looks_xml(path):
        lheo = [p for p in profiles.values() if p.format == "lheo"]
        if lheo:
            return lheo[0]
    scored: list[tuple[int, Profile]] = []
    lacking: list[str] = []
    for profile in profiles.values():
        if profile.format != "delimited":
            continue
        try:
            with prepared(path, profile, workdir) as source:
                header = source.text.header
        except IngestError as exc:
            if kind_of(path) == "spreadsheet":
                raise
            lacking.append(f"  - {profile.name} : {exc}")
            continue
        match = match_header(profile, header)
        if match.usable:
            scored.append((len(match.positions) + (match.local_id is not None), profile))
        else:
            missing = ", ".join(requirement_label(profile, m) for m in match.missing)
            lacking.append(f"  - {profile.name} : il manque {missing}")
    scored.sort(key=lambda item: -item[0])
    if scored and (len(scored) == 1 or scored[0][0] > scored[1][0]):
        return scored[0][1]
    if scored:
        names = ", ".join(p.name for s, p in scored if s == scored[0][0])
        raise IngestError(
            f"{path.name} : format ambigu, l'en-tête convient aussi bien à plusieurs profils "
            f"({names}) ; indiquez le profil : « jalon import PROFIL {path.name} »."
        )
    raise IngestError(
        f"{path.name}, ligne 1 : aucun profil ne reconnaît ce fichier. Ce que chaque profil "
        "n'y trouve pas :\n" + "\n".join(lacking) + "\nIndiquez le profil (« jalon profils » les "
        "liste), ou décrivez ce format dans un profil (docs/formats.md)."
    )
