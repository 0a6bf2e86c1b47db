"""Structs in and out of the plan services."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

import msgspec


class TeamOrganisation(msgspec.Struct, frozen=True, kw_only=True):
    """An organisation on the care team, and why it is there."""

    id: UUID
    name: str
    why: list[str]


class TeamWorker(msgspec.Struct, frozen=True, kw_only=True):
    """A named worker on the care team."""

    staff_id: UUID
    name: str
    organisation_id: UUID
    organisation_name: str
    how: str
    member_id: UUID | None = None
    """The CareTeamMember row when the worker was added by name (so it can be removed)."""


class LeadView(msgspec.Struct, frozen=True, kw_only=True):
    """One choice of lead professional."""

    id: UUID
    staff_id: UUID
    name: str
    organisation_id: UUID
    organisation_name: str
    chosen_at: datetime
    how: str
    how_note: str
    recorded_by_kind: str
    ended_at: datetime | None


class CareTeam(msgspec.Struct, frozen=True, kw_only=True):
    """Who works with the client: organisations (derived), named workers, the lead."""

    client_id: UUID
    organisations: list[TeamOrganisation]
    workers: list[TeamWorker]
    lead: LeadView | None


class LeadChoiceForm(msgspec.Struct, kw_only=True):
    """Form: the client's choice of lead professional (how, when a worker records it)."""

    staff_id: str = ""
    how: str = "portal"
    how_note: str = ""


class ChoiceOutcome(msgspec.Struct, frozen=True, kw_only=True):
    """What choosing a lead did, and whether the client still needs to share the plan."""

    choice_id: UUID
    organisation_id: UUID
    organisation_name: str
    needs_plan_consent: bool


class GoalForm(msgspec.Struct, kw_only=True):
    """Form: a goal in the client's words."""

    words: str = ""
    success: str = ""
    priority: int = 2


class ActionForm(msgspec.Struct, kw_only=True):
    """Form: an action towards a goal, owned by one organisation."""

    goal_id: str = ""
    description: str = ""
    organisation_id: str = ""
    staff_id: str = ""
    due_on: date | None = None
    status: str = "not_started"


class ActionUpdate(msgspec.Struct, kw_only=True):
    """Form: an action's status and due date."""

    status: str = ""
    due_on: date | None = None


class ProfileForm(msgspec.Struct, kw_only=True):
    """Form: the client's strengths and what gets in the way."""

    strengths: str = ""
    obstacles: str = ""


class ActionView(msgspec.Struct, frozen=True, kw_only=True):
    """An action as the reader may see it."""

    id: UUID
    goal_id: UUID
    description: str
    organisation_id: UUID
    organisation_name: str
    staff_id: UUID | None
    staff_name: str
    due_on: date | None
    status: str
    status_label: str
    overdue: bool
    own: bool
    may_edit: bool


class GoalView(msgspec.Struct, frozen=True, kw_only=True):
    """A goal with its actions (only those the reader may see)."""

    id: UUID
    words: str
    success: str
    priority: int
    status: str
    outcome: str
    proposed_by_kind: str
    created_at: datetime
    actions: list[ActionView]


class PlanView(msgspec.Struct, frozen=True, kw_only=True):
    """The plan as one reader sees it.

    `sees_all` is False for a care-team organisation whose consent does not cover the plan:
    then goals, strengths and reviews are empty and `own_actions` holds only its own actions.
    """

    id: UUID
    client_id: UUID
    client_name: str
    role: str  # lead | member | client
    sees_all: bool
    status: str
    strengths: str
    obstacles: str
    next_review_on: date | None
    review_due_soon: bool
    review_overdue: bool
    lead: LeadView | None
    goals: list[GoalView]
    own_actions: list[ActionView]
    closed_at: datetime | None = None
    closure_note: str = ""
