"""Match a file's header line to a profile's fields: columns by meaning, in any order.

Pure function of the profile and the header's names. Each column is compared with the names every
field is known under (`jalon.sources.profile.normalise`: accents, case and punctuation aside); a
header is usable when every required field is found, whatever the order and whatever else the
file carries. A column that no field, personal column or known column declares is *ignored*: it
is never read (it may be personal data), and only its name is reported.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from jalon.sources.profile import Profile, normalise

#: Label of the "where the place is" requirement of the trainee profiles.
PLACE = "lieu de formation"


@dataclass(frozen=True)
class HeaderMatch:
    header: list[str]
    #: Column index of each field found (the first of its names, in the profile's order).
    positions: dict[str, int]
    #: Column index of a person identifier local to the source, when the file has one.
    local_id: int | None
    #: Columns nobody declared: dropped unread, named in the import summary.
    ignored: list[str]
    #: Required fields (or requirements such as the place) the header does not provide.
    missing: list[str]
    #: Name of the declared layout this header is, or a description of it.
    layout: str

    @property
    def usable(self) -> bool:
        return not self.missing


def _layout_name(profile: Profile, header: list[str]) -> str:
    keys = [normalise(h) for h in header]
    for layout in profile.layouts:
        declared = [normalise(c) for c in layout.columns]
        if declared == keys:
            return layout.name
        if sorted(declared) == sorted(keys):
            return f"{layout.name}, colonnes dans un autre ordre"
    return f"disposition non déclarée ({len(header)} colonnes)"


def match_header(profile: Profile, header: list[str]) -> HeaderMatch:
    index_of: dict[str, int] = {}
    for position, name in enumerate(header):
        index_of.setdefault(normalise(name), position)
    positions: dict[str, int] = {}
    local_id = None
    claimed: set[int] = set()
    for field, spec in profile.fields.items():
        for name in spec.names:
            found = index_of.get(normalise(name))
            if found is not None:
                positions[field] = found
                break
        for name in spec.local_names:
            found = index_of.get(normalise(name))
            if found is not None:
                local_id = found
                break
        claimed.update(index_of[normalise(n)] for n in spec.names if normalise(n) in index_of)
        claimed.update(index_of[normalise(n)] for n in spec.local_names if normalise(n) in index_of)
    declared = {normalise(c) for c in [*profile.personal_columns, *profile.known_columns]}
    ignored = [
        name
        for position, name in enumerate(header)
        if position not in claimed
        and normalise(name) not in declared
        and index_of.get(normalise(name)) == position
        and name.strip()
    ]
    missing = []
    for field in profile.required_fields:
        if field in positions or (field == "hash_personne" and local_id is not None):
            continue
        missing.append(field)
    if profile.target == "entree_lignes":
        places = ["departement", *profile.departement_from]
        if not any(p in positions for p in places):
            missing.append(PLACE)
    return HeaderMatch(
        list(header), positions, local_id, ignored, missing, _layout_name(profile, header)
    )


def known_names(profile: Profile, requirement: str) -> list[str]:
    """The column names under which a missing requirement would have been found."""
    if requirement == PLACE:
        fields = ["departement", *profile.departement_from]
        return [n for f in fields if f in profile.fields for n in profile.fields[f].names]
    spec = profile.fields[requirement]
    return [*spec.names, *spec.local_names]


def closest_columns(profile: Profile, match: HeaderMatch, requirement: str) -> list[str]:
    """Columns of the file whose names look like those a missing requirement is known under."""
    candidates = {normalise(h): h for h in match.header if h.strip()}
    found: list[str] = []
    for name in known_names(profile, requirement):
        for key in difflib.get_close_matches(normalise(name), list(candidates), n=3, cutoff=0.6):
            if candidates[key] not in found:
                found.append(candidates[key])
    return found[:3]


def requirement_label(profile: Profile, requirement: str) -> str:
    if requirement == PLACE:
        return "Lieu de formation (département, commune ou code postal)"
    return profile.fields[requirement].label
