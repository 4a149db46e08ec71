"""Read funders' files into the store: one module per step (sniff, parse, pseudonymise, load)."""

from jalon.ingest.errors import IngestError
from jalon.ingest.importer import ImportSummary, import_file
from jalon.ingest.pseudonymise import SecretError

__all__ = ["ImportSummary", "IngestError", "SecretError", "import_file"]
