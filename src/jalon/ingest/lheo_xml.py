"""Read an LHEO offer catalogue safely and turn each element into an accounted outcome.

Runs on one XML file, streamed with `lxml.etree.iterparse` (libxml2): entities are never
expanded (`resolve_entities=False`), no DTD or other resource is loaded (`load_dtd=False`,
`no_network=True`), libxml2's size limits stay on (`huge_tree=False`) and the file is given as a
Python file object, so libxml2 never decompresses it behind our back. A file whose document type
declares any entity (billion laughs, external entity) or an attribute default (which libxml2 would
add to the elements, an `xmlns` one even unvalidated) is refused before its content is read.
Each `action` and `session` ends `accepte`, `rejete` (with the element's line and the reasons)
or `doublon`; a formation is processed at its end tag, then cleared, and every element the
reader does not read (on none of the profile's paths) is freed at its own end tag, wherever it is,
so memory holds the read values of one formation at a time plus the numbers already seen (for
duplicates), whatever else the file holds. That costs one Python step per element (about a
quarter more time on a catalogue full of descriptions and contacts) instead of one per counted
element.

lxml rather than defusedxml: lxml is actively maintained, streams with line numbers
(`sourceline`), and its parser options switch off every dangerous feature at the source;
defusedxml's lxml support is deprecated and its ElementTree parsers have no line numbers.

Severities (DESIGN §5, "Strict only where counting needs it"): a value that fails its check
rejects the element only when its declared field rejects (`LheoField.rejects`: the numbers, the
session start date) or when it is a financeur code or a number of places; otherwise the element
is kept, the field set missing, and an anomaly (same shape as a rejection) is recorded. A
formation's anomalies are written once, at its line, and mark each of its accepted actions.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, NamedTuple

from lxml import etree

from jalon.ingest.errors import IngestError
from jalon.ingest.lheo_profile import ElementSpec, LheoField, LheoProfile
from jalon.ingest.lheo_source import is_gzip, open_xml, refuse_not_xml
from jalon.ingest.reference_checks import CHECKS
from jalon.reference import (
    departement_of_code_postal,
    departement_of_commune,
    departement_region,
    est_commune,
    financeurs,
)

Status = Literal["accepte", "rejete", "doublon"]
Kind = Literal["action", "session"]
_INTEGER = re.compile(r"[0-9]{1,9}")
_DATE = re.compile(r"[0-9]{8}")
_PARSER_OPTIONS: dict[str, Any] = {
    "resolve_entities": False,
    "load_dtd": False,
    "no_network": True,
    "huge_tree": False,
    "collect_ids": False,
    "remove_comments": True,
    "remove_pis": True,
}


class Rejet(NamedTuple):
    column_name: str | None
    reason: str
    message: str
    value: str | None


@dataclass
class Outcome:
    """What became of one counted element (`action` or `session`)."""

    kind: Kind
    line: int
    status: Status
    row: dict[str, Any] | None = None
    rejets: list[Rejet] = field(default_factory=list)
    places: list[dict[str, Any]] = field(default_factory=list)
    #: The element's own anomalies (written only when it is accepted).
    anomalies: list[Rejet] = field(default_factory=list)
    #: True when the formation of an accepted action has anomalies of its own.
    inherited: bool = False

    @property
    def with_anomalies(self) -> bool:
        return self.status == "accepte" and bool(self.anomalies or self.inherited)


@dataclass(frozen=True)
class FormationRow:
    """A formation to write: yielded after the outcomes of its actions, once per number."""

    row: dict[str, Any]
    anomalies: list[Rejet] = field(default_factory=list)


@dataclass(frozen=True)
class Catalogue:
    """What the first start tag told about the file."""

    namespace: str
    version: str
    compressed: bool = False


def _syntax_error(name: str, exc: Any) -> IngestError:
    line, column = exc.position if exc.position else (exc.lineno or 1, 1)
    detail = str(exc.msg or exc).split(", line ")[0]
    # iterparse may raise a generic error; libxml2's log (cleared before each parse) holds the
    # first real one.
    first = next((e for e in exc.error_log if e.level_name in ("ERROR", "FATAL")), None)
    if first is not None and first.line:
        line, column, detail = first.line, first.column, first.message
    if "start tag expected" in detail.lower() and (line, column) == (1, 1):
        hint = "ce fichier n'est pas un document XML (texte, CSV ou binaire ?)"
    elif "not defined" in detail and "ntity" in detail:
        hint = (
            "entité non déclarée (XML ne connaît que &amp; &lt; &gt; &quot; &apos; : écrivez le "
            "caractère lui-même)"
        )
    elif "limit exceeded" in detail.lower():
        hint = "valeur démesurée (plus de 10 millions de caractères dans un élément), refusée"
    elif any(word in detail.lower() for word in ("entit", "pereference", "amplification")):
        hint = "les entités XML sont interdites (risque de « bombe XML »)"
    else:
        hint = "XML mal formé (balise non fermée, caractère interdit ou fichier tronqué)"
    return IngestError(
        f"{name}, ligne {line}, colonne {column} : {hint} ; détail de l'analyseur : {detail}. "
        "Un catalogue LHEO doit être un document XML bien formé. Rien n'a été écrit."
    )


def open_catalogue(path: Path, profile: LheoProfile) -> Catalogue:
    """Read up to the root start tag: refuse entity declarations, a foreign root, an unknown
    namespace; return the namespace and the LHEO version it means."""
    name = path.name
    compressed = is_gzip(path)
    with open_xml(path, profile) as handle:
        refuse_not_xml(handle.read(4), name, compressed)
    with open_xml(path, profile) as handle:
        etree.clear_error_log()
        events = etree.iterparse(handle, events=("start",), **_PARSER_OPTIONS)
        try:
            _event, root = next(events)
        except StopIteration:
            raise IngestError(f"{name} : fichier vide. Rien n'a été écrit.") from None
        except etree.XMLSyntaxError as exc:
            raise _syntax_error(name, exc) from None
        dtd = root.getroottree().docinfo.internalDTD
        declared = [entity.name for entity in dtd.iterentities()] if dtd is not None else []
        if declared:
            raise IngestError(
                f"{name}, ligne {_entity_line(path, profile, root.sourceline)} : le fichier "
                f"déclare des entités XML (<!ENTITY {declared[0]} …"
                f">{', …' if len(declared) > 1 else ''}). Elles sont refusées par sécurité "
                "(expansion exponentielle « bombe XML », lecture de fichiers locaux ou de "
                "ressources réseau) ; un catalogue LHEO n'en a pas besoin. "
                "Rien n'a été écrit."
            )
        if dtd is not None and (default := _attribute_default(path, profile, root.sourceline)):
            line, element = default
            raise IngestError(
                f"{name}, ligne {line} : le fichier déclare des valeurs par défaut d'attributs "
                f"(<!ATTLIST {element} …>). Elles sont refusées : l'analyseur les ajouterait aux "
                "éléments (un espace de noms, un numéro) sans qu'elles soient écrites dans le "
                "catalogue ; un catalogue LHEO n'en a pas besoin. Rien n'a été écrit."
            )
        qname = etree.QName(root)
        if qname.localname != "lheo":
            raise IngestError(
                f"{name}, ligne {root.sourceline} : élément racine <{qname.localname}> ; un "
                "catalogue LHEO commence par <lheo>. Rien n'a été écrit."
            )
        namespace = qname.namespace or ""
        if namespace not in profile.versions:
            known = ", ".join(ns for ns in profile.versions if ns)
            raise IngestError(
                f"{name}, ligne {root.sourceline} : espace de noms « {namespace} » inconnu pour "
                f"<lheo> (attendus : {known}, ou aucun). Rien n'a été écrit."
            )
    return Catalogue(namespace, profile.versions[namespace], compressed)


def _entity_line(path: Path, profile: LheoProfile, root_line: int) -> int:
    """Line of the first `<!ENTITY` before the root element (the DTD object has no lines)."""
    with open_xml(path, profile) as handle:
        for number, text in enumerate(handle, start=1):
            if b"<!ENTITY" in text or number >= root_line:
                return number
    return 1


#: An attribute-list declaration holding a quoted value: a default (`"v"` or `#FIXED "v"`); the
#: attribute types (CDATA, ID, enumerations…) have no quotes.
_ATTLIST_DEFAULT = re.compile(rb"<!ATTLIST\s+([^\s>]+)[^>]*?[\"']")


def _attribute_default(path: Path, profile: LheoProfile, root_line: int) -> tuple[int, str] | None:
    """Line and element of the first attribute default declared before the root element.

    libxml2 applies some of them (`xmlns` defaults) even with the DTD neither loaded nor
    validated, and lxml does not show attribute declarations of undeclared elements: the
    internal subset is read as text, line by line, up to the root's line."""
    with open_xml(path, profile) as handle:
        pending, first = b"", 0
        for number, text in enumerate(handle, start=1):
            if number > root_line:
                break
            if not pending:
                if b"<!ATTLIST" not in text:
                    continue
                first = number
            pending += text
            found = _ATTLIST_DEFAULT.search(pending)
            if found:
                line = first + pending[: found.start()].count(b"\n")
                return line, found.group(1).decode("utf-8", "replace")
            if b">" in pending[pending.rfind(b"<!ATTLIST") :]:
                pending = b""
    return None


