"""The client's lead professional: chosen by the client from their care team, changeable.

Every choice is kept with its date and how it was made. The lead's organisation is involved
with the client (`care_team`) for as long as the choice stands, and choosing asks for the
client's consent to that organisation seeing the plan when they have not given it.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from consent import access_log, policy
from consent.involvement import end_involvement, start_involvement
from consent.vocabulary import IDENTITY, PLAN, PLAN_SHARING
from hub import audit, clock, notifications
from hub.accounts.schemas import Principal
from hub.db import transaction
from hub.errors import Invalid, NotFound
from hub.tables import Client, Organisation
from plans.care_team import care_team, current_lead
from plans.schemas import ChoiceOutcome, LeadChoiceForm
from plans.tables import LeadChoice, Plan
from plans.vocabulary import CHOICE_WAYS

CARE_TEAM = "care_team"


async def _chooser(principal: Principal, client_id: UUID, form: LeadChoiceForm) -> str:
    """How the choice was made, after checking who may record it."""
    if principal.is_client:
        if principal.id != client_id:
            raise NotFound("No such client")
        return "portal"
    await policy.check(principal, client_id, act=True)
    if form.how not in CHOICE_WAYS or form.how == "portal":
        msg = "Say how the client told you their choice"
        raise Invalid(msg, {"how": msg})
    if form.how == "other" and not form.how_note.strip():
        msg = "Say how the client made their choice"
        raise Invalid(msg, {"how_note": msg})
    return form.how


async def plan_consent_needed(client_id: UUID, organisation_id: UUID) -> bool:
    """Does the client still need to agree that this organisation may see their plan?"""
    cover = await policy.coverage(client_id, organisation_id, PLAN_SHARING)
    return PLAN not in cover.categories


async def ensure_plan(client_id: UUID) -> UUID:
    """The client's plan, made empty the first time it is needed."""
    async with transaction():
        row = await Plan.select(Plan.id).where(Plan.client == client_id).first()
        if row is not None:
            return UUID(str(row["id"]))
        now = clock.now()
        plan = Plan(client=client_id, status="open", created_at=now, updated_at=now)
        await Plan.insert(plan)
        return UUID(str(plan.id))


async def choose_lead(principal: Principal, client_id: UUID, form: LeadChoiceForm) -> ChoiceOutcome:
    """Record the client's choice of lead professional (from their care team)."""
    how = await _chooser(principal, client_id, form)
    try:
        staff_id = UUID(form.staff_id)
    except ValueError:
        staff_id = None
    team = await care_team(client_id)
    chosen = next((w for w in team.workers if w.staff_id == staff_id), None)
    if chosen is None:
        msg = "Choose your lead professional from the people helping you"
        raise Invalid(msg, {"staff_id": msg})
    previous = team.lead
    if previous is not None and previous.staff_id == chosen.staff_id:
        msg = f"{chosen.name} is already the lead professional"
        raise Invalid(msg, {"staff_id": msg})
    now = clock.now()
    choice = LeadChoice(
        client=client_id,
        staff=chosen.staff_id,
        organisation=chosen.organisation_id,
        chosen_at=now,
        how=how,
        how_note=form.how_note.strip(),
        recorded_by_kind=principal.kind,
        recorded_by_id=principal.id,
    )
    async with transaction():
        if previous is not None:
            await LeadChoice.update({LeadChoice.ended_at: now}).where(
                (LeadChoice.client == client_id) & LeadChoice.ended_at.is_null()
            )
            if previous.organisation_id != chosen.organisation_id:
                await end_involvement(client_id, previous.organisation_id, CARE_TEAM, principal)
        await LeadChoice.insert(choice)
        await start_involvement(client_id, chosen.organisation_id, CARE_TEAM, principal)
        await ensure_plan(client_id)
        await audit.record(
            "lead.chosen",
            principal.actor,
            subject_type="client",
            subject_id=str(client_id),
            detail={"staff_id": str(chosen.staff_id), "how": how},
        )
        await notifications.notify(
            [chosen.staff_id],
            "A client chose you as their lead professional",
            f"/plans/{client_id}",
            "plan.lead",
        )
        if previous is not None:
            await notifications.notify(
                [previous.staff_id],
                "A client chose a different lead professional",
                "",
                "plan.lead",
            )
    return ChoiceOutcome(
        choice_id=UUID(str(choice.id)),
        organisation_id=chosen.organisation_id,
        organisation_name=chosen.organisation_name,
        needs_plan_consent=await plan_consent_needed(client_id, chosen.organisation_id),
    )


async def clients_led_by(principal: Principal) -> list[dict[str, Any]]:
    """The clients this worker leads now, for their home page: id, name (where the policy
    lets them see it), next review date and plan status."""
    if not principal.is_staff:
        return []
    choices = await LeadChoice.select(LeadChoice.client).where(
        (LeadChoice.staff == principal.id) & LeadChoice.ended_at.is_null()
    )
    ids = [row["client"] for row in choices]
    if not ids:
        return []
    decisions = await policy.visible_clients(principal, among=ids)
    named = [d.client_id for d in decisions if d.identity_visible]
    names = {
        row["id"]: row["full_name"]
        for row in await Client.select(Client.id, Client.full_name).where(
            Client.id.is_in(named or [principal.id])
        )
    }
    plans = await Plan.select(Plan.client, Plan.next_review_on, Plan.status).where(
        Plan.client.is_in(ids)
    )
    by_client = {row["client"]: row for row in plans}
    if names:
        await access_log.record_reads(
            principal, {client: [IDENTITY] for client in names}, context="home"
        )
    return sorted(
        (
            {
                "client_id": client_id,
                "name": names.get(client_id, ""),
                "reference": client_id.hex[:8].upper(),
                "next_review_on": by_client.get(client_id, {}).get("next_review_on"),
                "plan_status": by_client.get(client_id, {}).get("status", "open"),
            }
            for client_id in ids
        ),
        key=lambda item: (item["name"] == "", item["name"], item["reference"]),
    )


async def organisation_name(organisation_id: UUID) -> str:
    """An organisation's name, for messages."""
    row = (
        await Organisation.select(Organisation.name)
        .where(Organisation.id == organisation_id)
        .first()
    )
    return row["name"] if row else ""


async def is_current_lead(client_id: UUID, staff_id: UUID) -> bool:
    """Is this worker the client's lead professional now?"""
    lead = await current_lead(client_id)
    return lead is not None and lead.staff_id == staff_id
