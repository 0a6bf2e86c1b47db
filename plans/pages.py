"""What the plan pages show, gathered for one reader: the plan, the team, the forms' choices.

Every read of the client's data goes through plans.content and plans.care_team (the sharing
rule and the care team); this module only adds what the forms offer to choose from.
"""

from __future__ import annotations

from uuid import UUID

import msgspec

from consent import record
from hub.accounts.schemas import Principal
from hub.tables import Staff
from plans import connections, content, progress
from plans.access import plan_access
from plans.care_team import care_team_for, lead_history
from plans.connections import Connections
from plans.connections_map import connections_svg
from plans.lead import plan_consent_needed
from plans.meeting_views import MeetingLine, meetings_of
from plans.meetings import may_arrange_any
from plans.progress import Progress
from plans.schemas import CareTeam, LeadView, PlanView, TeamWorker


class Choice(msgspec.Struct, frozen=True, kw_only=True):
    """One option in a select or a set of radios."""

    value: str
    text: str


class PlanPage(msgspec.Struct, frozen=True, kw_only=True):
    """The plan as one reader sees it, with what its forms offer."""

    plan: PlanView
    team: CareTeam
    client_name: str
    """The plan's own view of the name, or the record's where the policy shows it there."""
    action_organisations: list[Choice]
    action_workers: list[TeamWorker]
    progress: Progress | None = None
    connections: Connections | None = None
    connections_map: str = ""
    """The connections map's SVG (plans.connections_map), when the reader may see them."""
    may_arrange_meeting: bool = False


class TeamPage(msgspec.Struct, frozen=True, kw_only=True):
    """The care team, the lead professional's history and what its forms offer."""

    team: CareTeam
    client_name: str
    history: list[LeadView]
    colleagues: list[Choice]
    lead_needs_plan_consent: bool


async def _progress(plan: PlanView) -> Progress | None:
    """The progress chart's data, for readers who see the whole plan (the client included)."""
    if not plan.sees_all:
        return None
    return await progress.progress(plan.client_id, client_view=plan.role == "client")


async def plan_page(principal: Principal, client_id: UUID) -> PlanPage:
    """The staff plan page: NotFound (audited) for anyone the plan is not shared with."""
    plan = await content.get_plan(principal, client_id)
    team = await care_team_for(principal, client_id)
    if plan.role == "lead" and plan.sees_all:
        organisations = [Choice(value=str(o.id), text=o.name) for o in team.organisations]
        workers = team.workers
    elif plan.sees_all:
        own = principal.organisation_id
        organisations = [
            Choice(value=str(o.id), text=o.name) for o in team.organisations if o.id == own
        ]
        workers = [w for w in team.workers if w.organisation_id == own]
    else:
        organisations, workers = [], []
    found = await connections.connections_for(principal, client_id)
    name = plan.client_name
    if not name:
        _, identity = await record.identity_for(principal, client_id, context="plan")
        name = identity.full_name if identity else ""
    return PlanPage(
        plan=plan,
        team=team,
        client_name=name,
        action_organisations=organisations,
        action_workers=workers,
        progress=await _progress(plan),
        connections=found,
        connections_map=connections_svg(found.items, "Client") if found.visible else "",
        may_arrange_meeting=await may_arrange_any(await plan_access(principal, client_id)),
    )


async def _colleagues(principal: Principal, team: CareTeam) -> list[Choice]:
    """Active staff of the reader's own organisation not yet on the team."""
    on_team = {w.staff_id for w in team.workers}
    rows = (
        await Staff.select(Staff.id, Staff.name)
        .where((Staff.organisation == principal.organisation_id) & (Staff.active == True))  # noqa: E712
        .order_by(Staff.name)
    )
    return [
        Choice(value=str(row["id"]), text=row["name"]) for row in rows if row["id"] not in on_team
    ]


async def team_page(principal: Principal, client_id: UUID) -> TeamPage:
    """The care-team page for a worker whose organisation is on the team (else NotFound)."""
    team = await care_team_for(principal, client_id)
    _, identity = await record.identity_for(principal, client_id, context="care team")
    lead = team.lead
    return TeamPage(
        team=team,
        client_name=identity.full_name if identity else "",
        history=await lead_history(client_id),
        colleagues=await _colleagues(principal, team),
        lead_needs_plan_consent=bool(
            lead and await plan_consent_needed(client_id, lead.organisation_id)
        ),
    )


class PortalPlan(msgspec.Struct, frozen=True, kw_only=True):
    """The client's own plan, team and lead history."""

    plan: PlanView
    team: CareTeam
    history: list[LeadView]
    progress: Progress | None = None
    next_meetings: list[MeetingLine] = []
    """Meetings still to come that the client is invited to, soonest first."""


async def portal_plan(principal: Principal) -> PortalPlan:
    """The signed-in client's own plan (a client never names a client id)."""
    plan = await content.get_plan(principal, principal.id)
    return PortalPlan(
        plan=plan,
        team=await care_team_for(principal, principal.id),
        history=await lead_history(principal.id),
        progress=await _progress(plan),
        next_meetings=[
            m
            for m in reversed(await meetings_of(principal.id, for_client=True))
            if m.status == "arranged"
        ],
    )


async def lead_to_share_with(principal: Principal) -> LeadView | None:
    """The client's lead, when their organisation cannot see the plan yet (else None)."""
    team = await care_team_for(principal, principal.id)
    lead = team.lead
    if lead is None or not await plan_consent_needed(principal.id, lead.organisation_id):
        return None
    return lead
