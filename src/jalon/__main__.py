"""`python -m jalon`: the same command line as the `jalon` script."""

from jalon.cli import app

app(prog_name="jalon")
