"""Errors that stop an import as a whole, with the French message shown to the user."""


class IngestError(ValueError):
    """A file that cannot be imported at all (unreadable, wrong header, already imported…)."""
