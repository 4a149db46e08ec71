"""Declarative ingest profiles, one TOML file per file format (DESIGN §5).

A profile says how to read a funder's file: layouts (column order, recognised by header), each
column's type, French label, missing markers, checks, and which columns are personal data. The
built-in profiles live beside this module; users add theirs in the folder named by
`$JALON_PROFILS`, or point `jalon import --profil FICHIER.toml` at one.
"""

from jalon.sources.profile import (
    TARGET_REQUIRED,
    USER_PROFILES_ENV,
    ColumnSpec,
    Layout,
    Profile,
    ProfileError,
    all_profiles,
    builtin_profiles,
    find_profile,
    load_profile,
    user_profiles,
    user_profiles_folder,
)

__all__ = [
    "TARGET_REQUIRED",
    "USER_PROFILES_ENV",
    "ColumnSpec",
    "Layout",
    "Profile",
    "ProfileError",
    "all_profiles",
    "builtin_profiles",
    "find_profile",
    "load_profile",
    "user_profiles",
    "user_profiles_folder",
]