Reader = Callable[[Any], str | None]


def _reader(source: str, namespace: str) -> Reader:
    """A function reading `source` (`@attribut` or `a/b/c`) from an element, stripped, or None.

    Child paths are compiled XPath (several times faster than `findtext` on nested paths),
    without "smart strings", which would keep every element they came from alive.
    """
    if source.startswith("@"):
        attribute = source[1:]

        def read_attribute(element: Any) -> str | None:
            value = element.get(attribute)
            return (value.strip() or None) if value is not None else None

        return read_attribute
    steps = "/".join(f"l:{part}" if namespace else part for part in source.split("/"))
    xpath = etree.XPath(
        f"string({steps})", namespaces={"l": namespace} if namespace else None, smart_strings=False
    )

    def read_child(element: Any) -> str | None:
        return xpath(element).strip() or None

    return read_child


def _converter(kind: str, spec: LheoField, profile: LheoProfile) -> Callable[[str | None], Any]:
    """A function turning the raw text of `spec` into its typed value, or a `Rejet`."""
    column = f"{kind}/{spec.source}"
    missing = (
        Rejet(column, "valeur_manquante", f"{spec.label} : absent ou vide", None)
        if spec.required
        else None
    )
    if spec.type == "integer":
        limit = spec.max

        def integer(raw: str | None) -> Any:
            if raw is None:
                return missing
            if not _INTEGER.fullmatch(raw):
                return Rejet(
                    column, "nombre_invalide", f"{spec.label} : nombre entier attendu", raw[:200]
                )
            number = int(raw)
            if limit is not None and number > limit:
                return Rejet(
                    column,
                    "valeur_hors_plage",
                    f"{spec.label} : {number} dépasse le maximum plausible ({limit})",
                    raw,
                )
            return number

        return integer
    if spec.type == "date":
        unknown, low, high = profile.unknown_date, profile.date_min, profile.date_max
        invalid = f"{spec.label} : date AAAAMMJJ attendue ({unknown} si inconnue)"
        out_of_range = f"{spec.label} : date hors de la plage plausible ({low.year}–{high.year})"

        def date(raw: str | None) -> Any:
            if raw is None:
                return missing
            if raw == unknown:
                return None
            try:
                if not _DATE.fullmatch(raw):
                    raise ValueError(raw)
                day = dt.date(int(raw[:4]), int(raw[4:6]), int(raw[6:]))
            except ValueError:
                return Rejet(column, "date_invalide", invalid, raw[:200])
            if not low <= day <= high:
                return Rejet(column, "date_hors_plage", out_of_range, raw)
            return day

        return date
    if spec.type == "booleen":

        def booleen(raw: str | None) -> Any:
            if raw is None:
                return missing
            if raw not in ("0", "1"):
                return Rejet(column, "format_invalide", f"{spec.label} : 0 ou 1 attendu", raw[:200])
            return raw == "1"

        return booleen
    pattern = re.compile(spec.pattern) if spec.pattern else None
    check = CHECKS[spec.check] if spec.check else None

    def text(raw: str | None) -> Any:
        if raw is None:
            return missing
        if pattern is not None and not pattern.fullmatch(raw):
            return Rejet(
                column, "format_invalide", f"{spec.label} : {spec.expected} attendus", raw[:200]
            )
        if check is not None and not check(raw):
            return Rejet(
                column,
                f"{spec.check}_invalide",
                f"{spec.label} : la clé de contrôle ne correspond pas",
                raw,
            )
        return raw

    return text


