"""Access to the reference files packaged in `jalon/reference/data/` (read-only, cached by callers).

Tables are UTF-8 CSV files with a header line; a large table may be shipped gzipped
(`name.csv.gz`) instead, which `read_rows` handles transparently.
"""

from __future__ import annotations

import csv
import gzip
import io
from importlib.resources import files
from importlib.resources.abc import Traversable


def data_file(name: str) -> Traversable:
    """The packaged data file `name` (e.g. `regions.csv`)."""
    return files("jalon.reference") / "data" / name


def read_rows(table: str) -> list[dict[str, str]]:
    """Rows of the packaged table `table` (file name without `.csv` / `.csv.gz`)."""
    plain = data_file(f"{table}.csv")
    if plain.is_file():
        text = plain.read_text(encoding="utf-8")
    else:
        packed = data_file(f"{table}.csv.gz")
        if not packed.is_file():
            raise FileNotFoundError(f"table de référence absente du paquet : {table}")
        text = gzip.decompress(packed.read_bytes()).decode("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def read_text(name: str) -> str:
    """Text of the packaged data file `name`."""
    return data_file(name).read_text(encoding="utf-8")


def parse_bool(value: str) -> bool:
    """`true` / `false` as written in the packaged tables."""
    if value not in ("true", "false"):
        raise ValueError(f"booléen attendu (true/false), lu : {value!r}")
    return value == "true"
