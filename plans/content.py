"""The plan's content: strengths, goals in the client's words, actions owned by organisations.

Reading goes through plans.access (the sharing rule and the care team) and is logged for
staff; writing checks who may write what: the lead and the client shape the plan, a worker's
goal stays proposed until the client agrees, an organisation changes only its own actions.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any
from uuid import UUID

from consent import access_log
from consent.vocabulary import IDENTITY, PLAN, PLAN_SHARING, local_date
from hub import audit, clock
from hub.accounts.schemas import Principal
from hub.db import transaction
from hub.errors import Forbidden, Invalid, NotFound
from hub.tables import Client, Staff
from plans.access import PlanAccess, plan_access
from plans.care_team import current_lead, is_on_team
from plans.lead import ensure_plan
from plans.schemas import (
    ActionForm,
    ActionUpdate,
    ActionView,
    GoalForm,
    GoalView,
    PlanView,
    ProfileForm,
)
from plans.tables import Action, Goal, Plan
from plans.vocabulary import (
    ACTION_STATUSES,
    AGREED,
    FINISHED_ACTIONS,
    PRIORITIES,
    PROPOSED,
    REVIEW_DUE_SOON,
)

MAX_TEXT = 2000


def today() -> date:
    """Today in the UK."""
    return local_date(clock.now())


def _overdue(row: dict[str, Any]) -> bool:
    return (
        row["due_on"] is not None
        and row["due_on"] < today()
        and row["status"] not in FINISHED_ACTIONS
    )


async def _action_rows(plan_id: UUID) -> list[dict[str, Any]]:
    return await (
        Action.select(
            Action.id,
            Action.goal,
            Action.description,
            Action.organisation.as_alias("organisation_id"),
            Action.organisation.name.as_alias("organisation_name"),
            Action.staff.as_alias("staff_id"),
            Action.staff.name.as_alias("staff_name"),
            Action.due_on,
            Action.status,
        )
        .where(Action.plan == plan_id)
        .order_by(Action.due_on)
    )


def _action_view(row: dict[str, Any], access: PlanAccess) -> ActionView:
    own = access.organisation_id is not None and row["organisation_id"] == access.organisation_id
    return ActionView(
        id=row["id"],
        goal_id=row["goal"],
        description=row["description"],
        organisation_id=row["organisation_id"],
        organisation_name=row["organisation_name"] or "",
        staff_id=row["staff_id"],
        staff_name=row["staff_name"] or "",
        due_on=row["due_on"],
        status=row["status"],
        status_label=ACTION_STATUSES.get(row["status"], row["status"]),
        overdue=_overdue(row),
        own=own,
        may_edit=own or access.is_lead,
    )


async def _client_name(access: PlanAccess) -> str:
    if access.decision is not None and not access.decision.identity_visible:
        return ""
    row = await Client.select(Client.full_name).where(Client.id == access.client_id).first()
    return row["full_name"] if row else ""


async def get_plan(principal: Principal, client_id: UUID) -> PlanView:
    """The plan as this reader may see it (made empty the first time), logged for staff."""
    access = await plan_access(principal, client_id)
    plan_id = await ensure_plan(client_id)
    plan = await Plan.select().where(Plan.id == plan_id).first()
    assert plan is not None
    actions = [_action_view(row, access) for row in await _action_rows(plan_id)]
    goals: list[GoalView] = []
    if access.sees_all:
        by_goal: dict[UUID, list[ActionView]] = defaultdict(list)
        for action in actions:
            by_goal[action.goal_id].append(action)
        rows = (
            await Goal.select()
            .where(Goal.plan == plan_id)
            .order_by(Goal.priority)
            .order_by(Goal.created_at)
        )
        goals = [
            GoalView(
                id=row["id"],
                words=row["words"],
                success=row["success"],
                priority=row["priority"],
                status=row["status"],
                outcome=row["outcome"],
                proposed_by_kind=row["proposed_by_kind"],
                created_at=row["created_at"],
                actions=by_goal.get(row["id"], []),
            )
            for row in rows
        ]
    own_actions = [a for a in actions if a.own]
    name = await _client_name(access)
    if not access.is_client:
        shown = [PLAN] if access.sees_all or own_actions else []
        await access_log.record_reads(
            principal,
            {client_id: shown + ([IDENTITY] if name else [])},
            context="plan",
            purpose=PLAN_SHARING,
        )
    next_review = plan["next_review_on"]
    return PlanView(
        id=plan_id,
        client_id=client_id,
        client_name=name,
        role=access.role,
        sees_all=access.sees_all,
        status=plan["status"],
        strengths=plan["strengths"] if access.sees_all else "",
        obstacles=plan["obstacles"] if access.sees_all else "",
        next_review_on=next_review if access.sees_all else None,
        review_due_soon=bool(next_review and today() <= next_review <= today() + REVIEW_DUE_SOON),
        review_overdue=bool(next_review and next_review < today() and plan["status"] == "open"),
        lead=await current_lead(client_id),
        goals=goals,
        own_actions=own_actions,
        closed_at=plan["closed_at"],
        closure_note=plan["closure_note"] if access.sees_all else "",
    )


def _require_shaper(access: PlanAccess) -> None:
    """Only the lead professional and the client shape the plan."""
    if not (access.is_lead or access.is_client):
        msg = "Only the client and their lead professional can change this part of the plan"
        raise Forbidden(msg)


async def _open_plan(client_id: UUID) -> UUID:
    plan_id = await ensure_plan(client_id)
    plan = await Plan.select(Plan.status).where(Plan.id == plan_id).first()
    if plan is None or plan["status"] != "open":
        msg = "This plan is closed"
        raise Forbidden(msg)
    return plan_id


def _text(errors: dict[str, str], field: str, value: str, required: str = "") -> str:
    value = value.strip()
    if required and not value:
        errors[field] = required
    elif len(value) > MAX_TEXT:
        errors[field] = f"Keep this to {MAX_TEXT} characters or fewer"
    return value


async def update_profile(principal: Principal, client_id: UUID, form: ProfileForm) -> None:
    """Set the client's strengths and what gets in the way."""
    access = await plan_access(principal, client_id)
    _require_shaper(access)
    plan_id = await _open_plan(client_id)
    errors: dict[str, str] = {}
    strengths = _text(errors, "strengths", form.strengths)
    obstacles = _text(errors, "obstacles", form.obstacles)
    if errors:
        raise Invalid(next(iter(errors.values())), errors)
    async with transaction():
        await Plan.update(
            {Plan.strengths: strengths, Plan.obstacles: obstacles, Plan.updated_at: clock.now()}
        ).where(Plan.id == plan_id)
        await audit.record(
            "plan.profile", principal.actor, subject_type="plan", subject_id=str(plan_id)
        )