class _Paths:
    """Tags and readers of an element's declared values, for one namespace."""

    def __init__(self, kind: str, profile: LheoProfile, namespace: str) -> None:
        spec: ElementSpec = getattr(profile, kind)
        prefix = f"{{{namespace}}}" if namespace else ""
        self.tag = prefix + spec.tag
        self.fields = [
            (name, _reader(f.source, namespace), _converter(kind, f, profile), f.rejects)
            for name, f in spec.fields.items()
        ]
        self.placeholders = frozenset(profile.placeholders)
        self.placeholder = {
            name: Rejet(
                f"{kind}/{f.source}",
                "format_invalide",
                f"{f.label} : texte de remplacement au lieu d'une valeur, compté comme absent",
                None,
            )
            for name, f in spec.fields.items()
        }
        self.ordered = [
            (
                name,
                f.not_before,
                f.rejects,
                Rejet(
                    f"{kind}/{f.source}",
                    "date_incoherente",
                    f"{f.label} : antérieure à « {spec.fields[f.not_before].label} »",
                    None,
                ),
            )
            for name, f in spec.fields.items()
            if f.not_before
        ]
        fin = spec.financeurs
        self.financeur = prefix + fin.source if fin else ""
        self.code = _reader(fin.code, namespace) if fin else None
        self.places = _reader(fin.places, namespace) if fin else None


