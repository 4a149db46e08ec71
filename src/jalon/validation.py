"""French messages for the two libraries that read Jalon's declaration files: tomllib (syntax)
and Pydantic (structure).

Both write English; users read French. `toml_error` turns a `tomllib.TOMLDecodeError` into « ligne
L, colonne C : what was wrong »; `validation_lines` turns a Pydantic `ValidationError` into one line
per error with the TOML key path, what was expected and what was read. Pydantic's messages are
chosen by their stable `type` code (https://docs.pydantic.dev/latest/errors/validation_errors/),
never by their English wording. Used by the plan loader and the press event loader.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Mapping
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

_TOML_POSITION = re.compile(
    r"^(?P<msg>.*) \(at (?:line (?P<line>\d+), column (?P<column>\d+)|end of document)\)$", re.S
)

#: tomllib's messages (CPython Lib/tomllib/_parser.py), as regular expressions → French.
_TOML_MESSAGES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern + "$"), french)
    for pattern, french in (
        (r"Invalid statement", "instruction invalide (attendu : clé = valeur ou [table])"),
        (
            r"Expected newline or end of document after a statement",
            "fin de ligne attendue après la valeur (une valeur par ligne)",
        ),
        (r"Expected ']' at the end of a table declaration", "« ] » attendu après le nom de table"),
        (r"Expected ']]' at the end of an array declaration", "« ]] » attendu après le nom"),
        (r"Expected '=' after a key in a key/value pair", "« = » attendu après la clé"),
        (r"Expected (?P<x>\"'\"|'\"')", "chaîne non fermée (guillemet {x} manquant)"),
        (r"Expected (?P<x>.+)", "attendu : {x}"),
        (r"Found invalid character (?P<x>.+)", "caractère inattendu {x}"),
        (r"Cannot declare (?P<x>.+) twice", "la table {x} est déclarée deux fois"),
        (r"Cannot overwrite a value", "cette clé a déjà une valeur"),
        (r"Cannot mutate immutable namespace (?P<x>.+)", "la table {x} ne peut plus être modifiée"),
        (r"Cannot redefine namespace (?P<x>.+)", "la table {x} est redéfinie"),
        (r"Invalid initial character for a key part", "une clé ne peut pas commencer ainsi"),
        (r"Unclosed array", "liste non fermée (« ] » manquant)"),
        (r"Duplicate inline table key (?P<x>.+)", "clé {x} en double dans la table"),
        (r"Unclosed inline table", "table en ligne non fermée (« } » manquant)"),
        (r"Unescaped '\\' in a string", "barre oblique inverse « \\ » non échappée"),
        (r"Invalid hex value", "valeur hexadécimale invalide"),
        (r"Escaped character is not a Unicode scalar value", "caractère échappé invalide"),
        (r"Unterminated string", "chaîne non fermée (guillemet manquant)"),
        (r"Illegal character '\\n'", "fin de ligne dans une chaîne (guillemet fermant manquant)"),
        (r"Illegal character (?P<x>.+)", "caractère interdit {x}"),
        (r"Invalid date or datetime", "date ou date-heure invalide (AAAA-MM-JJ)"),
        (
            r"Invalid value",
            "valeur invalide (chaîne entre guillemets, nombre, booléen, date, liste ou table)",
        ),
    )
)


def toml_error(exc: tomllib.TOMLDecodeError) -> str:
    """« ligne 3, colonne 7 : chaîne non fermée (guillemet manquant) »."""
    text = str(exc)
    match = _TOML_POSITION.match(text)
    message = match["msg"] if match else text
    for pattern, french in _TOML_MESSAGES:
        found = pattern.match(message)
        if found:
            message = french.format(**{k: _quoted(v) for k, v in found.groupdict().items()})
            break
    else:
        message = f"syntaxe TOML invalide ({message})"
    if match is None:
        return message
    if match["line"] is None:
        return f"fin du fichier : {message}"
    return f"ligne {match['line']}, colonne {match['column']} : {message}"


def _quoted(value: str) -> str:
    """tomllib quotes with Python's repr and names tables as tuples (`('secret',)`); French text
    uses « » and dotted keys."""
    if value.startswith("(") and value.endswith(")"):
        value = ".".join(re.findall(r"'([^']*)'", value)) or value
    elif len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        value = value[1:-1]
    return f"« {value} »"


def key_path(loc: tuple[int | str, ...]) -> str:
    """Render a Pydantic location as a TOML key path, e.g. `conventions[3].targets[0].phase`."""
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts[-1:] = [f"{parts[-1] if parts else ''}[{item}]"]
        else:
            parts.append(str(item))
    return ".".join(parts) or "(racine)"


def _ctx(name: str) -> Callable[[Mapping[str, Any]], str]:
    return lambda ctx: str(ctx.get(name, "?"))


_DATE = "une date (AAAA-MM-JJ)"
_Message = str | Callable[[Mapping[str, Any]], str]

#: What was expected, by Pydantic error type.
_EXPECTED: dict[str, _Message] = {
    "missing": "une valeur (clé obligatoire absente)",
    "extra_forbidden": "aucune clé de ce nom (clé inconnue)",
    "int_type": "un entier",
    "int_parsing": "un entier",
    "int_from_float": "un entier (sans partie décimale)",
    "float_type": "un nombre",
    "float_parsing": "un nombre",
    "decimal_parsing": "un nombre",
    "bool_type": "un booléen (true ou false)",
    "bool_parsing": "un booléen (true ou false)",
    "string_type": "une chaîne de caractères",
    "string_too_short": lambda c: f"un texte d'au moins {c.get('min_length')} caractère(s)",
    "string_too_long": lambda c: f"un texte d'au plus {c.get('max_length')} caractères",
    "string_pattern_mismatch": "un texte au bon format",
    "list_type": "une liste",
    "tuple_type": "une liste",
    "set_type": "une liste",
    "dict_type": "une table",
    "model_type": "une table",
    "model_attributes_type": "une table",
    "too_short": lambda c: f"au moins {c.get('min_length')} élément(s)",
    "too_long": lambda c: f"au plus {c.get('max_length')} éléments",
    "date_type": _DATE,
    "date_parsing": _DATE,
    "date_from_datetime_parsing": _DATE,
    "date_from_datetime_inexact": "une date sans heure (AAAA-MM-JJ)",
    "time_type": "une heure (HH:MM ou HH:MM:SS)",
    "time_parsing": "une heure (HH:MM ou HH:MM:SS)",
    "datetime_type": "une date et heure (AAAA-MM-JJTHH:MM:SS)",
    "datetime_parsing": "une date et heure (AAAA-MM-JJTHH:MM:SS)",
    "datetime_from_date_parsing": "une date et heure (AAAA-MM-JJTHH:MM:SS)",
    "literal_error": lambda c: f"une des valeurs {_or_list(str(c.get('expected', '')))}",
    "enum": lambda c: f"une des valeurs {_or_list(str(c.get('expected', '')))}",
    "greater_than": lambda c: f"un nombre strictement supérieur à {c.get('gt')}",
    "greater_than_equal": lambda c: f"un nombre supérieur ou égal à {c.get('ge')}",
    "less_than": lambda c: f"un nombre strictement inférieur à {c.get('lt')}",
    "less_than_equal": lambda c: f"un nombre inférieur ou égal à {c.get('le')}",
    "multiple_of": lambda c: f"un multiple de {c.get('multiple_of')}",
    "finite_number": "un nombre fini",
    "union_tag_invalid": lambda c: f"un type parmi {c.get('expected_tags')}",
    "union_tag_not_found": lambda c: f"une clé « {c.get('discriminator')} »",
}


def _or_list(expected: str) -> str:
    """Pydantic writes `'a', 'b' or 'c'`; French writes `'a', 'b' ou 'c'`."""
    return re.sub(r" or (?=[^,]*$)", " ou ", expected)


def _detail(err: ErrorDetails) -> str:
    kind = err["type"]
    ctx: Mapping[str, Any] = err.get("ctx") or {}
    if kind in ("value_error", "assertion_error"):
        # Jalon's own validators raise French messages; Pydantic prefixes them in English.
        return str(ctx.get("error", "valeur refusée"))
    expected = _EXPECTED.get(kind)
    if expected is None:
        return f"valeur refusée (contrôle « {kind} »)"
    return "attendu : " + (expected if isinstance(expected, str) else expected(ctx))


def validation_lines(
    error: ValidationError, personal: Callable[[tuple[int | str, ...]], bool] | None = None
) -> str:
    """One indented French line per error: key path, what was expected, what was read — except
    where `personal(location)` says the value is a person's name, phone or e-mail, which no
    message repeats."""
    lines = []
    for err in error.errors():
        got = err.get("input")
        hidden = personal is not None and personal(tuple(err["loc"]))
        shown = (
            ""
            if err["type"] == "missing" or isinstance(got, dict | list) or hidden
            else f", lu : {got!r}"
        )
        lines.append(f"  - {key_path(tuple(err['loc']))} : {_detail(err)}{shown}")
    return "\n".join(lines)
