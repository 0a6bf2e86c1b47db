"""Households: clients linked as partner, child, relative or carer, each still a client with
their own record and consents; a child under 16 with who holds parental responsibility; goals
the household shares; and the household plan view, each member's part shown only where that
member's own consent lets the reader see it.
"""

from __future__ import annotations

from uuid import UUID

import msgspec

from consent import parental, policy
from hub import audit, clock
from hub.accounts.schemas import Principal
from hub.db import transaction
from hub.errors import Invalid, NotFound
from hub.tables import Client
from plans import content
from plans.schemas import PlanView
from plans.tables import Household, HouseholdGoal, HouseholdGoalShare, HouseholdMember

RELATIONSHIPS = {
    "partner": "Partner",
    "child": "Child",
    "relative": "Other relative",
    "carer": "Carer",
}
FIRST = "first"


class MemberForm(msgspec.Struct, kw_only=True):
    """Form: link a client into a household."""

    client_id: str = ""
    relationship: str = ""
    related_to: str = ""
    responsible: str = ""


class SharedGoalForm(msgspec.Struct, kw_only=True):
    """Form: a goal several members share."""

    words: str = ""
    success: str = ""
    client_ids: list[str] = []


def _uuid(value: str) -> UUID | None:
    try:
        return UUID(value)
    except ValueError:
        return None


async def create(principal: Principal, client_id: UUID, name: str) -> UUID:
    """Start a household around one client (a worker who may act for them)."""
    await policy.check(principal, client_id, act=True)
    name = name.strip()
    if not name or len(name) > 120:
        msg = "Give the household a name of up to 120 characters, like “The Smiths”"
        raise Invalid(msg, {"name": msg})
    if await HouseholdMember.exists().where(HouseholdMember.client == client_id):
        msg = "This client is already in a household"
        raise Invalid(msg, {"name": msg})
    now = clock.now()
    household = Household(
        name=name,
        organisation=principal.organisation_id,
        created_by=principal.id,
        created_at=now,
    )
    async with transaction():
        await Household.insert(household)
        await HouseholdMember.insert(
            HouseholdMember(
                household=household.id, client=client_id, relationship=FIRST, added_at=now
            )
        )
        await audit.record(
            "household.created",
            principal.actor,
            subject_type="client",
            subject_id=str(client_id),
            detail={"household_id": str(household.id)},
        )
    return UUID(str(household.id))


def would_loop(links: dict[UUID, UUID | None], client_id: UUID, related_to: UUID) -> bool:
    """Would relating `client_id` to `related_to` make a loop (or a link to oneself)?

    `links` maps each member to the member they are related to."""
    seen: set[UUID] = set()
    current: UUID | None = related_to
    while current is not None and current not in seen:
        if current == client_id:
            return True
        seen.add(current)
        current = links.get(current)
    return False


async def add_member(principal: Principal, household_id: UUID, form: MemberForm) -> None:
    """Link a client into the household (the worker must be able to act for them)."""
    members = await HouseholdMember.select().where(HouseholdMember.household == household_id)
    if not members:
        raise NotFound("No such household")
    await policy.check(principal, members[0]["client"], act=True)
    errors: dict[str, str] = {}
    client_id = _uuid(form.client_id)
    related_to = _uuid(form.related_to)
    responsible = _uuid(form.responsible) if form.responsible else None
    links = {row["client"]: row["related_to"] for row in members}
    if client_id is None:
        errors["client_id"] = "Choose the client to add"
    if form.relationship not in RELATIONSHIPS:
        errors["relationship"] = "Choose how they are related"
    if related_to is None or related_to not in links:
        errors["related_to"] = "Choose who in the household they are related to"
    if client_id is not None and related_to is not None:
        if client_id == related_to:
            errors["related_to"] = "A client cannot be linked to themselves"
        elif client_id in links or would_loop(links, client_id, related_to):
            errors["client_id"] = "This client is already in the household: that link would loop"
        elif await HouseholdMember.exists().where(HouseholdMember.client == client_id):
            errors["client_id"] = "This client is already in another household"
    if errors:
        raise Invalid(next(iter(errors.values())), errors)
    assert client_id is not None
    await policy.check(principal, client_id, act=True)
    if await parental.is_child(client_id):
        if responsible is None or responsible not in links or responsible == client_id:
            msg = (
                "This client is under 16: choose who in the household holds parental "
                "responsibility for them"
            )
            raise Invalid(msg, {"responsible": msg})
        if await parental.is_child(responsible):
            msg = "The person holding parental responsibility must be 16 or over"
            raise Invalid(msg, {"responsible": msg})
    async with transaction():
        await HouseholdMember.insert(
            HouseholdMember(
                household=household_id,
                client=client_id,
                relationship=form.relationship,
                related_to=related_to,
                responsible=responsible,
                added_at=clock.now(),
            )
        )
        await audit.record(
            "household.member_added",
            principal.actor,
            subject_type="client",
            subject_id=str(client_id),
            detail={"household_id": str(household_id)},
        )