@dataclass
class _Action:
    line: int
    numero: str | None
    formation: str | None
    raw: dict[str, str | None]
    row: dict[str, Any]
    rejets: list[Rejet]
    anomalies: list[Rejet]
    places: list[dict[str, Any]]
    sessions: list[_Session]
    fingerprint: int


class _Session(NamedTuple):
    line: int
    raw: dict[str, str | None]
    typed: dict[str, Any]
    rejets: list[Rejet]
    anomalies: list[Rejet]


class _Values(NamedTuple):
    raw: dict[str, str | None]
    typed: dict[str, Any]
    rejets: list[Rejet]
    anomalies: list[Rejet]


class Extractor:
    """Turns complete elements into outcomes, remembering numbers already seen in the file."""

    def __init__(self, profile: LheoProfile, namespace: str) -> None:
        self.profile = profile
        self.paths = {
            kind: _Paths(kind, profile, namespace) for kind in ("formation", "action", "session")
        }
        self.known_financeurs = frozenset(financeurs())
        self.seen_formations: dict[str, tuple[int, int]] = {}
        self.written_formations: set[str] = set()
        self.seen_actions: dict[str, tuple[int, int]] = {}
        self.seen_sessions: dict[str, tuple[str | None, int, int]] = {}

    # --- values ------------------------------------------------------------------------------

    def _fields(self, kind: str, element: Any) -> _Values:
        paths = self.paths[kind]
        values = _Values({}, {}, [], [])
        raw, typed = values.raw, values.typed
        for name, read, convert, rejects in paths.fields:
            text = raw[name] = read(element)
            if text is not None and text in paths.placeholders:
                if not rejects:
                    values.anomalies.append(paths.placeholder[name]._replace(value=text))
                    typed[name] = None
                    continue
                text = None
            value = convert(text)
            if type(value) is Rejet:
                (values.rejets if rejects else values.anomalies).append(value)
                typed[name] = None
            else:
                typed[name] = value
        for name, other, rejects, rejet in paths.ordered:
            if typed[name] is not None and typed[other] is not None and typed[name] < typed[other]:
                (values.rejets if rejects else values.anomalies).append(
                    rejet._replace(value=raw[name])
                )
                if not rejects:
                    typed[name] = None
        return values

    def _geography(self, typed: dict[str, Any], anomalies: list[Rejet]) -> None:
        """Département and région of the place: from the commune, else from the postcode; an
        anomaly (never a rejection) when neither gives one."""
        geo = self.profile.action.geography
        if geo is None:
            return
        fields = self.profile.action.fields
        commune, code_postal = typed[geo.commune], typed[geo.code_postal]
        departement = None
        if commune is not None:
            # A code that is no known commune but the address's postcode is that postcode put
            # in the wrong element (intercarif feed); another unknown code may be a merged
            # commune, whose département its number designates.
            try:
                if commune == code_postal and not est_commune(commune):
                    raise KeyError(commune)
                departement = departement_of_commune(commune)
            except KeyError:
                typed[geo.commune] = None
                anomalies.append(
                    Rejet(
                        f"action/{fields[geo.commune].source}",
                        "commune_inconnue",
                        f"{fields[geo.commune].label} : aucune commune connue sous ce code"
                        + (
                            " (c'est le code postal de l'adresse)" if commune == code_postal else ""
                        ),
                        commune,
                    )
                )
        if departement is None and code_postal is not None:
            try:
                departement = departement_of_code_postal(code_postal)
            except KeyError:
                anomalies.append(
                    Rejet(
                        f"action/{fields[geo.code_postal].source}",
                        "code_postal_inconnu",
                        f"{fields[geo.code_postal].label} : aucun département connu pour ce code",
                        code_postal,
                    )
                )
        if departement is None:
            anomalies.append(
                Rejet(
                    f"action/{geo.source}",
                    "lieu_inconnu",
                    f"{geo.label} : ni code INSEE de commune ni code postal utilisable ; "
                    "l'action est gardée sans département ni région",
                    None,
                )
            )
        typed[geo.departement] = departement
        typed[geo.region] = departement_region(departement) if departement else None

    def _places(
        self, element: Any, numero: str | None, values: _Values
    ) -> tuple[list[dict[str, Any]], tuple[tuple[str | None, str | None], ...]]:
        """One row per financeur: an unusable code or number of places rejects the action."""
        fin = self.profile.action.financeurs
        assert fin is not None
        paths = self.paths["action"]
        assert paths.code is not None and paths.places is not None
        column = f"action/{fin.source}"
        totals: dict[int, int | None] = {}
        raw_pairs: list[tuple[str | None, str | None]] = []
        for child in element.iterchildren(paths.financeur):
            code_raw = paths.code(child)
            places_raw = paths.places(child)
            raw_pairs.append((code_raw, places_raw))
            if places_raw is not None and places_raw in paths.placeholders:
                values.anomalies.append(
                    Rejet(
                        f"{column}/{fin.places}",
                        "format_invalide",
                        f"{fin.places_label} : texte de remplacement au lieu d'un nombre, "
                        "compté comme non donné",
                        places_raw,
                    )
                )
                places_raw = None
            code = int(code_raw) if code_raw and _INTEGER.fullmatch(code_raw) else None
            if code is None or code not in self.known_financeurs:
                values.rejets.append(
                    Rejet(
                        f"{column}/{fin.code}",
                        "financeur_inconnu" if code_raw else "valeur_manquante",
                        f"{fin.code_label} : code LHEO de la table dict-financeurs attendu "
                        f"({', '.join(str(c) for c in sorted(self.known_financeurs))})",
                        code_raw[:200] if code_raw else None,
                    )
                )
                continue
            places = None
            if places_raw is not None:
                if not _INTEGER.fullmatch(places_raw) or int(places_raw) > fin.places_max:
                    values.rejets.append(
                        Rejet(
                            f"{column}/{fin.places}",
                            "nombre_invalide",
                            f"{fin.places_label} : nombre entier de 0 à {fin.places_max} attendu",
                            places_raw[:200],
                        )
                    )
                    continue
                places = int(places_raw)
            known = totals.get(code)
            totals[code] = places if known is None else known + (places or 0)
        rows = [
            {"action": numero, "financeur": code, "places": places}
            for code, places in totals.items()
        ]
        return rows, tuple(raw_pairs)

    # --- elements -----------------------------------------------------------------------------

    def action(self, element: Any, formation: str | None) -> _Action:
        """Read a complete `action` element (with its sessions) into memory."""
        values = self._fields("action", element)
        self._geography(values.typed, values.anomalies)
        places, raw_places = self._places(element, values.typed["numero"], values)
        sessions = []
        fingerprints = []
        for child in element.iterchildren(self.paths["session"].tag):
            s = self._fields("session", child)
            sessions.append(_Session(child.sourceline or 0, *s))
            fingerprints.append(hash(tuple(s.raw.values())))
        raw = values.raw
        fingerprint = hash((formation, tuple(raw.values()), raw_places, tuple(fingerprints)))
        return _Action(
            element.sourceline or 0,
            raw["numero"],
            formation,
            raw,
            values.typed,
            values.rejets,
            values.anomalies,
            places,
            sessions,
            fingerprint,
        )

    def formation(self, element: Any, actions: list[_Action]) -> Iterator[Outcome | FormationRow]:
        """Decide the fate of a complete formation's actions and sessions; yield their
        outcomes, then the formation's row when one of its actions was accepted."""
        line = element.sourceline or 0
        raw, typed, rejets, anomalies = self._fields("formation", element)
        numero = raw["numero"]
        fingerprint = hash(tuple(raw.values()))
        if numero is not None:
            first = self.seen_formations.setdefault(numero, (fingerprint, line))
            if first[0] != fingerprint:
                rejets.append(
                    Rejet(
                        "formation/@numero",
                        "numero_en_double",
                        f"Numéro de la formation : déjà décrite ligne {first[1]} avec d'autres "
                        "valeurs",
                        numero,
                    )
                )
        parent = [
            Rejet(
                r.column_name,
                r.reason,
                f"formation {numero or '?'} (ligne {line}) : {r.message}",
                r.value,
            )
            for r in rejets
        ]
        accepted = False
        for action in actions:
            for outcome in self._decide(action, parent, inherited=bool(anomalies)):
                accepted = accepted or (outcome.kind == "action" and outcome.status == "accepte")
                yield outcome
        if accepted and numero is not None and numero not in self.written_formations:
            self.written_formations.add(numero)
            stored = self.profile.formation.stored_fields()
            row = {name: typed[name] for name in stored} | {"line": line}
            yield FormationRow(row, anomalies)

    def orphan(self, action: _Action, where: str) -> Iterator[Outcome]:
        """Outcomes of an action found outside a formation of `offres`."""
        reason = Rejet(
            "action",
            "structure_invalide",
            f"action hors d'une formation de <offres> ({where})",
            None,
        )
        yield from self._decide(action, [reason])

    def orphan_session(self, line: int) -> Outcome:
        return Outcome(
            "session",
            line,
            "rejete",
            rejets=[Rejet("session", "structure_invalide", "session hors d'une action", None)],
        )

    def _decide(
        self, action: _Action, parent: list[Rejet], *, inherited: bool = False
    ) -> Iterator[Outcome]:
        status: Status
        rejets = list(action.rejets)
        first = self.seen_actions.get(action.numero) if action.numero else None
        if first is not None and first[0] == action.fingerprint:
            status = "doublon"
        else:
            if first is not None:
                rejets.append(
                    Rejet(
                        "action/@numero",
                        "numero_en_double",
                        f"Numéro de l'action : déjà décrite ligne {first[1]} avec d'autres valeurs",
                        action.numero,
                    )
                )
            elif action.numero is not None:
                self.seen_actions[action.numero] = (action.fingerprint, action.line)
            rejets = parent + rejets
            status = "rejete" if rejets else "accepte"
        spec = self.profile.action
        if status == "accepte":
            row = {name: action.row[name] for name in spec.stored_fields()}
            if spec.geography:
                row[spec.geography.departement] = action.row[spec.geography.departement]
                row[spec.geography.region] = action.row[spec.geography.region]
            row[spec.parent_column or "formation"] = action.formation
            row["line"] = action.line
            yield Outcome(
                "action",
                action.line,
                status,
                row,
                places=action.places,
                anomalies=action.anomalies,
                inherited=inherited,
            )
        else:
            yield Outcome(
                "action", action.line, status, rejets=rejets if status == "rejete" else []
            )
        yield from self._sessions(action, status, rejets[0].message if rejets else "")

    def _sessions(self, action: _Action, action_status: Status, why: str) -> Iterator[Outcome]:
        stored = self.profile.session.stored_fields()
        for line, raw, typed, rejets, anomalies in action.sessions:
            if action_status == "doublon":
                yield Outcome("session", line, "doublon")
                continue
            numero = raw["numero"]
            fingerprint = hash(tuple(raw.values()))
            own = list(rejets)
            first = self.seen_sessions.get(numero) if numero else None
            if first is not None:
                if first[0] == action.numero and first[1] == fingerprint:
                    yield Outcome("session", line, "doublon")
                    continue
                own.append(
                    Rejet(
                        "session/@numero",
                        "numero_en_double",
                        f"Numéro de la session : déjà décrite ligne {first[2]} avec d'autres "
                        "valeurs",
                        numero,
                    )
                )
            elif numero is not None:
                self.seen_sessions[numero] = (action.numero, fingerprint, line)
            if action_status == "rejete":
                own.append(
                    Rejet(
                        "session",
                        "action_rejetee",
                        f"action {action.numero or '?'} (ligne {action.line}) rejetée : {why}",
                        None,
                    )
                )
            if own:
                yield Outcome("session", line, "rejete", rejets=own)
            else:
                row = {name: typed[name] for name in stored} | {"line": line}
                row[self.profile.session.parent_column or "action"] = action.numero
                yield Outcome("session", line, "accepte", row, anomalies=anomalies)


