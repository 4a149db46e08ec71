"""French for the texts that Typer writes itself: help panels, usage line, `--help`, the type of
each option, and every parsing error (missing option, invalid value, unknown command…).

Typer 0.29 vendors Click without its gettext calls, so there is no message catalogue to install:
its own titles are module constants (`typer.rich_utils`), its help and usage lines come from
methods of the command classes, and its errors are exceptions whose class says what happened.
`install(app)` sets the constants, gives every command of `app` the French command classes below
(Typer's documented `cls` hook) and makes Rich keep numbers whole. Error texts are rebuilt from the
exception's class and parameter, and the few free-text messages Typer builds are matched by the
patterns of `_MESSAGES`, checked against Typer's sources (`_click/parser.py`, `_click/core.py`,
`core.py`, `_param_types.py`, `_coercion.py`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, NoReturn

import rich._wrap
import typer
from typer import rich_utils
from typer._click import Context, HelpFormatter
from typer._click.exceptions import (
    BadParameter,
    ClickException,
    FileError,
    MissingParameter,
    NoArgsIsHelpError,
    NoSuchOption,
    UsageError,
)
from typer.core import TyperCommand, TyperGroup, TyperOption

from jalon.formatting import insecable

HELP_OPTION = "Affiche cette aide et quitte."
USAGE = "Utilisation : "
SUBCOMMAND_METAVAR = "COMMANDE [ARGUMENTS]..."

_RICH_TEXTS = {
    "DEPRECATED_STRING": "(obsolète) ",
    "DEFAULT_STRING": "[défaut : {}]",
    "ENVVAR_STRING": "[variable d'environnement : {}]",
    "REQUIRED_LONG_STRING": "[obligatoire]",
    "ARGUMENTS_PANEL_TITLE": "Arguments",
    "OPTIONS_PANEL_TITLE": "Options",
    "COMMANDS_PANEL_TITLE": "Commandes",
    "ERRORS_PANEL_TITLE": "Erreur",
    "ABORTED_TEXT": "Interrompu.",
    "RICH_HELP": "Aide : [blue]{command_path} {help_option}[/]",
}

#: Typer's type labels (`<str>`, `<path>`…) in the help's type column.
_TYPE_LABELS = {
    "str": "texte",
    "int": "entier",
    "float": "nombre",
    "path": "chemin",
    "file": "fichier",
    "dir": "dossier",
    "datetime": "date",
    "uuid": "identifiant",
}

_PATH_LABELS = {"file": "le fichier", "dir": "le dossier", "path": "le chemin"}

_Rewrite = Callable[[re.Match[str]], str]


def _quote(text: str) -> str:
    """Typer quotes with Python's repr ('x'); French text uses « x »."""
    return re.sub(r"'([^']*)'", "«\u00a0\\1\u00a0»", text)


def _message_of(template: str) -> _Rewrite:
    return lambda m: template.format(**{k: _quote(v or "") for k, v in m.groupdict().items()})


def _value_error(m: re.Match[str]) -> str:
    return french_message(m["inner"])


