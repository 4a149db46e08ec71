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
import secrets
import shutil
import tempfile
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


def _copy_path(workdir: Path, suffix: str) -> Path:
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
    copy = _copy_path(workdir, COPY_SUFFIXES[0])
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
def as_utf8(source: Input, workdir: Path) -> Iterator[Input]:
    """A UTF-8 copy of a Windows-1252/Latin-1 text input, decoded by streaming."""
    workdir.mkdir(parents=True, exist_ok=True)
    copy = _copy_path(workdir, COPY_SUFFIXES[1])
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
