"""Sniff a delimited text file before DuckDB reads it: encoding, line ending and header line.

Reads only the first megabyte; never the personal content beyond the header.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from jalon.ingest.errors import IngestError

SAMPLE_BYTES = 1 << 20
BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class TextSniff:
    encoding: str  # "utf-8" or "latin-1", as DuckDB names them
    encoding_label: str  # shown to the user
    bom: bool
    newline: str  # "\n" or "\r\n"
    header: list[str]


def sniff(path: Path, delimiter: str) -> TextSniff:
    try:
        with path.open("rb") as handle:
            sample = handle.read(SAMPLE_BYTES)
    except OSError as exc:
        raise IngestError(f"{path.name} : fichier illisible ({exc.strerror})") from None
    if not sample.strip():
        raise IngestError(f"{path.name} : le fichier est vide.")
    if b"\0" in sample:
        raise IngestError(
            f"{path.name} : ce n'est pas un fichier texte (octets nuls) ; attendu : un export "
            f"délimité par « {delimiter} »."
        )
    bom = sample.startswith(BOM)
    body = sample[len(BOM) :] if bom else sample
    cut = body.rfind(b"\n")
    complete = body[: cut + 1] if 0 <= cut < len(body) - 1 else body
    try:
        complete.decode("utf-8")
        encoding, label = "utf-8", "UTF-8 avec BOM" if bom else "UTF-8"
    except UnicodeDecodeError:
        encoding, label = "latin-1", "Windows-1252 / Latin-1"
    first, sep, _ = body.partition(b"\n")
    if not sep and len(body) == SAMPLE_BYTES:
        raise IngestError(f"{path.name} : ligne d'en-tête introuvable dans le premier mégaoctet.")
    newline = "\r\n" if first.endswith(b"\r") else "\n"
    header_text = first.rstrip(b"\r").decode(encoding, errors="replace")
    header = [name.strip() for name in header_text.split(delimiter)]
    return TextSniff(encoding, label, bom, newline, header)
