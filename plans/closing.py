"""Closing support: the lead records the closure meeting and an outcome for every agreed goal.

In one transaction the goals close with their outcomes and the plan closes; the worker who
first referred the client and the lead's organisation are told (a reference, no client data).
A closed plan stays readable to the client and the team; nothing in it can be changed.
"""

from __future__ import annotations

from collections.abc import Mapping
from uuid import UUID

import msgspec

from hub import audit, clock, notifications
from hub.accounts.schemas import Principal
from hub.db import transaction
from hub.errors import Forbidden, Invalid, NotFound
from plans.access import plan_access
from plans.care_team import current_lead
from plans.content import get_plan
from plans.reminders import plan_link, reference
from plans.reviews import open_plan
from plans.schemas import PlanView
from plans.tables import Goal, Plan
from plans.vocabulary import AGREED, CLOSED, GOAL_OUTCOMES, PROPOSED
from referrals.notify import link_to
from referrals.tables import Referral

MAX_NOTE = 10000
OUTCOME_PREFIX = "outcome-"


class CloseForm(msgspec.Struct, kw_only=True):
    """Form: the closure meeting note and goal id -> outcome code."""

    closure_note: str = ""
    outcomes: dict[str, str] = {}


def close_form_from(fields: Mapping[str, str]) -> CloseForm:
    """The close form from posted fields: `closure_note` and one `outcome-<goal id>` per goal."""
    return CloseForm(
        closure_note=str(fields.get("closure_note", "")),
        outcomes={
            key.removeprefix(OUTCOME_PREFIX): str(value)
            for key, value in fields.items()
            if key.startswith(OUTCOME_PREFIX)
        },
    )


def outcome_field(goal_id: UUID) -> str:
    """The form field for one goal's outcome."""
    return f"{OUTCOME_PREFIX}{goal_id}"


async def closure_start(principal: Principal, client_id: UUID) -> PlanView:
    """The plan as the close form shows it: the lead only, and only while it is open."""
    plan = await get_plan(principal, client_id)
    if plan.role != "lead" or not plan.sees_all:
        msg = "Only the client's lead professional can close their support"
        raise Forbidden(msg)
    if plan.status != "open":
        msg = "This plan is closed"
        raise Forbidden(msg)
    return plan


def _validate(form: CloseForm, goals: list[dict[str, object]]) -> tuple[str, dict[UUID, str]]:
    errors: dict[str, str] = {}
    outcomes: dict[UUID, str] = {}
    for goal in goals:
        goal_id = UUID(str(goal["id"]))
        code = form.outcomes.get(str(goal_id), "").strip()
        if code in GOAL_OUTCOMES:
            outcomes[goal_id] = code
        elif goal["status"] == AGREED or code:
            errors[outcome_field(goal_id)] = f"Choose an outcome for the goal “{goal['words']}”"
    note = form.closure_note.strip()  # after the goals, as the form asks
    if not note:
        errors["closure_note"] = "Write a note of the closure meeting"
    elif len(note) > MAX_NOTE:
        errors["closure_note"] = f"Keep the note to {MAX_NOTE} characters or fewer"
    if errors:
        raise Invalid(next(iter(errors.values())), errors)
    return note, outcomes


async def _original_referral(client_id: UUID) -> dict[str, object] | None:
    return await (
        Referral.select(Referral.id, Referral.service_name, Referral.sender_staff)
        .where((Referral.client == client_id) & (Referral.status != "draft"))
        .order_by(Referral.requested_at)
        .first()
    )


async def close_plan(principal: Principal, client_id: UUID, form: CloseForm) -> None:
    """Close the client's support: outcomes for every agreed goal, a closure note, people told."""
    access = await plan_access(principal, client_id)
    if not access.is_lead:
        msg = "Only the client's lead professional can close their support"
        raise Forbidden(msg)
    plan_id = await open_plan(client_id)
    lead = await current_lead(client_id)
    goals = await Goal.select(Goal.id, Goal.words, Goal.status).where(
        (Goal.plan == plan_id) & Goal.status.is_in([AGREED, PROPOSED])
    )
    note, outcomes = _validate(form, goals)
    now = clock.now()
    referral = await _original_referral(client_id)
    async with transaction():
        closed = (
            await Plan.update(
                {
                    Plan.status: "closed",
                    Plan.closed_at: now,
                    Plan.closure_note: note,
                    Plan.next_review_on: None,
                    Plan.updated_at: now,
                }
            )
            .where((Plan.id == plan_id) & (Plan.status == "open"))
            .returning(Plan.id)
        )
        if not closed:
            raise NotFound("No open plan")
        for goal in goals:
            await Goal.update(
                {Goal.status: CLOSED, Goal.outcome: outcomes.get(UUID(str(goal["id"])), "")}
            ).where(Goal.id == goal["id"])
        await audit.record(
            "plan.closed",
            principal.actor,
            subject_type="plan",
            subject_id=str(plan_id),
            detail={"outcomes": {str(k): v for k, v in outcomes.items()}},
        )
        ref = reference(client_id)
        referrer = UUID(str(referral["sender_staff"])) if referral is not None else None
        if referral is not None and referrer is not None:
            await notifications.notify(
                [referrer],
                f"Support has closed for the client you referred to {referral['service_name']} "
                f"(ref {str(referral['id'])[:8]})",
                link_to(str(referral["id"])),
                "plan.closed",
                skip=principal.id,
            )
        if lead is not None:
            colleagues = await notifications.active_staff_of(lead.organisation_id)
            await notifications.notify(
                [staff for staff in colleagues if staff != referrer],
                f"A plan your organisation led was closed (ref {ref})",
                plan_link(client_id),
                "plan.closed",
                skip=principal.id,
            )
