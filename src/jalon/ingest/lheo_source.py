"""Open an LHEO catalogue as a byte stream for the XML parser: plain XML, or gzip (`.xml.gz`)
decompressed while it is read.

Runs on one file as given. A gzip stream is bounded while it is read, before anything is written:
its decompressed size by the profile's `max_bytes`, and its decompression ratio (bytes produced
per byte read from disk) by `max_gzip_ratio`, which stops a "decompression bomb" long before the
size bound. The file is recognised by its first bytes, not by its name. Python's `gzip` module is
used (the standard library's, well kept); libxml2 never sees a compressed file, since lxml is
given a Python file object.
"""

from __future__ import annotations

import gzip
import io
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from jalon.ingest.errors import IngestError
from jalon.ingest.lheo_profile import LheoProfile

GZIP_MAGIC = b"\x1f\x8b"
#: The ratio is judged only past this many decompressed bytes: a small file's header and first
#: elements may compress far better than the whole.
_RATIO_FLOOR = 1 << 20

_NOT_XML = {
    b"BZh": "fichier compressé (bzip2) : décompressez-le, ou compressez-le en gzip (.xml.gz)",
    b"PK\x03\x04": "archive ZIP ou classeur (xlsx, ods) : un catalogue LHEO est un fichier XML",
}


def check_size(path: Path, profile: LheoProfile) -> None:
    size = path.stat().st_size
    if size > profile.max_bytes:
        raise IngestError(
            f"{path.name} : fichier de {size / 2**30:.1f} Gio, au-delà de la limite de "
            f"{profile.max_bytes / 2**30:.0f} Gio pour un catalogue LHEO. Découpez-le (par "
            "exemple par département) avant de l'importer. Rien n'a été écrit."
        )


def is_gzip(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(2) == GZIP_MAGIC


class _Inflated(io.RawIOBase):
    """The decompressed content of a gzip file, refused past the size or ratio bound."""

    def __init__(self, raw: BinaryIO, name: str, profile: LheoProfile) -> None:
        self._raw = raw
        self._gzip = gzip.GzipFile(fileobj=raw, mode="rb")
        self._name = name
        self._limit = profile.max_bytes
        self._ratio = profile.max_gzip_ratio
        self.produced = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        try:
            count = self._gzip.readinto(buffer)
        except (OSError, EOFError, zlib.error) as exc:
            raise IngestError(
                f"{self._name} : fichier gzip abîmé ou tronqué ({exc}). Recompressez le "
                "catalogue d'origine, ou importez-le décompressé. Rien n'a été écrit."
            ) from None
        self.produced += count
        if self.produced > self._limit:
            raise IngestError(
                f"{self._name} : une fois décompressé, le catalogue dépasse la limite de "
                f"{self._limit / 2**30:.0f} Gio pour un catalogue LHEO. Découpez-le (par "
                "exemple par département) avant de l'importer. Rien n'a été écrit."
            )
        if self.produced > _RATIO_FLOOR and self.produced > self._ratio * self._raw.tell():
            raise IngestError(
                f"{self._name} : taux de compression invraisemblable (plus de {self._ratio} "
                "pour 1) : le fichier est refusé par sécurité (« bombe de décompression »). "
                "Un catalogue LHEO réel se compresse bien moins. Rien n'a été écrit."
            )
        return count

    def close(self) -> None:
        self._gzip.close()
        super().close()


@contextmanager
def open_xml(path: Path, profile: LheoProfile) -> Iterator[BinaryIO]:
    """The XML bytes of `path`: the file itself, or its gzip content, bounded."""
    with path.open("rb") as raw:
        if raw.read(2) != GZIP_MAGIC:
            raw.seek(0)
            yield raw
            return
        raw.seek(0)
        with io.BufferedReader(_Inflated(raw, path.name, profile), 1 << 16) as inflated:
            yield inflated


def refuse_not_xml(magic: bytes, name: str, compressed: bool) -> None:
    """Refuse, by its first bytes, a file that cannot be an XML catalogue."""
    if not magic:
        what = "fichier gzip dont le contenu est vide" if compressed else "fichier vide"
        raise IngestError(f"{name} : {what}. Rien n'a été écrit.")
    if magic.startswith(GZIP_MAGIC):
        raise IngestError(
            f"{name} : fichier compressé deux fois (gzip dans gzip) ; un catalogue LHEO se lit "
            "en XML ou en XML compressé une fois (.xml.gz). Rien n'a été écrit."
        )
    for prefix, what in _NOT_XML.items():
        if magic.startswith(prefix):
            raise IngestError(f"{name} : {what}. Rien n'a été écrit.")
