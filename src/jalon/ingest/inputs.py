"""Turn any accepted input (`.csv`, `.csv.gz`, `.csv.bz2`, `.xlsx`, `.ods`) into a text file that
DuckDB reads, without changing line numbers.

Plain and gzip text go to DuckDB as they are. A bzip2 file is decompressed by streaming into the
import's work folder (beside the database, never in the repository). A spreadsheet's first sheet is
read row by row with python-calamine and written as lines separated by the unit separator (so a
cell may hold the profile's delimiter): row N of the sheet is line N of the text, empty rows
included. Dates held as spreadsheet dates are written in the column's declared format; integral
numbers lose the `.0` a spreadsheet adds. Before the reader, which holds the whole used range in
memory, `check_sheet_size` refuses a sheet spanning more than `MAX_SHEET_CELLS` cells from its
declared dimension and cell references, read by a bounded streaming scan. The temporary copy
holds personal data (names) until the import ends: it is deleted in every case, and lives only in
the work folder.
"""

from __future__ import annotations

import bz2
import codecs
import datetime as dt
import gzip
import posixpath
import re
import secrets
import shutil
import tempfile
import xml.etree.ElementTree as ET
import zipfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO

from jalon.formatting import nombre
from jalon.ingest.encoding import MixedEncodingCheck
from jalon.ingest.errors import IngestError
from jalon.ingest.textfile import LATIN_LABEL, TextSniff, sniff
from jalon.sources import Profile, match_header

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".ods")
UNIT_SEPARATOR = "\x1f"
_CELL_CLEAN = str.maketrans({"\x1f": " ", "\n": " ", "\r": " "})
_LATIN1_FALLBACK = "jalon-latin1"
_LINE_BOUND = 8 << 20
# The reader holds the first sheet's whole used range in memory (about 32 bytes a cell, empty or
# not): past this budget it would take gigabytes, and a 6 KB file declaring A1:XFD1048576 asks
# for 512 GiB and aborts the process.
MAX_SHEET_CELLS = 50_000_000
MAX_SHEET_XML_BYTES = 4 << 30
_XML_CHUNK = 1 << 20
_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_CELL_REF = re.compile(r"^\$?([A-Z]{1,3})\$?([0-9]{1,7})$")
_CELL_COLUMNS = re.compile(rb'<(?:\w+:)?c\s[^>]*?\br="([A-Z]{1,3})[0-9]')
_CELL_ROWS = re.compile(rb'<(?:\w+:)?c\s[^>]*?\br="[A-Z]{1,3}([0-9]{1,7})"')
_ODS_ROW = re.compile(
    rb"<table:table-row\b([^>]*?)(?:/>|>([^<]*(?:<(?!/table:table-row>)[^<]*)*)</table:table-row>)"
    rb"|<table:table[\s>]"
)
_ODS_ROWS_REPEATED = re.compile(rb'number-rows-repeated="([0-9]{1,9})"')
_ODS_COLUMNS_REPEATED = re.compile(rb'number-columns-repeated="([0-9]{1,9})"')
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s[^>]*?\bref="([^"]{1,40})"')


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


def check_sheet_size(path: Path, budget: int = MAX_SHEET_CELLS) -> None:
    """Refuse, before the reader sees it, a spreadsheet whose first sheet spans over `budget` cells.

    xlsx: the worksheet's declared `<dimension ref>`, then the references of its cells found by a
    streaming scan of its XML (a file may omit or understate its dimension); ods: the rows and
    columns that hold something, repeats included (trailing empty repeats, which LibreOffice
    writes and the reader drops, do not count). Memory stays bounded by one chunk of XML.
    """
    try:
        with zipfile.ZipFile(path) as book:
            if path.suffix.lower() == ".ods":
                _check_ods(path, book, budget)
            else:
                for name in _worksheets(book):
                    with book.open(name) as stream:
                        _check_worksheet(path, stream, budget)
    except IngestError:
        raise
    except (zipfile.BadZipFile, zlib.error, KeyError, ET.ParseError, EOFError, OSError) as exc:
        detail = "archive ou XML invalide" if not isinstance(exc, KeyError) else "partie absente"
        raise IngestError(f"{path.name} : classeur illisible ({detail} : {exc}).") from None


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def _column_letters(number: int) -> str:
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _refuse_over(
    path: Path, extent: tuple[int, int, int, int], declared: bool, budget: int
) -> None:
    """`extent` is (first row, first column, last row, last column), 1-based and inclusive."""
    first_row, first_col, last_row, last_col = extent
    rows, cols = last_row - first_row + 1, last_col - first_col + 1
    if rows * cols <= budget:
        return
    where = f"{_column_letters(first_col)}{first_row}:{_column_letters(last_col)}{last_row}"
    what = "déclare la plage" if declared else "a des cellules sur la plage"
    raise IngestError(
        f"{path.name} : la première feuille {what} {where} ({nombre(rows)} lignes × "
        f"{nombre(cols)} colonnes, soit {nombre(rows * cols)} cellules) ; Jalon en lit "
        f"{nombre(budget)} au plus. Supprimez les cellules hors du tableau (lignes et colonnes "
        "vides comprises) ou enregistrez la feuille en CSV, puis importez-la de nouveau."
    )


