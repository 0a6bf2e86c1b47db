"""The daily plan check: overdue reviews flagged to the lead, overdue actions to their owner.

A recurring outbox job (`plans.daily_check`) runs once a day. A review whose date has passed
on an open plan is flagged once to the client's lead professional (`review_overdue_flagged_on`);
recording the next review clears it. An action past its due date and not finished is flagged
once to its named worker (or, with none, every worker of its organisation) and to the lead
(`overdue_flagged_on`); changing the action clears it. Each flag is a compare-and-set written
in one transaction with its notifications, so two workers running the check at once tell
people once. Messages carry a reference, never the client's name or the action's words.
`ensure_daily_check_job` starts the chain at app start and from the demo.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID

from hub import audit, notifications, outbox
from hub.audit import Actor
from hub.db import transaction
from hub.tables import Staff
from plans.care_team import current_lead
from plans.content import today
from plans.meeting_sweep import withdraw_departed
from plans.tables import Action, Plan
from plans.vocabulary import FINISHED_ACTIONS

DAILY_JOB = "plans.daily_check"
RUN_EVERY = timedelta(days=1)
# Any fixed number: serialises "is a check already queued?" across processes on PostgreSQL.


def reference(client_id: UUID) -> str:
    """The short client reference staff can say aloud (no personal data in it)."""
    return client_id.hex[:8].upper()


def plan_link(client_id: UUID) -> str:
    """The plan's page."""
    return f"/plans/{client_id}"


async def _flag_review(row: dict[str, Any], day: date) -> bool:
    lead = await current_lead(row["client"])
    if lead is None:
        return False  # no one to tell yet: flagged once a lead is chosen
    async with transaction():
        flagged = (
            await Plan.update({Plan.review_overdue_flagged_on: day})
            .where(
                (Plan.id == row["id"])
                & Plan.review_overdue_flagged_on.is_null()
                & (Plan.status == "open")
                & (Plan.next_review_on < day)
            )
            .returning(Plan.id)
        )
        if not flagged:
            return False
        await notifications.notify(
            [lead.staff_id],
            f"A plan review is overdue (ref {reference(row['client'])})",
            plan_link(row["client"]),
            "plan.review_overdue",
        )
        await audit.record(
            "plan.review_overdue", Actor.system(), subject_type="plan", subject_id=str(row["id"])
        )
    return True


async def _action_owners(row: dict[str, Any]) -> list[UUID]:
    if row["staff"] is not None:
        named = await Staff.exists().where(
            (Staff.id == row["staff"]) & (Staff.active == True)  # noqa: E712
        )
        if named:
            return [row["staff"]]
    return await notifications.active_staff_of(row["organisation"])


async def _flag_action(row: dict[str, Any], day: date) -> bool:
    owners = await _action_owners(row)
    lead = await current_lead(row["client"])
    told = owners + ([lead.staff_id] if lead is not None else [])
    async with transaction():
        flagged = (
            await Action.update({Action.overdue_flagged_on: day})
            .where(
                (Action.id == row["id"])
                & Action.overdue_flagged_on.is_null()
                & (Action.due_on < day)
                & Action.status.not_in(list(FINISHED_ACTIONS))
            )
            .returning(Action.id)
        )
        if not flagged:
            return False
        await notifications.notify(
            told,
            f"An action in a plan is overdue (ref {reference(row['client'])})",
            plan_link(row["client"]),
            "plan.action_overdue",
        )
        await audit.record(
            "plan.action_overdue",
            Actor.system(),
            subject_type="plan",
            subject_id=str(row["plan"]),
            detail={"action_id": str(row["id"])},
        )
    return True


async def run_daily_check() -> dict[str, int]:
    """Flag what became overdue since the last check; returns how many of each this call did."""
    day = today()
    reviews = await Plan.select(Plan.id, Plan.client).where(
        (Plan.status == "open")
        & Plan.next_review_on.is_not_null()
        & (Plan.next_review_on < day)
        & Plan.review_overdue_flagged_on.is_null()
    )
    actions = await Action.select(
        Action.id,
        Action.plan,
        Action.plan.client.as_alias("client"),
        Action.organisation,
        Action.staff,
    ).where(
        (Action.plan.status == "open")
        & Action.due_on.is_not_null()
        & (Action.due_on < day)
        & Action.status.not_in(list(FINISHED_ACTIONS))
        & Action.overdue_flagged_on.is_null()
    )
    counts = {"reviews": 0, "actions": 0}
    for row in reviews:
        counts["reviews"] += await _flag_review(row, day)
    for row in actions:
        counts["actions"] += await _flag_action(row, day)
    return counts


async def ensure_daily_check_job() -> bool:
    """Queue the daily check unless one is already waiting; True when this call queued it."""
    return await outbox.ensure_scheduled(DAILY_JOB)


async def seed_daily_check_job() -> list[tuple[str, str]]:
    """Demo seeder: make sure the daily check runs (no sign-ins to print)."""
    await ensure_daily_check_job()
    return []


async def daily_check_job(payload: dict[str, Any]) -> None:
    """Outbox handler: run the check, then queue tomorrow's (once, however many ran today)."""
    _ = payload
    await run_daily_check()
    await withdraw_departed()
    await outbox.ensure_scheduled(DAILY_JOB, after=RUN_EVERY)