#: The free-text messages of Typer and its vendored Click, anchored, as regular expressions.
_MESSAGES: tuple[tuple[re.Pattern[str], _Rewrite], ...] = tuple(
    (re.compile(pattern + "$", re.S), rewrite if callable(rewrite) else _message_of(rewrite))
    for pattern, rewrite in (
        (
            r"No such command (?P<name>'.*?')\. Did you mean (?P<choices>.*)\?",
            "commande inconnue {name} ; vouliez-vous dire {choices} ?",
        ),
        (r"No such command (?P<name>'.*?')\.", "commande inconnue {name}."),
        (r"Missing command\.", "commande manquante."),
        (r"Got unexpected extra argument\(s\) \((?P<args>.*)\)", "argument en trop : {args}."),
        (r"Option (?P<opt>'.*?') requires an argument\.", "l'option {opt} attend une valeur."),
        (
            r"Option (?P<opt>'.*?') requires (?P<n>\d+) arguments\.",
            "l'option {opt} attend {n} valeurs.",
        ),
        (r"Option (?P<o>'.*?') does not take a value\.", "l'option {o} ne prend pas de valeur."),
        (r"Argument (?P<a>'.*?') takes (?P<n>\d+) values\.", "l'argument {a} attend {n} valeurs."),
        (r"Value error, (?P<inner>.*)", _value_error),
        (
            r"(?P<value>'.*') is not one of (?P<choices>.*)\.",
            "{value} n'est pas une valeur permise (valeurs permises : {choices}).",
        ),
        (
            r"(?P<label>file|dir|path) (?P<path>'.*') does not exist\.",
            lambda m: f"{_PATH_LABELS[m['label']]} {_quote(m['path'])} n'existe pas.",
        ),
        (r"(?:file|dir|path) (?P<p>.*) is a file\.", "{p} est un fichier, pas un dossier."),
        (r"(?:file|dir|path) (?P<p>.*) is a directory\.", "{p} est un dossier, pas un fichier."),
        (r"(?:file|dir|path) (?P<p>.*) is not readable\.", "{p} n'est pas lisible."),
        (r"(?:file|dir|path) (?P<p>.*) is not writable\.", "{p} n'est pas accessible en écriture."),
        (r"Value must be an iterable\.", "plusieurs valeurs attendues."),
        (
            r"Value (?P<value>.*) is not a valid (?P<label>.*)\.",
            lambda m: (
                f"{_quote(m['value'])} n'est pas valide "
                f"(attendu : {_TYPE_LABELS.get(m['label'].lower(), m['label'])})."
            ),
        ),
        (r"Input should be a valid integer.*", "un nombre entier est attendu."),
        (r"Input should be a valid number.*", "un nombre est attendu."),
        (r"Input should be a valid boolean.*", "oui ou non attendu (true, false, 1, 0)."),
        (r"Input should be a valid date.*", "une date est attendue (AAAA-MM-JJ)."),
        (r"Input should be greater than or equal to (?P<n>\S+)", "au moins {n} attendu."),
        (r"Input should be greater than (?P<n>\S+)", "plus de {n} attendu."),
        (r"Input should be less than or equal to (?P<n>\S+)", "au plus {n} attendu."),
        (r"Input should be less than (?P<n>\S+)", "moins de {n} attendu."),
        (r"'(?P<file>.*)': (?P<reason>.*)", "{file} : {reason}"),
        (r"unknown error", "erreur inconnue"),
    )
)


def french_message(message: str) -> str:
    """One of Typer's free-text messages in French; a message it does not know is kept (it is one
    of Jalon's own, already French)."""
    for pattern, rewrite in _MESSAGES:
        match = pattern.match(message)
        if match:
            return rewrite(match)
    return message


def _param_name(param: Any) -> str:
    opts = getattr(param, "opts", None)
    if isinstance(param, TyperOption) and opts:
        return " / ".join(opts)
    return str(getattr(param, "display_name_raw", None) or getattr(param, "name", "?"))


def french_error(exc: ClickException) -> str:
    """The French text of a parsing error, built from its class and parameter."""
    if isinstance(exc, MissingParameter):
        param = exc.param
        kind = {"option": "l'option obligatoire", "argument": "l'argument"}.get(
            str(exc.param_type or getattr(param, "param_type_name", "")), "le paramètre"
        )
        text = f"il manque {kind} {_param_name(param)}." if param else "paramètre manquant."
        choices = getattr(getattr(param, "type_descriptor", None), "choices", None)
        if choices:
            text += " Valeurs permises : " + ", ".join(str(c) for c in choices) + "."
        return text
    if isinstance(exc, NoSuchOption):
        text = f"option inconnue {exc.option_name}."
        if exc.possibilities:
            text += " Vouliez-vous dire " + ", ".join(sorted(exc.possibilities)) + " ?"
        return text
    if isinstance(exc, BadParameter):
        inner = french_message(exc.message)
        if exc.param_hint is None and exc.param is None:
            return f"valeur invalide : {inner}"
        hint = exc.param_hint if isinstance(exc.param_hint, str) else None
        name = hint.strip("'") if hint else _param_name(exc.param)
        return f"valeur invalide pour {name} : {inner}"
    if isinstance(exc, FileError):
        name = _quote(f"'{exc.ui_filename}'")
        return f"impossible d'ouvrir {name} : {french_message(exc.message)}"
    return french_message(exc.format_message())


