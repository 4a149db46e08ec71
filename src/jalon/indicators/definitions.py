"""Indicator definitions as Ibis expressions over the canonical `entrees` table.

Written once and run on any Ibis backend (DuckDB, the embedded default; Spark for a national
deployment). Each function takes the `entrees` table expression and returns an expression; none
reads the database itself.
"""

from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.types as ir

from jalon.plan import Plan


def in_plan(entrees: ir.Table, plan: Plan) -> ir.BooleanValue:
    """Entries with at least one financeur counted by the plan."""
    counted = list(plan.rules.counted_financeurs)
    return entrees.financeurs.filter(lambda code: code.isin(counted)).length() > 0


def in_window(entrees: ir.Table, start: dt.date, end: dt.date) -> ir.BooleanValue:
    return entrees.date_entree.between(ibis.date(start), ibis.date(end))


def scoped(entrees: ir.Table, plan: Plan, region: str | None) -> ir.Table:
    """Entries counted by the plan, for one region (code INSEE) or the nation (`None`)."""
    table = entrees.filter(in_plan(entrees, plan))
    return table if region is None else table.filter(table.region == region)


def count_entries(
    entrees: ir.Table, plan: Plan, region: str | None, start: dt.date, end: dt.date
) -> ir.IntegerScalar:
    table = scoped(entrees, plan, region)
    return table.filter(in_window(table, start, end)).count()