def _small_xml(book: zipfile.ZipFile, name: str) -> ET.Element:
    with book.open(name) as stream:
        data = stream.read(16 << 20)
    return ET.fromstring(data)


def _worksheets(book: zipfile.ZipFile) -> list[str]:
    """The first sheet's part, as the workbook orders its sheets; every worksheet if unsure."""
    names = set(book.namelist())
    every = sorted(n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml"))
    try:
        sheet = _small_xml(book, "xl/workbook.xml").find(f"{_MAIN_NS}sheets/{_MAIN_NS}sheet")
        rels = _small_xml(book, "xl/_rels/workbook.xml.rels")
    except (KeyError, ET.ParseError):
        return every
    rid = sheet.get(f"{_REL_NS}id") if sheet is not None else None
    for rel in rels.iter(f"{_PKG_REL_NS}Relationship"):
        target = rel.get("Target") or ""
        if rid is not None and rel.get("Id") == rid:
            name = target[1:] if target.startswith("/") else posixpath.normpath(f"xl/{target}")
            if name in names:
                return [name]
    return every


def _check_worksheet(path: Path, stream: IO[bytes], budget: int) -> None:
    extent: tuple[int, int, int, int] | None = None
    tail = b""
    seen = 0
    dimension_done = False
    while True:
        chunk = stream.read(_XML_CHUNK)
        seen += len(chunk)
        if seen > MAX_SHEET_XML_BYTES:
            raise IngestError(
                f"{path.name} : la première feuille dépasse "
                f"{nombre(MAX_SHEET_XML_BYTES >> 30)} Gio une fois décompressée ; "
                "enregistrez-la en CSV."
            )
        buffer = tail + chunk
        # A tag cut by the chunk boundary waits for the next chunk.
        cut = buffer.rfind(b"<", max(0, len(buffer) - 4096)) if chunk else -1
        body, tail = (buffer, b"") if cut < 0 else (buffer[:cut], buffer[cut:])
        if not dimension_done and (found := _DIMENSION.search(body)):
            dimension_done = True
            ref = found.group(1).decode("ascii", "replace").split(":")
            corners = [m for r in ref if (m := _CELL_REF.match(r))]
            if len(corners) == len(ref):
                first, last = corners[0], corners[-1]
                _refuse_over(
                    path,
                    (
                        int(first.group(2)),
                        _column_number(first.group(1)),
                        int(last.group(2)),
                        _column_number(last.group(1)),
                    ),
                    True,
                    budget,
                )
        columns = [_column_number(c.decode("ascii")) for c in set(_CELL_COLUMNS.findall(body))]
        rows = [int(r) for r in set(_CELL_ROWS.findall(body))]
        if columns and rows:
            found_extent = (min(rows), min(columns), max(rows), max(columns))
            extent = (
                found_extent
                if extent is None
                else (
                    min(extent[0], found_extent[0]),
                    min(extent[1], found_extent[1]),
                    max(extent[2], found_extent[2]),
                    max(extent[3], found_extent[3]),
                )
            )
            _refuse_over(path, extent, False, budget)
        if not chunk:
            return


def _check_ods(path: Path, book: zipfile.ZipFile, budget: int) -> None:
    # Byte scans rather than an XML parser: a parser costs seconds per million cells here.
    rows = columns = empty_rows = seen = 0
    tail = b""
    with book.open("content.xml") as stream:
        while True:
            chunk = stream.read(_XML_CHUNK)
            seen += len(chunk)
            if seen > MAX_SHEET_XML_BYTES:
                raise IngestError(
                    f"{path.name} : le contenu du classeur dépasse "
                    f"{nombre(MAX_SHEET_XML_BYTES >> 30)} Gio une fois décompressé ; "
                    "enregistrez la feuille en CSV."
                )
            buffer = tail + chunk
            done = 0
            for found in _ODS_ROW.finditer(buffer):
                done = found.end()
                if found.group(0).startswith(b"<table:table-row"):
                    repeated = _ODS_ROWS_REPEATED.search(found.group(1))
                    repeat = int(repeated.group(1)) if repeated else 1
                    last = _ods_last_column(found.group(2) or b"")
                    if last:
                        # Empty rows count only when a later row of the table holds something.
                        rows += empty_rows + repeat
                        columns = max(columns, last)
                        empty_rows = 0
                        _refuse_over(path, (1, 1, rows, columns), False, budget)
                    else:
                        empty_rows += repeat
                elif rows:
                    return  # the second table starts: only the first sheet is read
            if not chunk:
                return
            pending = buffer.rfind(b"<table:table-row", done)
            tail = buffer[pending:] if pending >= 0 else buffer[max(done, len(buffer) - 64) :]


def _ods_last_column(row: bytes) -> int:
    """The 1-based column of a row's last cell holding a value or text, repeats included."""
    marker = max(row.rfind(b"office:value-type"), row.rfind(b"<text:"))
    if marker < 0:
        return 0
    before = row[: row.find(b">", marker) + 1]
    cells = before.count(b"<table:table-cell") + before.count(b"<table:covered-table-cell")
    return cells + sum(int(n) - 1 for n in _ODS_COLUMNS_REPEATED.findall(before))


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
    check_sheet_size(path)
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


_GLOB_CHARACTERS = frozenset("*?[]{}")


@contextmanager
def literal_path(path: Path, workdir: Path) -> Iterator[Path]:
    """`path`, or a symbolic link to it whose name DuckDB cannot take for a pattern.

    DuckDB's readers expand `*`, `?`, `[…]` and `{…}` in a file name: `glob[1].csv` would read
    `glob1.csv`. The link holds no data (no plaintext copy to leave behind) and is removed on
    exit."""
    if not _GLOB_CHARACTERS & set(str(path.resolve())):
        yield path
        return
    folder = workdir if not _GLOB_CHARACTERS & set(str(workdir.resolve())) else None
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
    link = Path(tempfile.mkdtemp(prefix="jalon-lien-", dir=folder)) / f"fichier{_suffixes(path)}"
    try:
        link.symlink_to(path.resolve())
        yield link
    finally:
        shutil.rmtree(link.parent, ignore_errors=True)


def _suffixes(path: Path) -> str:
    return "".join(s for s in path.suffixes if s.replace(".", "").isalnum())[-12:]


#: Working copies (decompressed, converted): they hold the file's personal data until the
#: import ends, and are removed then, or at the next import if a crash left them.
COPY_SUFFIXES = (".jalon-tmp.csv", ".jalon-utf8.csv")
#: A bzip2 file may not expand beyond this ratio of its size (with a floor for small files),
#: nor beyond this size: checked while decompressing, so a bomb never fills the disk.
MAX_BZ2_RATIO = 100
MIN_BZ2_BOUND = 256 << 20
MAX_DECOMPRESSED_BYTES = 64 << 30


def copy_path(workdir: Path, suffix: str) -> Path:
    # A plain random name: the user's file name could read as a pattern, or be too long.
    return workdir / f"copie-{secrets.token_hex(8)}{suffix}"


def remove_leftover_copies(workdir: Path) -> list[Path]:
    """Delete the working copies an interrupted import left in `workdir`; return them."""
    if not workdir.is_dir():
        return []
    found = [p for p in workdir.iterdir() if p.name.endswith(COPY_SUFFIXES)]
    for path in found:
        path.unlink(missing_ok=True)
    return found


def _decompress_bz2(path: Path, copy: Path) -> None:
    bound = min(MAX_DECOMPRESSED_BYTES, max(MIN_BZ2_BOUND, MAX_BZ2_RATIO * path.stat().st_size))
    written = 0
    try:
        with bz2.open(path, "rb") as src, copy.open("wb") as dst:
            while chunk := src.read(1 << 22):
                written += len(chunk)
                if written > bound:
                    raise IngestError(
                        f"{path.name} : l'archive bzip2 se décompresse au-delà de "
                        f"{bound >> 20} Mio ({MAX_BZ2_RATIO} fois sa taille au plus) : refusée "
                        "par sécurité (« bombe de décompression »). Rien n'a été écrit."
                    )
                dst.write(chunk)
    except (OSError, EOFError) as exc:
        raise IngestError(f"{path.name} : archive bzip2 illisible ({exc}).") from None


@contextmanager
def prepared(path: Path, profile: Profile, workdir: Path) -> Iterator[Input]:
    """The readable text form of `path`; temporary copies are removed on exit."""
    kind = kind_of(path)
    if kind in ("text", "gzip"):
        compression = "gzip" if kind == "gzip" else "none"
        with literal_path(path, workdir) as readable:
            text = sniff(readable, profile.delimiter, compression=compression, name=path.name)
            yield Input(readable, text, "CSV (gzip)" if kind == "gzip" else "CSV")
        return
    workdir.mkdir(parents=True, exist_ok=True)
    copy = copy_path(workdir, COPY_SUFFIXES[0])
    try:
        if kind == "bz2":
            _decompress_bz2(path, copy)
            yield Input(copy, sniff(copy, profile.delimiter, name=path.name), "CSV (bzip2)")
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
def as_utf8(source: Input, workdir: Path, name: str, quote: str | None = None) -> Iterator[Input]:
    """A UTF-8 copy of a Windows-1252/Latin-1 text input, decoded by streaming; a file that is
    partly UTF-8 is refused (`jalon.ingest.encoding`), `name` naming it."""
    workdir.mkdir(parents=True, exist_ok=True)
    copy = copy_path(workdir, COPY_SUFFIXES[1])
    opener = gzip.open if source.text.compression == "gzip" else open
    decoder = codecs.getincrementaldecoder("cp1252")(errors=_LATIN1_FALLBACK)
    check = MixedEncodingCheck(name, source.text.header, source.text.delimiter, quote)
    try:
        with opener(source.path, "rb") as src, copy.open("w", encoding="utf-8", newline="") as dst:
            # Chunks end at a line end, so no character is cut (a longer line is refused anyway).
            while chunk := src.read(1 << 22) + src.readline(_LINE_BOUND):
                check.feed(chunk)
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