class _FrenchError(UsageError):
    """A Typer error already put into French; keeps the original's exit code."""

    def __init__(self, original: ClickException) -> None:
        text = french_error(original)
        super().__init__(text[:1].upper() + text[1:], getattr(original, "ctx", None))
        self.exit_code = original.exit_code


def _reraise_french(exc: ClickException) -> NoReturn:
    if isinstance(exc, NoArgsIsHelpError | _FrenchError):
        raise exc
    raise _FrenchError(exc) from exc


_SHOWN_TYPE = re.compile(r"<(?P<label>\w+)>(?P<many>\.\.\.)?")


def _french_type(param: Any) -> Callable[[Context], str | None]:
    """Typer's `display_type_rich` for `param`, with the type named in French; a flag, which
    takes no value, shows none."""
    english = param.display_type_rich

    def display_type_rich(ctx: Context) -> str | None:
        if getattr(param, "is_flag", False):
            return ""
        shown = english(ctx=ctx)
        match = _SHOWN_TYPE.fullmatch(shown or "")
        if match is None or match["label"] not in _TYPE_LABELS:
            return shown
        return f"<{_TYPE_LABELS[match['label']]}>{match['many'] or ''}"

    return display_type_rich


class _FrenchTexts:
    """What `FrenchCommand` and `FrenchGroup` change: usage prefix, `--help`, types, numbers."""

    help: str | None
    short_help: str | None
    params: list[Any]

    def _translate_texts(self) -> None:
        if self.help:
            self.help = insecable(self.help)
        if self.short_help:
            self.short_help = insecable(self.short_help)
        for param in self.params:
            if getattr(param, "help", None):
                param.help = insecable(param.help)
            # Typer offers no class hook for parameters: the one method is replaced on each.
            param.display_type_rich = _french_type(param)

    def format_usage(self, ctx: Context, formatter: HelpFormatter) -> None:
        pieces = self.collect_usage_pieces(ctx)  # type: ignore[attr-defined]
        formatter.write_usage(ctx.command_path, " ".join(pieces), prefix=USAGE)

    def get_help_option(self, ctx: Context) -> TyperOption | None:
        option: TyperOption | None = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = HELP_OPTION
            option.display_type_rich = lambda ctx: ""  # type: ignore[method-assign]
        return option


class FrenchCommand(_FrenchTexts, TyperCommand):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._translate_texts()


class FrenchGroup(_FrenchTexts, TyperGroup):
    """A group whose help and errors are French; as the root group it also puts into French the
    errors raised while its subcommands parse their arguments."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["subcommand_metavar"] = kwargs.get("subcommand_metavar") or SUBCOMMAND_METAVAR
        super().__init__(*args, **kwargs)
        self._translate_texts()

    def make_context(self, *args: Any, **kwargs: Any) -> Context:
        try:
            return super().make_context(*args, **kwargs)
        except ClickException as exc:
            _reraise_french(exc)

    def invoke(self, ctx: Context) -> Any:
        try:
            return super().invoke(ctx)
        except ClickException as exc:
            _reraise_french(exc)


def _use_french_classes(app: typer.Typer) -> None:
    app.info.cls = FrenchGroup
    for command in app.registered_commands:
        # Typer fills in its own class when none is given; a command that chose another keeps it.
        if command.cls in (None, TyperCommand):
            command.cls = FrenchCommand
    for group in app.registered_groups:
        if group.typer_instance is not None:
            _use_french_classes(group.typer_instance)


#: Rich wraps at any `\s`, no-break spaces included (Textualize/rich#3545, open): its word
#: pattern, with U+00A0 and U+202F counted as letters, so `92 000` never splits.
_RICH_WORD = re.compile(r"[^\S\u00a0\u202f]*[\S\u00a0\u202f]+[^\S\u00a0\u202f]*")


def install(app: typer.Typer) -> None:
    """Put `app` and every command registered on it into French; call once all are registered."""
    for name, text in _RICH_TEXTS.items():
        setattr(rich_utils, name, text)
    rich._wrap.re_word = _RICH_WORD
    _use_french_classes(app)
