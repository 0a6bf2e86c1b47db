"""Plans in the retention schedule: a plan, its reviews and meetings, kept after it closes."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from hub.retention import RetentionRule, years_before
from hub.settings import get_settings
from plans.tables import Plan


async def clients_still_needed(now: datetime) -> set[UUID]:
    """Clients whose plan is open, or closed within the retention years."""
    cutoff = years_before(now, get_settings().retention_plan_years)
    rows = await Plan.select(Plan.client).where(
        Plan.closed_at.is_null() | (Plan.closed_at >= cutoff)
    )
    return {row["client"] for row in rows}


def rule() -> RetentionRule:
    """The schedule's line for plans."""
    years = get_settings().retention_plan_years
    return RetentionRule(
        "Closed plans, with reviews, ratings, meetings and attendance",
        f"{years} years after the plan closed; open plans are kept",
        "erased with the client",
        clients_still_needed,
    )
