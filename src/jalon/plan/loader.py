"""Load a plan declaration (TOML) and turn validation failures into readable French errors.

Reads one file; the default plan ships inside the package (`jalon/plans/plan-500000.toml`).
"""

from __future__ import annotations

import hashlib
import tomllib
from importlib import resources
from pathlib import Path

from pydantic import ValidationError

from jalon.plan.model import Plan
from jalon.validation import toml_error, validation_lines

DEFAULT_PLAN = "plan-500000.toml"


class PlanError(ValueError):
    """A plan file that cannot be read or does not match the expected structure."""


def default_plan_path() -> Path:
    return Path(str(resources.files("jalon.plans").joinpath(DEFAULT_PLAN)))


def write_scaled_plan(target: Path, scale: float) -> Plan:
    """Write a copy of the default plan whose targets are at `scale` (for a simulated store of
    that size), and load it."""
    text = default_plan_path().read_text(encoding="utf-8")
    if "\nscale = 1.0\n" not in text:
        raise PlanError(f"{default_plan_path()} ne déclare pas « scale = 1.0 ».")
    scaled = text.replace("\nscale = 1.0\n", f"\nscale = {scale}\n", 1)
    header = f"# Copie du plan par défaut, objectifs à l'échelle {scale} (données simulées).\n"
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
