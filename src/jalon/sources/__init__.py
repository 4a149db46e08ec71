"""Declarative ingest profiles, one TOML file per file format (DESIGN §5).

A profile says how to read a funder's file: layouts (column order, recognised by header), each
column's type, French label, missing markers, and which columns are personal data. The built-in
profiles live beside this module; users add theirs with `jalon import --profil FILE`.
"""

from jalon.sources.profile import (
    ColumnSpec,
    Layout,
    Profile,
    ProfileError,
    builtin_profiles,
    load_profile,
)

__all__ = [
    "ColumnSpec",
    "Layout",
    "Profile",
    "ProfileError",
    "builtin_profiles",
    "load_profile",
]
