"""Sniff a delimited text file before DuckDB reads it: encoding and header line.

Reads only the first megabyte (decompressed for `.gz`); never the personal content beyond the
header. The encoding found here is a first guess: DuckDB checks the whole file while parsing, and
the importer retries as Windows-1252/Latin-1 when it finds a byte sequence that is not UTF-8.
"""

from __future__ import annotations

import gzip
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from jalon.ingest.errors import IngestError

SAMPLE_BYTES = 1 << 20
BOM = b"\xef\xbb\xbf"
LATIN_LABEL = "Windows-1252 / Latin-1"
_OTHER_DELIMITERS = (";", ",", "\t", "|")


@dataclass(frozen=True)
class TextSniff:
    encoding: str  # "utf-8" or "latin-1" (then read through a UTF-8 copy)
    encoding_label: str  # shown to the user
    bom: bool
    header: list[str]
    delimiter: str
    compression: str = "none"  # as DuckDB's read_csv names it
    bytes_per_line: float = 0.0  # average over the sample, to estimate progress
    #: Marker lines stand for the further physical lines of quoted records (`ingest.quoted`).
    continuations: bool = False


def _open(path: Path, compression: str) -> BinaryIO:
    if compression == "gzip":
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return path.open("rb")


def _header_names(text: str, delimiter: str) -> list[str]:
    return [unicodedata.normalize("NFC", name.strip()) for name in text.split(delimiter)]


def sniff(
    path: Path, delimiter: str, *, compression: str = "none", name: str | None = None
) -> TextSniff:
    """What the first megabyte of `path` says; errors name the file `name` (the user's)."""
    shown = name or path.name
    try:
        with _open(path, compression) as handle:
            sample = handle.read(SAMPLE_BYTES)
    except (OSError, EOFError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise IngestError(f"{shown} : fichier illisible ({reason})") from None
    if not sample.strip():
        raise IngestError(f"{shown} : le fichier est vide.")
    if b"\0" in sample and _binary(sample):
        raise IngestError(
            f"{shown} : ce n'est pas un fichier texte (octets nuls) ; attendu : un export "
            f"délimité par « {delimiter} »."
        )
    if b"\r" in sample and b"\n" not in sample:
        raise IngestError(
            f"{shown} : les lignes finissent par un retour chariot seul (« CR », ancien format "
            "Mac) ; ré-enregistrez le fichier avec des fins de ligne Windows (CRLF) ou Unix (LF)."
        )
    bom = sample.startswith(BOM)
    body = sample[len(BOM) :] if bom else sample
    cut = body.rfind(b"\n")
    complete = body[: cut + 1] if 0 <= cut < len(body) - 1 else body
    try:
        complete.decode("utf-8")
        encoding, label = "utf-8", "UTF-8 avec BOM" if bom else "UTF-8"
    except UnicodeDecodeError:
        encoding, label = "latin-1", LATIN_LABEL
    first, sep, _ = body.partition(b"\n")
    if not sep and len(body) == SAMPLE_BYTES:
        raise IngestError(f"{shown} : ligne d'en-tête introuvable dans le premier mégaoctet.")
    if b"\0" in first:
        raise IngestError(
            f"{shown}, ligne 1 : octet nul (0x00) dans la ligne d'en-tête ; le fichier est abîmé "
            "(copie ou transfert interrompu) : demandez un nouvel export."
        )
    header_text = first.rstrip(b"\r").decode(encoding, errors="replace")
    lines_in_sample = max(1, complete.count(b"\n"))
    return TextSniff(
        encoding,
        label,
        bom,
        _header_names(header_text, delimiter),
        delimiter,
        compression,
        len(complete) / lines_in_sample,
    )


#: Bytes no text export holds (C0 controls but tab, LF, CR; and DEL).
_CONTROL = bytes([*range(0, 9), 11, 12, *range(14, 32), 127])
_BINARY_SHARE = 0.01


def _binary(sample: bytes) -> bool:
    """Binary data (or UTF-16), rather than a text whose few NUL bytes damage some lines."""
    controls = sum(sample.count(bytes([c])) for c in _CONTROL)
    return controls > _BINARY_SHARE * len(sample)


def other_delimiter(header: list[str], delimiter: str) -> str | None:
    """The delimiter a one-column header seems to use instead of the expected one."""
    if len(header) != 1:
        return None
    counts = {d: header[0].count(d) for d in _OTHER_DELIMITERS if d != delimiter}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else None


def delimiter_name(delimiter: str) -> str:
    return "tabulation" if delimiter == "\t" else f"« {delimiter} »"