async def add_goal(principal: Principal, client_id: UUID, form: GoalForm) -> UUID:
    """A goal: agreed when the client adds it, proposed when a worker does."""
    access = await plan_access(principal, client_id)
    _require_shaper(access)
    plan_id = await _open_plan(client_id)
    errors: dict[str, str] = {}
    words = _text(errors, "words", form.words, "Enter the goal in the client's own words")
    success = _text(errors, "success", form.success)
    if form.priority not in PRIORITIES:
        errors["priority"] = "Choose a priority"
    if errors:
        raise Invalid(next(iter(errors.values())), errors)
    now = clock.now()
    goal = Goal(
        plan=plan_id,
        words=words,
        success=success,
        priority=form.priority,
        status=AGREED if access.is_client else PROPOSED,
        proposed_by_kind=principal.kind,
        organisation=access.organisation_id,
        created_at=now,
        agreed_at=now if access.is_client else None,
    )
    async with transaction():
        await Goal.insert(goal)
        await Plan.update({Plan.updated_at: now}).where(Plan.id == plan_id)
        await audit.record(
            "plan.goal_added", principal.actor, subject_type="plan", subject_id=str(plan_id)
        )
    return UUID(str(goal.id))


async def agree_goal(principal: Principal, client_id: UUID, goal_id: UUID) -> None:
    """The client agrees a proposed goal (in the portal, or the lead records it)."""
    access = await plan_access(principal, client_id)
    _require_shaper(access)
    plan_id = await _open_plan(client_id)
    async with transaction():
        agreed = await (
            Goal.update({Goal.status: AGREED, Goal.agreed_at: clock.now()})
            .where((Goal.id == goal_id) & (Goal.plan == plan_id) & (Goal.status == PROPOSED))
            .returning(Goal.id)
        )
        if not agreed:
            raise NotFound("No such proposed goal")
        await audit.record(
            "plan.goal_agreed", principal.actor, subject_type="plan", subject_id=str(plan_id)
        )


