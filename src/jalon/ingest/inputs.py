"""Turn any accepted input (`.csv`, `.csv.gz`, `.csv.bz2`, `.xlsx`, `.ods`) into a text file that
DuckDB reads, without changing line numbers.

Plain and gzip text go to DuckDB as they are. A bzip2 file is decompressed by streaming into the
import's work folder (beside the database, never in the repository). A spreadsheet's first sheet is
read row by row with python-calamine and written as lines separated by the unit separator (so a
cell may hold the profile's delimiter): row N of the sheet is line N of the text, empty rows
included. Dates held as spreadsheet dates are written in the column's declared format; integral
numbers lose the `.0` a spreadsheet adds. The temporary copy holds personal data (names) until the
import ends: it is deleted in every case, and lives only in the work folder.
"""

from __future__ import annotations

import bz2
import codecs
import datetime as dt
import gzip
import shutil
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from jalon.ingest.errors import IngestError
from jalon.ingest.textfile import LATIN_LABEL, TextSniff, sniff
from jalon.sources import Profile, match_header

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".ods")
UNIT_SEPARATOR = "\x1f"
_CELL_CLEAN = str.maketrans({"\x1f": " ", "\n": " ", "\r": " "})
_LATIN1_FALLBACK = "jalon-latin1"


def _latin1_fallback(error: UnicodeError) -> tuple[str, int]:
    # The five bytes Windows-1252 leaves undefined keep their Latin-1 meaning.
    assert isinstance(error, UnicodeDecodeError)
    return error.object[error.start : error.end].decode("latin-1"), error.end


codecs.register_error(_LATIN1_FALLBACK, _latin1_fallback)


@dataclass(frozen=True)
class Input:
    path: Path  # what DuckDB reads
    text: TextSniff
    kind: str  # shown to the user: "CSV", "CSV compressé (gzip)", "classeur ODS"…


def kind_of(path: Path) -> str:
    name = path.name.lower()
    if name.endswith(SPREADSHEET_SUFFIXES):
        return "spreadsheet"
    if name.endswith(".bz2"):
        return "bz2"
    if name.endswith(".gz"):
        return "gzip"
    return "text"


def _cell(value: object, date_format: str | None) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime(date_format or "%Y-%m-%d")
    return str(value).translate(_CELL_CLEAN)


def _sheet_rows(path: Path) -> Iterator[Sequence[object]]:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
        sheet = book.get_sheet_by_index(0)
        start_row = int(sheet.start[0]) if sheet.start else 0
        for _ in range(start_row):
            yield []
        yield from sheet.iter_rows()
    except IngestError:
        raise
    except Exception as exc:
        raise IngestError(f"{path.name} : classeur illisible ({exc}).") from None


def _write_spreadsheet(
    path: Path, out: Path, profile: Profile, header_of: Callable[[list[str]], list[str | None]]
) -> list[str]:
    rows = _sheet_rows(path)
    first = next(rows, None)
    if first is None or not any(c not in (None, "") for c in first):
        raise IngestError(f"{path.name} : la première feuille est vide (en-tête attendu ligne 1).")
    header = [_cell(c, None).strip() for c in first]
    while header and header[-1] == "":
        header.pop()
    formats = header_of(header)
    width = len(header)
    with out.open("w", encoding="utf-8", newline="\n") as handle:
        handle.write(UNIT_SEPARATOR.join(header) + "\n")
        for row in rows:
            cells = [_cell(v, formats[i] if i < len(formats) else None) for i, v in enumerate(row)]
            while len(cells) > width and cells[-1] == "":
                cells.pop()
            handle.write(UNIT_SEPARATOR.join(cells) + "\n" if any(cells) else "\n")
    return header


def _date_formats(profile: Profile) -> Callable[[list[str]], list[str | None]]:
    def formats(header: list[str]) -> list[str | None]:
        match = match_header(profile, header)
        result: list[str | None] = [None] * len(header)
        for field, position in match.positions.items():
            spec = profile.fields[field]
            if spec.type == "date":
                result[position] = spec.formats[0]
        return result

    return formats


@contextmanager
def prepared(path: Path, profile: Profile, workdir: Path) -> Iterator[Input]:
    """The readable text form of `path`; temporary copies are removed on exit."""
    kind = kind_of(path)
    if kind == "text":
        yield Input(path, sniff(path, profile.delimiter), "CSV")
        return
    if kind == "gzip":
        yield Input(path, sniff(path, profile.delimiter, compression="gzip"), "CSV (gzip)")
        return
    workdir.mkdir(parents=True, exist_ok=True)
    copy = workdir / f"{path.name}.jalon-tmp.csv"
    try:
        if kind == "bz2":
            try:
                with bz2.open(path, "rb") as src, copy.open("wb") as dst:
                    shutil.copyfileobj(src, dst, 1 << 22)
            except (OSError, EOFError) as exc:
                raise IngestError(f"{path.name} : archive bzip2 illisible ({exc}).") from None
            yield Input(copy, sniff(copy, profile.delimiter), "CSV (bzip2)")
        else:
            _write_spreadsheet(path, copy, profile, _date_formats(profile))
            text = replace(
                sniff(copy, UNIT_SEPARATOR), encoding_label="UTF-8 (converti du classeur)"
            )
            label = "classeur ODS" if path.suffix.lower() == ".ods" else "classeur Excel"
            yield Input(copy, text, label)
    finally:
        copy.unlink(missing_ok=True)


@contextmanager
def as_utf8(source: Input, workdir: Path) -> Iterator[Input]:
    """A UTF-8 copy of a Windows-1252/Latin-1 text input, decoded by streaming."""
    workdir.mkdir(parents=True, exist_ok=True)
    copy = workdir / f"{source.path.name}.jalon-utf8.csv"
    opener = gzip.open if source.text.compression == "gzip" else open
    decoder = codecs.getincrementaldecoder("cp1252")(errors=_LATIN1_FALLBACK)
    try:
        with opener(source.path, "rb") as src, copy.open("w", encoding="utf-8", newline="") as dst:
            while chunk := src.read(1 << 22):
                dst.write(decoder.decode(chunk))
            dst.write(decoder.decode(b"", final=True))
        text = replace(
            source.text,
            encoding="utf-8",
            encoding_label=LATIN_LABEL,
            compression="none",
            bom=False,
        )
        yield Input(copy, text, source.kind)
    finally:
        copy.unlink(missing_ok=True)
