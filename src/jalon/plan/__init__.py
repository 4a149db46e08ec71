"""The declared plan: phases, counting rules and regional conventions, loaded from TOML."""

from jalon.plan.loader import PlanError, default_plan_path, load_plan, write_scaled_plan
from jalon.plan.model import Convention, Phase, Plan, Ranking, Rules, Target
from jalon.plan.scales import Scale

__all__ = [
    "Convention",
    "Phase",
    "Plan",
    "PlanError",
    "Ranking",
    "Rules",
    "Scale",
    "Target",
    "default_plan_path",
    "load_plan",
    "write_scaled_plan",
]
