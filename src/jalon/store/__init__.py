"""The DuckDB store: one embedded database file, versioned migrations, canonical tables."""

from jalon.store.database import StoreError, connect, default_db_path, open_store

__all__ = ["StoreError", "connect", "default_db_path", "open_store"]