async def responsible_name(client_id: UUID) -> str | None:
    """Who holds parental responsibility for the client, as recorded in their household."""
    row = (
        await HouseholdMember.select(HouseholdMember.responsible)
        .where(HouseholdMember.client == client_id)
        .first()
    )
    if row is None or row["responsible"] is None:
        return None
    person = await Client.select(Client.full_name).where(Client.id == row["responsible"]).first()
    return person["full_name"] if person else None


parental.register_responsible_lookup(responsible_name)


async def household_of(client_id: UUID) -> UUID | None:
    """The household the client is in, if any."""
    row = (
        await HouseholdMember.select(HouseholdMember.household)
        .where(HouseholdMember.client == client_id)
        .first()
    )
    return UUID(str(row["household"])) if row else None


async def member_ids(household_id: UUID) -> list[UUID]:
    """The household's members, the first one first."""
    rows = (
        await HouseholdMember.select(HouseholdMember.client, HouseholdMember.added_at)
        .where(HouseholdMember.household == household_id)
        .order_by(HouseholdMember.added_at)
    )
    return [row["client"] for row in rows]


async def add_shared_goal(principal: Principal, household_id: UUID, form: SharedGoalForm) -> UUID:
    """A goal shared by several members (the worker must see each one's whole plan)."""
    members = set(await member_ids(household_id))
    if not members:
        raise NotFound("No such household")
    chosen = [c for c in (_uuid(v) for v in form.client_ids) if c is not None]
    errors: dict[str, str] = {}
    words = form.words.strip()
    if not words or len(words) > 2000:
        errors["words"] = "Enter the goal in the household's own words"
    if len(set(chosen)) < 2 or not set(chosen) <= members:
        errors["client_ids"] = "Choose at least two members of the household who share it"
    if errors:
        raise Invalid(next(iter(errors.values())), errors)
    for client_id in chosen:
        plan = await content.get_plan(principal, client_id)
        if not plan.sees_all:
            msg = "You can only add a shared goal for members whose plans you can see in full"
            raise Invalid(msg, {"client_ids": msg})
    goal = HouseholdGoal(
        household=household_id, words=words, success=form.success.strip(), created_at=clock.now()
    )
    async with transaction():
        await HouseholdGoal.insert(goal)
        await HouseholdGoalShare.insert(
            *[HouseholdGoalShare(goal=goal.id, client=c) for c in dict.fromkeys(chosen)]
        )
        await audit.record(
            "household.goal_added",
            principal.actor,
            subject_type="household",
            subject_id=str(household_id),
        )
    return UUID(str(goal.id))


class MemberPart(msgspec.Struct, frozen=True, kw_only=True):
    """One member's column in the household plan view."""

    client_id: UUID
    relationship: str
    plan: PlanView | None
    """None when the member's own consent does not let the reader see their plan."""


class SharedGoal(msgspec.Struct, frozen=True, kw_only=True):
    """A household goal, with the members sharing it the reader may know of."""

    words: str
    success: str
    names: list[str]


class HouseholdView(msgspec.Struct, frozen=True, kw_only=True):
    """The household plan view for one reader."""

    id: UUID
    name: str
    members: list[MemberPart]
    goals: list[SharedGoal]


async def household_view(principal: Principal, household_id: UUID) -> HouseholdView:
    """Each member's goals and actions side by side, each only where that member's own consent
    allows; NotFound when the reader may see no member's plan at all."""
    household = await Household.select().where(Household.id == household_id).first()
    if household is None:
        raise NotFound("No such household")
    rows = (
        await HouseholdMember.select()
        .where(HouseholdMember.household == household_id)
        .order_by(HouseholdMember.added_at)
    )
    parts: list[MemberPart] = []
    for row in rows:
        try:
            plan: PlanView | None = await content.get_plan(principal, row["client"])
        except NotFound:
            plan = None
        parts.append(
            MemberPart(
                client_id=row["client"],
                relationship=RELATIONSHIPS.get(row["relationship"], "Household member"),
                plan=plan if plan is None or plan.sees_all else None,
            )
        )
    if not any(part.plan for part in parts):
        raise NotFound("No such household")
    seen = {part.client_id: part.plan for part in parts if part.plan}
    goals = []
    for goal in await HouseholdGoal.select().where(HouseholdGoal.household == household_id):
        sharing = [
            row["client"]
            for row in await HouseholdGoalShare.select(HouseholdGoalShare.client).where(
                HouseholdGoalShare.goal == goal["id"]
            )
        ]
        if sharing and all(client in seen for client in sharing):
            goals.append(
                SharedGoal(
                    words=goal["words"],
                    success=goal["success"],
                    names=[seen[c].client_name or "A member" for c in sharing if seen[c]],
                )
            )
    return HouseholdView(id=household_id, name=household["name"], members=parts, goals=goals)


async def candidates(principal: Principal, household_id: UUID) -> list[tuple[str, str]]:
    """Clients this worker may act for and could add: (id, name) pairs, by name."""
    members = set(await member_ids(household_id))
    found = []
    for decision in await policy.visible_clients(principal):
        if decision.may_act and decision.client_id not in members:
            found.append(decision.client_id)
    rows = await Client.select(Client.id, Client.full_name).where(
        Client.id.is_in(found or [UUID(int=0)])
    )
    return sorted(((str(r["id"]), r["full_name"]) for r in rows), key=lambda c: c[1])
