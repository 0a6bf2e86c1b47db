"""The whole report for one scope and period, section by section."""

from __future__ import annotations

from datetime import date

from reports.feedback import feedback_section
from reports.periods import Period
from reports.plan_figures import plans_sections
from reports.referrals import referrals_section
from reports.schemas import Report, Scope
from reports.signposting import signposting_section
from reports.visits import visits_section


async def build_report(scope: Scope, period: Period, today: date) -> Report:
    """Visits, signposting, referrals, plans, goals and feedback: aggregates only."""
    sections = [
        await visits_section(scope, period),
        await signposting_section(scope, period),
        await referrals_section(scope, period),
        *await plans_sections(scope, period, today),
        await feedback_section(scope, period),
    ]
    return Report(scope=scope, period_label=period.label, sections=sections)
