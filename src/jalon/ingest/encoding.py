"""Refuse a text file that changes encoding on the way (UTF-8 lines, then Windows-1252 ones).

Runs on the chunks of a file that is not UTF-8 throughout, as `jalon.ingest.inputs.as_utf8`
converts it from Windows-1252: read whole in that encoding, its UTF-8 lines would be stored as
mojibake (« Ã© » for « é »); read as UTF-8, its other lines would not decode. Each chunk ends at a
line end, so no character is cut. A chunk holds a valid multi-byte UTF-8 sequence when decoding it
as UTF-8 with `surrogateescape` (one character per invalid byte) gives fewer characters than it
has bytes; its first invalid byte is where a strict decode fails. Both are C-speed decodes, the
first stopping once a UTF-8 sequence is found, the second once an invalid byte is. Text bytes
that are valid UTF-8 by chance in a Windows-1252 export (« É» » is C9 BB) would need two
non-ASCII characters side by side in that order: rare enough for a refusal that says where.
"""

from __future__ import annotations

import re

from jalon.ingest.errors import IngestError

_NON_ASCII_CHARACTER = re.compile("[\u0080-\ud7ff\ue000-\U0010ffff]")


class MixedEncodingCheck:
    """Fed the file chunk by chunk (each ending at a line end); raises `IngestError` naming the
    line and column of the first UTF-8 character and of the first byte that is not UTF-8."""

    def __init__(self, name: str, header: list[str], delimiter: str, quote: str | None) -> None:
        self.name = name
        self.header = [column.strip(quote) for column in header] if quote else header
        self.delimiter = delimiter.encode("utf-8")
        self.quote = quote.encode("utf-8") if quote else None
        self.line = 1  # physical line at the start of the next chunk
        self.utf8_at: tuple[int, str] | None = None
        self.other_at: tuple[int, str, int] | None = None

    def feed(self, chunk: bytes) -> None:
        if self.utf8_at is None:
            text = chunk.decode("utf-8", "surrogateescape")
            if len(text) < len(chunk):
                found = _NON_ASCII_CHARACTER.search(text)
                assert found is not None
                offset = len(text[: found.start()].encode("utf-8", "surrogateescape"))
                self.utf8_at = self._where(chunk, offset)[:2]
        if self.other_at is None:
            try:
                chunk.decode("utf-8")
            except UnicodeDecodeError as exc:
                line, column = self._where(chunk, exc.start)
                self.other_at = (line, column, chunk[exc.start])
        self.line += chunk.count(b"\n")
        if self.utf8_at is not None and self.other_at is not None:
            raise self._refusal()

    def _where(self, chunk: bytes, offset: int) -> tuple[int, str]:
        start = chunk.rfind(b"\n", 0, offset) + 1
        line = self.line + chunk.count(b"\n", 0, start)
        index = _field_index(chunk[start:offset], self.delimiter, self.quote)
        column = self.header[index] if index < len(self.header) else f"n° {index + 1}"
        return line, column

    def _refusal(self) -> IngestError:
        assert self.utf8_at is not None and self.other_at is not None
        (utf8_line, utf8_column), (line, column, byte) = self.utf8_at, self.other_at
        return IngestError(
            f"{self.name} : le fichier change d'encodage en cours de route : ligne {utf8_line}, "
            f"colonne « {utf8_column} », des caractères en UTF-8, et ligne {line}, colonne "
            f"« {column} », un octet (0x{byte:02X}) qui n'est pas de l'UTF-8 (Windows-1252 ou "
            "Latin-1 ?). Lu dans un seul encodage, une partie deviendrait illisible (« Ã© » "
            "pour « é »). Ré-enregistrez tout le fichier dans un seul encodage (UTF-8 de "
            "préférence), puis importez-le de nouveau. Rien n'a été écrit."
        )


def _field_index(prefix: bytes, delimiter: bytes, quote: bytes | None) -> int:
    """The 0-based field of a line that the byte after `prefix` falls in."""
    if quote is None or quote not in prefix:
        return prefix.count(delimiter)
    index, quoted = 0, False
    for byte in prefix:
        if byte == quote[0]:
            quoted = not quoted
        elif byte == delimiter[0] and not quoted:
            index += 1
    return index
