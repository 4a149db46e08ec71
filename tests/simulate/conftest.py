"""Simulated data sets shared by the simulator's tests (built once per test session), and a
small independent reader of the trainee exports that rebuilds entries from the files alone."""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from jalon.simulate import (
    LAYOUTS,
    REGION_STAGIAIRES_COLUMNS,
    REGION_STAGIAIRES_LOCAL_COLUMNS,
    Manifest,
    simulate,
)

SCALE = 0.02
SEED = 2016
COUNTED = frozenset({2, 3, 4, 7, 11, 12, 13, 14, 15, 16, 17})


@pytest.fixture(scope="session")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> Manifest:
    return simulate(tmp_path_factory.mktemp("sim-a"), scale=SCALE, seed=SEED)


@pytest.fixture(scope="session")
def manifest_again(tmp_path_factory: pytest.TempPathFactory) -> Manifest:
    return simulate(tmp_path_factory.mktemp("sim-b"), scale=SCALE, seed=SEED)


@pytest.fixture(scope="session")
def manifest_other_seed(tmp_path_factory: pytest.TempPathFactory) -> Manifest:
    return simulate(tmp_path_factory.mktemp("sim-c"), scale=SCALE, seed=SEED + 1)


@dataclass
class Entry:
    person: str
    region: str
    start: dt.date
    end: dt.date | None
    hours: int | None
    certifying: bool
    financeurs: set[int] = field(default_factory=set)


@dataclass
class Files:
    """What the trainee exports of a data set say, read without Jalon's importer."""

    entries: dict[tuple[str, str], Entry]
    lines_read: int = 0
    malformed: int = 0
    duplicates: int = 0
    emails: set[str] = field(default_factory=set)


@functools.cache
def _date(text: str, fmt: str) -> dt.date | None:
    try:
        return dt.datetime.strptime(text, fmt).date()
    except ValueError:
        return None


def _pe_rows(path: Path, layout: str) -> Iterator[dict[str, str] | None]:
    columns = LAYOUTS[layout]
    with path.open(encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("|")
        assert header == list(columns), path
        for line in f:
            values = line.rstrip("\n").split("|")
            yield dict(zip(columns, values, strict=True)) if len(values) == len(columns) else None


def read_files(manifest: Manifest) -> Files:
    """Entries (one per person and session key) of every valid line of the trainee exports,
    skipping files replaced by a correction; financeurs of duplicates are merged."""
    out = Files(entries={})
    superseded = manifest.superseded()

    def add(key: tuple[str, str], entry: Entry) -> None:
        if key in out.entries:
            out.entries[key].financeurs |= entry.financeurs
            out.duplicates += 1
        else:
            out.entries[key] = entry

    for item in manifest.files:
        if item.path in superseded:
            continue
        if item.profile == "pe-stagiaires":
            assert item.layout is not None
            columns = LAYOUTS[item.layout]
            start_col = next(c for c in columns if c.startswith("dd_datedebut"))
            end_col = next(c for c in columns if c.startswith("dd_datefin"))
            fmt = "%Y-%m-%d %H:%M:%S.%f"
            for row in _pe_rows(item.path, item.layout):
                out.lines_read += 1
                start = _date(row[start_col], fmt) if row else None
                end = _date(row[end_col], fmt) if row else None
                if row is None or start is None or end is None:
                    out.malformed += 1
                    continue
                out.emails.add(row["c_adresseemail"])
                session = row["dc_numeroicsession"]
                if session == "NULL":
                    session = f"{row['dc_siret']}/{row['dc_formacode_ppal_id']}/{start}"
                hours = None
                if "dn_nombreheurescentre" in columns:
                    hours = int(row["dn_nombreheurescentre"]) + int(row["dn_dureeentreprise"])
                fin = {int(c) for c in row["liste_financeur"].split(";")}
                add(
                    (row["dn_individu_national"], session),
                    Entry(
                        row["dn_individu_national"],
                        item.region,
                        start,
                        end,
                        hours,
                        row["dn_certifinfo_1_id"] != "NULL",
                        fin,
                    ),
                )
        elif item.profile == "region-stagiaires":
            text = item.path.read_bytes().decode(item.encoding)
            reader = csv.reader(io.StringIO(text), delimiter=";")
            local = item.layout == "local"
            names = REGION_STAGIAIRES_LOCAL_COLUMNS if local else REGION_STAGIAIRES_COLUMNS
            assert next(reader) == list(names)
            for values in reader:
                out.lines_read += 1
                if len(values) != len(names):
                    out.malformed += 1
                    continue
                row = dict(zip(names, values, strict=True))
                start = _date(row["Date Entree"], "%d/%m/%Y")
                end = _date(row["Date Sortie Prevue"], "%d/%m/%Y")
                if start is None or end is None:
                    out.malformed += 1
                    continue
                if row["Courriel"]:
                    out.emails.add(row["Courriel"])
                fallback = f"{row['SIRET Organisme']}/{row['Formacode']}/{start}"
                if local:
                    # No national id: the person is the trainee of this region's base.
                    person = f"{item.region}/{row['Identifiant Stagiaire']}"
                    session, hours, certifying = fallback, None, False
                else:
                    person = row["Identifiant national"]
                    session = row["N° Session Carif"] or fallback
                    hours = int(row["Heures Centre"]) + int(row["Heures Entreprise"])
                    certifying = bool(row["Code Certifinfo"])
                add(
                    (person, session),
                    Entry(person, item.region, start, end, hours, certifying, {2}),
                )
    return out


@pytest.fixture(scope="session")
def files(manifest: Manifest) -> Files:
    return read_files(manifest)
