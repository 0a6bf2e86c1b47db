"""A client's care team, derived rather than typed: who registered them, who accepted a referral.

Organisations on the team: the one that registered the client, each with an accepted,
in-progress or on-hold referral for them, and the lead professional's. Named workers: those
added by name (by themselves or a colleague of the same organisation), the worker who sent
each such referral and the one who accepted it.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any
from uuid import UUID

from consent import policy
from hub import audit, clock
from hub.accounts.schemas import Principal
from hub.db import transaction
from hub.errors import Invalid, NotFound
from hub.tables import Client, Organisation, Staff
from plans.meeting_notices import withdraw_invitations
from plans.schemas import CareTeam, LeadView, TeamOrganisation, TeamWorker
from plans.tables import CareTeamMember, LeadChoice
from referrals.lifecycle import ACCEPTED, IN_PROGRESS, ON_HOLD
from referrals.tables import Referral, ReferralEvent

WORKING = (ACCEPTED, IN_PROGRESS, ON_HOLD)


async def _working_referrals(client_id: UUID) -> list[dict[str, Any]]:
    return await Referral.select(
        Referral.id,
        Referral.service_name,
        Referral.sender_organisation,
        Referral.sender_staff,
        Referral.recipient_organisation,
    ).where((Referral.client == client_id) & Referral.status.is_in(list(WORKING)))


async def current_lead(client_id: UUID) -> LeadView | None:
    """The client's lead professional now, if they have chosen one."""
    history = await lead_history(client_id, current_only=True)
    return history[0] if history else None


async def lead_history(client_id: UUID, *, current_only: bool = False) -> list[LeadView]:
    """Every choice of lead the client made, newest first."""
    query = (
        LeadChoice.select(
            LeadChoice.id,
            LeadChoice.staff.as_alias("staff_id"),
            LeadChoice.staff.name.as_alias("name"),
            LeadChoice.organisation.as_alias("organisation_id"),
            LeadChoice.organisation.name.as_alias("organisation_name"),
            LeadChoice.chosen_at,
            LeadChoice.how,
            LeadChoice.how_note,
            LeadChoice.recorded_by_kind,
            LeadChoice.ended_at,
        )
        .where(LeadChoice.client == client_id)
        .order_by(LeadChoice.chosen_at, ascending=False)
    )
    if current_only:
        query = query.where(LeadChoice.ended_at.is_null())
    return [LeadView(**row) for row in await query]


_UNKNOWN: Any = object()


async def team_organisations(
    client_id: UUID, lead: LeadView | None = _UNKNOWN
) -> dict[UUID, list[str]]:
    """Organisation id -> why it is on the team, in plain words."""
    client = await Client.select(Client.registered_by).where(Client.id == client_id).first()
    if client is None:
        return {}
    why: dict[UUID, list[str]] = defaultdict(list)
    why[client["registered_by"]].append("registered them")
    for row in await _working_referrals(client_id):
        why[row["recipient_organisation"]].append(f"working on a referral ({row['service_name']})")
    if lead is _UNKNOWN:
        lead = await current_lead(client_id)
    if lead is not None:
        why[lead.organisation_id].append("lead professional")
    return dict(why)


async def is_on_team(client_id: UUID, organisation_id: UUID) -> bool:
    """Is the organisation on the client's care team now?"""
    return organisation_id in await team_organisations(client_id)


async def _names(organisation_ids: list[UUID]) -> dict[UUID, str]:
    rows = await Organisation.select(Organisation.id, Organisation.name).where(
        Organisation.id.is_in(organisation_ids)
    )
    return {row["id"]: row["name"] for row in rows}