class CatalogueReader:
    """Iterate over a catalogue's outcomes and formation rows; `encoding` is known at the end.

    Iterating raises `IngestError` if the XML is not well formed: nothing must then be written.
    """

    def __init__(self, path: Path, profile: LheoProfile, catalogue: Catalogue) -> None:
        self.path = path
        self.profile = profile
        self.extractor = Extractor(profile, catalogue.namespace)
        prefix = f"{{{catalogue.namespace}}}" if catalogue.namespace else ""
        self.tags = {
            kind: self.extractor.paths[kind].tag for kind in ("formation", "action", "session")
        }
        self.offres = prefix + "offres"
        self.kept = _kept_parents(profile, prefix)
        self.encoding = "UTF-8"

    def __iter__(self) -> Iterator[Outcome | FormationRow]:
        with open_xml(self.path, self.profile) as handle:
            etree.clear_error_log()
            events = etree.iterparse(handle, events=("end",), **_PARSER_OPTIONS)
            try:
                yield from self._walk(events)
            except etree.XMLSyntaxError as exc:
                raise _syntax_error(self.path.name, exc) from None
            if events.root is not None:
                self.encoding = str(events.root.getroottree().docinfo.encoding or "UTF-8")

    def _walk(self, events: Any) -> Iterator[Outcome | FormationRow]:
        extractor, tags, kept = self.extractor, self.tags, self.kept
        counted = frozenset(tags.values())
        pending: list[_Action] = []
        for _event, element in events:
            parent = element.getparent()
            parent_tag = parent.tag if parent is not None else None
            tag = element.tag
            if tag not in counted:
                # An element the reader never reads (contacts, descriptions, extensions, or a
                # read name in another place) is freed as soon as it ends.
                if parent is not None and parent_tag not in kept.get(tag, ()):
                    element.clear()
                    parent.remove(element)
                continue
            if tag == tags["session"]:
                if parent_tag != tags["action"]:
                    yield extractor.orphan_session(element.sourceline or 0)
                    _prune(element, parent)
                continue
            if element.tag == tags["action"]:
                in_formation = parent_tag == tags["formation"]
                action = extractor.action(element, parent.get("numero") if in_formation else None)
                if in_formation:
                    pending.append(action)
                    element.clear()
                else:
                    where = etree.QName(parent).localname if parent is not None else "racine"
                    yield from extractor.orphan(action, f"dans <{where}>")
                    _prune(element, parent)
                continue
            grandparent = parent.getparent() if parent is not None else None
            if (
                parent_tag == self.offres
                and grandparent is not None
                and (grandparent.getparent() is None)
            ):
                yield from extractor.formation(element, pending)
                _drop(element)
            else:
                for action in pending:
                    yield from extractor.orphan(action, "formation hors de <offres>")
                _prune(element, parent)
            pending.clear()


