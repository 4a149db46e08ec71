"""Write one bench's section into `bench/RESULTS.md`, between its two markers.

The section (markers included) replaces the one already there, or is appended when the file has
none yet; the rest of the file is kept as it is.
"""

from __future__ import annotations

from pathlib import Path


def write_section(results: Path, start: str, end: str, section: str) -> None:
    text = results.read_text(encoding="utf-8") if results.exists() else ""
    if start in text and end in text:
        before, rest = text.split(start, 1)
        text = before + section + rest.split(end, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    results.write_text(text, encoding="utf-8")