async def _workers(
    client_id: UUID, organisations: dict[UUID, list[str]], lead: LeadView | None
) -> list[TeamWorker]:
    names = await _names(list(organisations))
    found: dict[UUID, TeamWorker] = {}
    members = await CareTeamMember.select(
        CareTeamMember.id,
        CareTeamMember.staff,
        CareTeamMember.staff.name.as_alias("name"),
        CareTeamMember.staff.organisation.as_alias("organisation_id"),
        CareTeamMember.staff.active.as_alias("active"),
    ).where((CareTeamMember.client == client_id) & CareTeamMember.removed_at.is_null())
    for row in members:
        if row["organisation_id"] in organisations and row["active"]:
            found[row["staff"]] = TeamWorker(
                staff_id=row["staff"],
                name=row["name"],
                organisation_id=row["organisation_id"],
                organisation_name=names.get(row["organisation_id"], ""),
                how="added by name",
                member_id=row["id"],
            )
    referrals = await _working_referrals(client_id)
    accepted = await ReferralEvent.select(ReferralEvent.staff).where(
        ReferralEvent.referral.is_in([r["id"] for r in referrals] or [client_id])
        & (ReferralEvent.to_status == ACCEPTED)
    )
    derived = [(r["sender_staff"], "sent a referral") for r in referrals]
    derived += [(row["staff"], "accepted a referral") for row in accepted if row["staff"]]
    if lead is not None:
        derived.append((lead.staff_id, "lead professional"))
    people = await Staff.select(Staff.id, Staff.name, Staff.organisation, Staff.active).where(
        Staff.id.is_in([staff for staff, _ in derived] or [client_id])
    )
    by_id = {row["id"]: row for row in people}
    for staff_id, how in derived:
        person = by_id.get(staff_id)
        if person is None or staff_id in found or not person["active"]:
            continue
        if person["organisation"] not in organisations:
            continue
        found[staff_id] = TeamWorker(
            staff_id=staff_id,
            name=person["name"],
            organisation_id=person["organisation"],
            organisation_name=names.get(person["organisation"], ""),
            how=how,
        )
    return sorted(found.values(), key=lambda w: (w.organisation_name, w.name))


async def care_team(client_id: UUID) -> CareTeam:
    """The client's care team now (no access check: callers check first)."""
    lead = await current_lead(client_id)
    organisations = await team_organisations(client_id, lead)
    names = await _names(list(organisations))
    return CareTeam(
        client_id=client_id,
        organisations=sorted(
            (
                TeamOrganisation(id=org, name=names.get(org, ""), why=why)
                for org, why in organisations.items()
            ),
            key=lambda o: o.name,
        ),
        workers=await _workers(client_id, organisations, lead),
        lead=lead,
    )


async def care_team_for(principal: Principal, client_id: UUID) -> CareTeam:
    """The care team, for the client themselves or a worker whose organisation is on it."""
    if principal.is_client:
        if principal.id != client_id:
            raise NotFound("No such client")
        return await care_team(client_id)
    await policy.check(principal, client_id)
    if principal.organisation_id is None or not await is_on_team(
        client_id, principal.organisation_id
    ):
        raise NotFound("No such client")
    return await care_team(client_id)


async def add_member(principal: Principal, client_id: UUID, staff_id: UUID) -> None:
    """A worker adds themselves or a colleague from their own organisation to the team."""
    await policy.check(principal, client_id)
    organisation = principal.organisation_id
    if organisation is None or not await is_on_team(client_id, organisation):
        raise NotFound("No such client")
    colleague = (
        await Staff.select(Staff.id)
        .where(
            (Staff.id == staff_id) & (Staff.organisation == organisation) & (Staff.active == True)  # noqa: E712
        )
        .first()
    )
    if colleague is None:
        msg = "Choose someone from your own organisation"
        raise Invalid(msg, {"staff_id": msg})
    async with transaction():
        if await CareTeamMember.exists().where(
            (CareTeamMember.client == client_id)
            & (CareTeamMember.staff == staff_id)
            & CareTeamMember.removed_at.is_null()
        ):
            return
        await CareTeamMember.insert(
            CareTeamMember(
                client=client_id,
                organisation=organisation,
                staff=staff_id,
                added_by=principal.id,
                added_at=clock.now(),
            )
        )
        await audit.record(
            "care_team.added",
            principal.actor,
            subject_type="client",
            subject_id=str(client_id),
            detail={"staff_id": str(staff_id)},
        )


async def remove_member(principal: Principal, client_id: UUID, member_id: UUID) -> None:
    """Take a named worker of one's own organisation off the team."""
    async with transaction():
        removed = (
            await CareTeamMember.update({CareTeamMember.removed_at: clock.now()})
            .where(
                (CareTeamMember.id == member_id)
                & (CareTeamMember.client == client_id)
                & (CareTeamMember.organisation == principal.organisation_id)
                & CareTeamMember.removed_at.is_null()
            )
            .returning(CareTeamMember.staff)
        )
        if not removed:
            raise NotFound("No such team member")
        await audit.record(
            "care_team.removed",
            principal.actor,
            subject_type="client",
            subject_id=str(client_id),
            detail={"staff_id": str(removed[0]["staff"])},
        )
        await withdraw_invitations(client_id, removed[0]["staff"], principal.actor)


async def _is_lead_organisation(client_id: UUID, organisation_id: UUID) -> bool:
    lead = await current_lead(client_id)
    return lead is not None and lead.organisation_id == organisation_id


# The lead professional's organisation looks after the client's portal account too.
policy.register_portal_steward(_is_lead_organisation)
