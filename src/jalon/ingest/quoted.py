"""Read the quoted fields of a delimited export (RFC 4180) without changing its line numbers.

Runs on one text input whose profile declares a `quote` (regional exports saved from a
spreadsheet quote a field that holds the delimiter, a quote, doubled, or a line end), and only
when the file holds that character: otherwise the file goes to DuckDB as it is. Python's `csv`
module (the standard library's RFC 4180 reader) splits the records; each is written to a UTF-8
working copy as one line of fields separated by the unit separator, a line end inside a value
becoming a space, and each further physical line a quoted value spanned becomes a marker line
(`CONTINUATION`) that `jalon.ingest.delimited` drops after numbering: a record keeps the line
number of its first physical line and the records after it keep theirs. A file that is not UTF-8
is first converted by `as_utf8` (which refuses a change of encoding). The copy holds the file's
personal data: it lives in the import's work folder and is removed on exit, or at the next import
if a crash left it.
"""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import BinaryIO

from jalon.ingest.delimited import CONTINUATION
from jalon.ingest.errors import IngestError
from jalon.ingest.inputs import COPY_SUFFIXES, UNIT_SEPARATOR, Input, as_utf8, copy_path
from jalon.ingest.textfile import LATIN_LABEL, sniff
from jalon.sources import Profile

_MAX_FIELD = 8 << 20
_CLEAN = str.maketrans({"\x1f": " ", "\x1d": " ", "\n": " ", "\r": " "})


def _opener(source: Input) -> BinaryIO:
    if source.text.compression == "gzip":
        return gzip.open(source.path, "rb")  # type: ignore[return-value]
    return source.path.open("rb")


def holds(source: Input, character: str) -> bool:
    """Whether the file's bytes hold `character` (an ASCII quote) anywhere."""
    needle = character.encode("ascii")
    with _opener(source) as handle:
        while chunk := handle.read(1 << 22):
            if needle in chunk:
                return True
    return False


def _convert(source: Input, profile: Profile, copy: Path, name: str) -> None:
    """Write `copy`; `UnicodeDecodeError` if the input is not UTF-8 after all."""
    assert profile.quote is not None
    csv.field_size_limit(_MAX_FIELD)
    with (
        _opener(source) as raw,
        io.TextIOWrapper(raw, encoding="utf-8-sig", errors="strict", newline="") as text,
        copy.open("w", encoding="utf-8", newline="\n") as out,
    ):
        reader = csv.reader(text, delimiter=profile.delimiter, quotechar=profile.quote, strict=True)
        done = 0
        try:
            for record in reader:
                spanned, done = reader.line_num - done, reader.line_num
                out.write(UNIT_SEPARATOR.join(v.translate(_CLEAN) for v in record) + "\n")
                out.write((CONTINUATION + "\n") * (spanned - 1))
        except csv.Error:
            raise IngestError(
                f"{name}, ligne {done + 1} : guillemets mal formés : un champ entre guillemets "
                f"« {profile.quote} » se ferme par un guillemet suivi du séparateur ou de la fin "
                "de ligne, un guillemet dans la valeur s'écrit doublé, et tout guillemet ouvert se "
                "referme. Corrigez cette ligne, puis importez le fichier de nouveau. Rien n'a été "
                "écrit."
            ) from None


@contextmanager
def unquoted(source: Input, profile: Profile, workdir: Path, name: str) -> Iterator[Input]:
    """`source` itself, or its records rewritten one per line when it uses quotes."""
    if profile.quote is None or not holds(source, profile.quote):
        yield source
        return
    workdir.mkdir(parents=True, exist_ok=True)
    copy = copy_path(workdir, COPY_SUFFIXES[0])
    label = source.text.encoding_label
    try:
        try:
            if source.text.encoding != "utf-8":
                raise UnicodeDecodeError("utf-8", b"", 0, 1, "Windows-1252")
            _convert(source, profile, copy, name)
        except UnicodeDecodeError:
            label = LATIN_LABEL
            with as_utf8(source, workdir, name, profile.quote) as converted:
                _convert(converted, profile, copy, name)
        text = replace(
            sniff(copy, UNIT_SEPARATOR, name=name),
            encoding_label=label,
            continuations=True,
        )
        yield Input(copy, text, source.kind)
    finally:
        copy.unlink(missing_ok=True)
