"""Declarative ingest profiles, one TOML file per file format (DESIGN §5).

A profile says how to read a funder's file: its canonical fields, each with the column names it
is known under, type, French label, checks and what a failed check does; the missing markers; the
personal columns never read; the layouts seen so far. The built-in profiles live beside this
module; users add theirs in the folder named by `$JALON_PROFILS`, or point
`jalon import --profil FICHIER.toml` at one. `jalon.sources.header` matches a file's header to a
profile's fields.
"""

from jalon.sources.header import HeaderMatch, match_header
from jalon.sources.profile import (
    TARGET_REQUIRED,
    USER_PROFILES_ENV,
    FieldSpec,
    Layout,
    Profile,
    ProfileError,
    all_profiles,
    builtin_profile_files,
    builtin_profiles,
    find_profile,
    load_profile,
    normalise,
    user_profiles,
    user_profiles_folder,
)

__all__ = [
    "TARGET_REQUIRED",
    "USER_PROFILES_ENV",
    "FieldSpec",
    "HeaderMatch",
    "Layout",
    "Profile",
    "ProfileError",
    "all_profiles",
    "builtin_profile_files",
    "builtin_profiles",
    "find_profile",
    "load_profile",
    "match_header",
    "normalise",
    "user_profiles",
    "user_profiles_folder",
]
