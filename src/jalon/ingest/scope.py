"""The regions an import writes, and the refusal of rows outside a regional account's scope.

Runs on the rows an import has staged and is about to write (the delimited reader's `_parsed`,
the LHEO reader's staged actions), inside the import, before anything is written and in a dry run
too: the importer gives the SQL of those rows, of their line and of their region. A regional
account (`scope`, the INSEE code of its region) may write only rows of that region; a row whose
region is another one, or cannot be known (no place, or a format that says no region), is
outside it, and one such row refuses the whole file. The message gives the count and the first
lines with the region found, never a value of the row. The regions written are kept in
`imports.regions_ecrites`, whoever imports.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from jalon.formatting import nombre
from jalon.ingest.errors import IngestError
from jalon.reference import region

FIRST_SHOWN = 5


@dataclass(frozen=True)
class Rows:
    """The rows an import would write: `FROM …` SQL, and the SQL of their line and region."""

    source: str
    line: str
    region: str
    #: What a row is called in messages (singular, plural): lines, or LHEO actions.
    noun: tuple[str, str] = ("ligne", "lignes")
    #: False when the format has no region at all (only a national account may import it).
    located: bool = True


def region_label(code: str | None) -> str:
    """« Bretagne, 53 », or what stands for a region that is not known."""
    if code is None:
        return "région non indiquée"
    try:
        return f"{region(code).nom}, {code}"
    except KeyError:
        return f"région {code}"


def written_regions(con: duckdb.DuckDBPyConnection, rows: Rows) -> list[str]:
    """The distinct known regions of the rows, sorted."""
    found = con.execute(
        f"SELECT list(DISTINCT r ORDER BY r) FILTER (WHERE r IS NOT NULL) "
        f"FROM (SELECT {rows.region} AS r {rows.source})"
    ).fetchone()
    return list(found[0] or []) if found else []


def check_scope(con: duckdb.DuckDBPyConnection, name: str, scope: str, rows: Rows) -> None:
    """Refuse the file (`IngestError`) if one of its rows is outside the region `scope`."""
    outside = f"SELECT {rows.line} AS line, {rows.region} AS r {rows.source}"
    where = "WHERE r IS DISTINCT FROM ?"
    total = con.execute(f"SELECT count(*) FROM ({outside}) {where}", [scope]).fetchone()
    count = int(total[0]) if total else 0
    if not count:
        return
    first = con.execute(
        f"SELECT line, r FROM ({outside}) {where} ORDER BY line LIMIT {FIRST_SHOWN}", [scope]
    ).fetchall()
    singular, plural = rows.noun
    shown = ", ".join(f"ligne {line} ({region_label(code)})" for line, code in first)
    more = "…" if count > len(first) else ""
    why = (
        ""
        if rows.located
        else " ; ce format ne dit pas la région de ses lignes : seul un compte national peut "
        "l'importer"
    )
    raise IngestError(
        f"{name} : {nombre(count)} {singular if count < 2 else plural} hors de votre région "
        f"({region_label(scope)}) : {shown}{more}{why}. Un compte "
        "régional n'écrit que des données de sa région : le fichier est refusé en entier. "
        "Rien n'a été écrit."
    )
