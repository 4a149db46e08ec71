"""Load a plan declaration (TOML) and turn validation failures into readable French errors.

Reads one file; the plans Jalon ships are in the package `jalon.plans` (the default one is
named there, `jalon.plans.DEFAULT`).
"""

from __future__ import annotations

import hashlib
import tomllib
from importlib import resources
from pathlib import Path

from pydantic import ValidationError

from jalon.plan.model import Plan
from jalon.plans import DEFAULT as DEFAULT_PLAN
from jalon.validation import toml_error, validation_lines


class PlanError(ValueError):
    """A plan file that cannot be read or does not match the expected structure."""


def default_plan_path() -> Path:
    return shipped_plan_path(DEFAULT_PLAN)


def shipped_plan_path(name: str) -> Path:
    """A plan file shipped in `jalon.plans` (`name` with its `.toml`)."""
    return Path(str(resources.files("jalon.plans").joinpath(name)))


def write_scaled_plan(target: Path, scale: float, source: Path | None = None) -> Plan:
    """Write a copy of a plan (the default one unless `source`) whose targets are at `scale`
    (for a simulated store of that size), and load it."""
    source = source or default_plan_path()
    text = source.read_text(encoding="utf-8")
    if "\nscale = 1.0\n" not in text:
        raise PlanError(f"{source} ne déclare pas « scale = 1.0 ».")
    scaled = text.replace("\nscale = 1.0\n", f"\nscale = {scale}\n", 1)
    header = f"# Copie du plan {source.name}, objectifs à l'échelle {scale} (données simulées).\n"
    target.write_text(header + scaled, encoding="utf-8")
    return load_plan(target)


def load_plan(path: Path | None = None) -> Plan:
    """Read and validate a plan file; `PlanError` names each wrong key and what is expected."""
    path = path or default_plan_path()
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise PlanError(f"Fichier de plan illisible : {path} ({exc.strerror})") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise PlanError(f"{path} : le fichier de plan doit être encodé en UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise PlanError(f"{path} : TOML invalide, {toml_error(exc)}") from None
    try:
        plan = Plan.model_validate(data)
    except ValidationError as exc:
        raise PlanError(f"{path} : déclaration de plan invalide\n{validation_lines(exc)}") from None
    return plan.scaled_targets().model_copy(update={"sha256": hashlib.sha256(raw).hexdigest()})
