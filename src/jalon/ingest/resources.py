"""The machine's resources for an import: DuckDB's memory limit, and French messages when memory
or disk space runs out.

Pure functions over the environment (`JALON_MEMOIRE`), the machine's physical memory and its
cgroup limit (a container's); nothing is written.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
from collections.abc import Iterator
from pathlib import Path

import duckdb

from jalon.ingest.errors import IngestError

MEMORY_ENV = "JALON_MEMOIRE"
#: A quarter of the machine's memory, within these bounds: enough for a 10-million-line export
#: without spilling, while the import's peak stays under 2 GiB (DESIGN §7).
MEMORY_SHARE = 4
MEMORY_FLOOR = 1 << 30
MEMORY_CEILING = 1536 << 20
_SIZE = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*([KMGT]i?B|[KMGT]o|[KMGT])?\s*$", re.IGNORECASE)
_FACTORS = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}


def _machine_memory() -> int:
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    with contextlib.suppress(OSError, ValueError):
        limit = Path("/sys/fs/cgroup/memory.max").read_text(encoding="ascii").strip()
        if limit.isdigit():
            total = min(total, int(limit))
    return total


def memory_limit() -> str:
    """DuckDB's `memory_limit` for an import: `$JALON_MEMOIRE`, else chosen from the machine."""
    value = os.environ.get(MEMORY_ENV)
    if value:
        match = _SIZE.match(value)
        if match is None:
            raise IngestError(f"{MEMORY_ENV}={value} : taille attendue, par exemple 2GB ou 1500MB.")
        number = float(match.group(1).replace(",", "."))
        unit = (match.group(2) or "B")[0].upper()
        return f"{int(number * _FACTORS.get(unit, 1)) >> 20}MiB"
    limit = min(max(_machine_memory() // MEMORY_SHARE, MEMORY_FLOOR), MEMORY_CEILING)
    return f"{limit >> 20}MiB"


@contextlib.contextmanager
def resource_errors(name: str, workdir: Path) -> Iterator[None]:
    """Out of memory or out of disk space: a French message saying what to do."""
    try:
        yield
    except duckdb.OutOfMemoryException:
        raise IngestError(
            f"{name} : mémoire insuffisante pour cet import (limite {memory_limit()}). Rien n'a "
            f"été écrit. Donnez plus de mémoire à l'import, par exemple {MEMORY_ENV}=4GB, ou "
            "importez le fichier en plusieurs morceaux."
        ) from None
    except (duckdb.IOException, OSError) as exc:
        text = str(exc).lower()
        if isinstance(exc, OSError) and exc.errno != errno.ENOSPC and "no space" not in text:
            raise
        if "no space" not in text and "disk" not in text and "enospc" not in text:
            raise
        raise IngestError(
            f"{name} : espace disque insuffisant (base ou dossier de travail {workdir}). Rien "
            "n'a été écrit. Libérez de la place sur ce disque, puis relancez l'import."
        ) from None
