"""The `jalon` command line: thin Typer commands over the packages, French commands and messages.

Every text a user reads is French, Typer's own included (`francais`). Each command opens the
store, calls one package function and renders its result; errors that a user can fix (bad file,
missing key, locked base) are printed in French without a traceback.
"""

from jalon.cli import (
    bilan_commands,
    demo_commands,
    evenement_commands,
    export_commands,
    ingest_commands,
    quality_commands,
    report_commands,
    web_commands,
)
from jalon.cli.common import app
from jalon.cli.francais import install

install(app)

__all__ = [
    "app",
    "bilan_commands",
    "demo_commands",
    "evenement_commands",
    "export_commands",
    "ingest_commands",
    "quality_commands",
    "report_commands",
    "web_commands",
]