def _kept_parents(profile: LheoProfile, prefix: str) -> dict[str, frozenset[str]]:
    """For each element the reader reads (on the declared paths below a formation, an action, a
    session or a financeur, and `lheo/offres`), the parent elements it is read under."""
    parents: dict[str, set[str]] = {prefix + "offres": {prefix + "lheo"}}

    def chain(start: str, path: str) -> None:
        if path.startswith("@"):
            return
        above = prefix + start
        for part in path.split("/"):
            parents.setdefault(prefix + part, set()).add(above)
            above = prefix + part

    for kind in ("formation", "action", "session"):
        spec: ElementSpec = getattr(profile, kind)
        for field_spec in spec.fields.values():
            chain(spec.tag, field_spec.source)
        if spec.financeurs is not None:
            chain(spec.tag, spec.financeurs.source)
            last = spec.financeurs.source.split("/")[-1]
            chain(last, spec.financeurs.code)
            chain(last, spec.financeurs.places)
    return {tag: frozenset(above) for tag, above in parents.items()}


def _prune(element: Any, parent: Any) -> None:
    """Free an element already accounted for, and its place in its parent."""
    element.clear()
    if parent is not None:
        parent.remove(element)


def _drop(element: Any) -> None:
    """Free a processed formation and the already-processed siblings before it."""
    element.clear()
    parent = element.getparent()
    while element.getprevious() is not None:
        del parent[0]