def _parse(value: str, field: str, message: str, *, optional: bool = False) -> UUID | None:
    if optional and not value.strip():
        return None
    try:
        return UUID(value.strip())
    except ValueError:
        raise Invalid(message, {field: message}) from None


async def add_action(principal: Principal, client_id: UUID, form: ActionForm) -> UUID:
    """An action towards a goal, owned by a care-team organisation.

    The lead may give an action to any organisation on the team; another member only to its
    own organisation, and only if it may see the goals.
    """
    access = await plan_access(principal, client_id)
    if not access.sees_all:
        msg = "Your organisation cannot see this client's goals, so it cannot add actions to them"
        raise Forbidden(msg)
    plan_id = await _open_plan(client_id)
    errors: dict[str, str] = {}
    goal_id = _parse(form.goal_id, "goal_id", "Choose the goal this action is for")
    organisation_id = _parse(form.organisation_id, "organisation_id", "Choose who will do it")
    staff_id = _parse(form.staff_id, "staff_id", "Choose a worker from the list", optional=True)
    description = _text(errors, "description", form.description, "Enter what will be done")
    if form.status not in ACTION_STATUSES:
        errors["status"] = "Choose a status"
    if not await Goal.exists().where((Goal.id == goal_id) & (Goal.plan == plan_id)):
        errors["goal_id"] = "Choose the goal this action is for"
    if organisation_id is not None and not await is_on_team(client_id, organisation_id):
        errors["organisation_id"] = "Choose an organisation on the client's care team"
    elif not access.is_lead and organisation_id != access.organisation_id:
        errors["organisation_id"] = "You can only add actions for your own organisation"
    if staff_id is not None and not await Staff.exists().where(
        (Staff.id == staff_id) & (Staff.organisation == organisation_id)
    ):
        errors["staff_id"] = "Choose a worker from that organisation"
    if errors:
        raise Invalid(next(iter(errors.values())), errors)
    now = clock.now()
    action = Action(
        plan=plan_id,
        goal=goal_id,
        description=description,
        organisation=organisation_id,
        staff=staff_id,
        due_on=form.due_on,
        status=form.status,
        created_at=now,
        updated_at=now,
    )
    async with transaction():
        await Action.insert(action)
        await audit.record(
            "plan.action_added", principal.actor, subject_type="plan", subject_id=str(plan_id)
        )
    return UUID(str(action.id))


async def update_action(
    principal: Principal, client_id: UUID, action_id: UUID, form: ActionUpdate
) -> None:
    """Change an action's status or due date: its own organisation, or the lead."""
    access = await plan_access(principal, client_id)
    plan_id = await _open_plan(client_id)
    row = (
        await Action.select(Action.organisation)
        .where((Action.id == action_id) & (Action.plan == plan_id))
        .first()
    )
    if row is None:
        raise NotFound("No such action")
    own = row["organisation"] == access.organisation_id
    if not (own or access.is_lead):
        if not access.sees_all:
            raise NotFound("No such action")
        msg = "Only the organisation that owns this action (or the lead professional) can change it"
        raise Forbidden(msg)
    if form.status not in ACTION_STATUSES:
        raise Invalid("Choose a status", {"status": "Choose a status"})
    async with transaction():
        await Action.update(
            {
                Action.status: form.status,
                Action.due_on: form.due_on,
                Action.updated_at: clock.now(),
                Action.overdue_flagged_on: None,
            }
        ).where(Action.id == action_id)
        await audit.record(
            "plan.action_updated",
            principal.actor,
            subject_type="plan",
            subject_id=str(plan_id),
            detail={"action_id": str(action_id), "status": form.status},
        )
