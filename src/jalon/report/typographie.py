"""French typography for the texts Jalon prints: no-break spaces where French puts them.

Pure string functions, safe on any text (idempotent: applying them twice changes nothing). Numbers
get their narrow no-break thousands separator from `jalon.formatting`; this module handles the
punctuation around words:

- a narrow no-break space (U+202F) before `;`, `:`, `!`, `?` and `%`, replacing a plain space or
  inserted when missing (`Note: x` → `Note : x`), but not inside URLs, e-mail addresses or clock
  times (`11:00`, `https://…`), where the sign is not followed by a space;
- narrow no-break spaces inside French quotes (`« x »`);
- a narrow no-break space between groups of three digits written with a plain space in
  declared texts (a target written in a plan's name), only inside what can be one number (a first
  group of one to three digits, then groups of exactly three): `en 2016 200 places` keeps its
  two numbers apart; figures from `jalon.formatting` already have it;
- a no-break space after `n°`;
- the typographic apostrophe between letters (`l'objectif` → `l’objectif`).
"""

from __future__ import annotations

import re

NNBSP = "\u202f"
NBSP = "\u00a0"

_SPACES = f" \t{NBSP}{NNBSP}"
# A high sign after a word (or a closing bracket or quote), followed by a space or the end: in
# `https://` or `11:00` the sign is followed by something else and is left alone.
_HIGH_SIGN = re.compile(rf"(?<=[^\s;:!?])[{_SPACES}]*([;:!?])(?=[ \t\r\n]|$|[)\]»])")
_PERCENT = re.compile(rf"(?<=\d)[{_SPACES}]*%")
_OPEN_QUOTE = re.compile(rf"«[{_SPACES}]*")
_CLOSE_QUOTE = re.compile(rf"[{_SPACES}]*»")
_NUMERO = re.compile(rf"\b(n°|N°)[{_SPACES}]*(?=\d)")
# Not after a digit, nor after a digit and a space: the match starts a number.
_GROUPED = re.compile(rf"(?<![\d,.])(?<!\d[{_SPACES}])\d{{1,3}}(?:[{_SPACES}]\d{{3}})+(?!\d)")
_GROUP_SPACE = re.compile(rf"[ \t{NBSP}]")
_APOSTROPHE = re.compile(r"(?<=[^\W\d_])'(?=[^\W\d_])")
_ORDINAL = re.compile(r"\b(\d+)(er|re|e)\b")


def typographie(text: str) -> str:
    """`text` with French no-break spaces (see the module docstring)."""
    text = _HIGH_SIGN.sub(lambda m: NNBSP + m.group(1), text)
    text = _PERCENT.sub(NNBSP + "%", text)
    text = _OPEN_QUOTE.sub("«" + NNBSP, text)
    text = _CLOSE_QUOTE.sub(NNBSP + "»", text)
    text = _GROUPED.sub(lambda m: _GROUP_SPACE.sub(NNBSP, m.group(0)), text)
    text = _APOSTROPHE.sub("’", text)
    return _NUMERO.sub(lambda m: m.group(1) + NBSP, text)


def exposants(html: str) -> str:
    """Ordinal suffixes as superscripts in escaped HTML text: `1re` → `1<sup>re</sup>`."""
    return _ORDINAL.sub(r"\1<sup>\2</sup>", html)
