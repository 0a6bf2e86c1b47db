"""Who sees how much of a plan: the lead and consented organisations all of it, others only
their own actions, the client all of it; everyone else nothing (NotFound, audited).

Staff access is the sharing rule (consent.policy) for the plan category and the purpose of
sharing the plan, plus membership of the care team: an organisation whose referral closed is
no longer on the team and sees nothing.
"""

from __future__ import annotations

from uuid import UUID

import msgspec

from consent import policy
from consent.vocabulary import PLAN, PLAN_SHARING
from hub import audit
from hub.accounts import roles
from hub.accounts.schemas import Principal
from hub.errors import NotFound
from plans.care_team import current_lead, is_on_team

LEAD = "lead"
MEMBER = "member"
CLIENT = "client"


class PlanAccess(msgspec.Struct, frozen=True, kw_only=True):
    """How one reader stands towards one client's plan."""

    client_id: UUID
    role: str
    sees_all: bool
    organisation_id: UUID | None = None
    decision: policy.Decision | None = None

    @property
    def is_lead(self) -> bool:
        """The client's lead professional (with plan consent: they run the plan)."""
        return self.role == LEAD and self.sees_all

    @property
    def is_client(self) -> bool:
        """The client themselves."""
        return self.role == CLIENT


async def _refuse(principal: Principal, client_id: UUID) -> NotFound:
    await audit.record(
        "plan.refused", principal.actor, subject_type="client", subject_id=str(client_id)
    )
    return NotFound("No such plan")


async def plan_access(principal: Principal, client_id: UUID) -> PlanAccess:
    """The reader's access to the client's plan, or NotFound (audited) when they have none."""
    if principal.is_client:
        if principal.id != client_id:
            raise await _refuse(principal, client_id)
        return PlanAccess(client_id=client_id, role=CLIENT, sees_all=True)
    organisation = roles.staff_organisation(principal)
    if organisation is None:
        raise await _refuse(principal, client_id)
    decision = await policy.decide(principal, client_id, PLAN_SHARING)
    if decision is None or not decision.involved or not await is_on_team(client_id, organisation):
        raise await _refuse(principal, client_id)
    sees_all = PLAN in decision.consented
    lead = await current_lead(client_id)
    role = LEAD if lead is not None and lead.staff_id == principal.id else MEMBER
    return PlanAccess(
        client_id=client_id,
        role=role,
        sees_all=sees_all,
        organisation_id=organisation,
        decision=decision,
    )
