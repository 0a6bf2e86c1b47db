"""Demo data for meetings, connections and households: the demo client's household of three
(Alex, their partner Jordan and their son Riley, 9, for whom Alex holds parental
responsibility), a planning meeting held today with two agreed actions, a review meeting
arranged three weeks on with the hub, Housing First and Alex, and Alex's connections map.

Runs after the plans demo seeder. Everything goes through the real services.
A demo client already in a household is left alone. The planning meeting is held "today"
(arranged to start two minutes on, then recorded): meetings cannot be arranged in the past.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from uuid import UUID

from consent import consents, record, validation
from consent.record import PossibleDuplicates
from consent.schemas import ClientRegistration
from consent.vocabulary import (
    COMMUNITY,
    CURRENT_NOTICE,
    IDENTITY,
    LONDON,
    PLAN,
    PLAN_SHARING,
    local_date,
)
from hub import clock
from hub.accounts.schemas import Principal
from hub.audit import Actor
from hub.db import transaction
from hub.demo import DEMO_CLIENT_USERNAME, HUB_NAME
from hub.errors import WraparoundError
from hub.tables import Client, ClientAccount
from plans import connections, households, meeting_record, meetings
from plans.connections import ConnectionForm
from plans.demo import LEAD_ORGANISATION, demo_worker
from plans.households import MemberForm
from plans.meeting_record import RecordForm
from plans.meetings import ArrangeForm
from plans.tables import Goal, MeetingInvitee, Plan

log = logging.getLogger(__name__)


@contextmanager
def _as_if(at: datetime) -> Iterator[None]:
    """Seed history: the app's clock reads `at` until the block ends."""
    clock.freeze(at)
    try:
        yield
    finally:
        clock.reset()


async def _consent(
    client_id: UUID, hub: Principal, organisations: list[Principal], **who: str
) -> None:
    """The client (or who holds parental responsibility) shares identity, plan and connections."""
    start, end = validation.default_period(local_date(clock.now()))
    values = {
        "organisation_ids": [str(o.organisation_id) for o in organisations],
        "organisation_names": [o.organisation_name for o in organisations],
        "categories": [IDENTITY, PLAN, COMMUNITY],
        "purposes": [PLAN_SHARING],
        "valid_from": start,
        "valid_to": end,
        "method": "written",
        "notice_version": CURRENT_NOTICE,
        "capacity": "has_capacity",
        "given_by": "client",
        "obtained_by_staff": hub.id,
        "obtained_by_organisation": hub.organisation_id,
        **who,
    }
    async with transaction():
        await consents.insert_version(client_id, values, Actor.system())


async def _register(hub: Principal, name: str, born: date) -> UUID:
    form = ClientRegistration(full_name=name, preferred_name=name.split()[0], date_of_birth=born)
    try:
        return await record.register_client(hub, form)
    except PossibleDuplicates as exc:
        ids = " ".join(str(c.id) for c in exc.candidates)
        form.acknowledged_duplicates = ids
        return await record.register_client(hub, form)


async def _household(alex: UUID, alex_name: str, hub: Principal, housing: Principal) -> None:
    jordan = await _register(hub, "Jordan Reid", date(1991, 8, 20))
    riley = await _register(hub, "Riley Reid", date(2017, 3, 14))
    await _consent(alex, hub, [housing])
    await _consent(jordan, hub, [hub])
    await _consent(
        riley,
        hub,
        [hub],
        given_by="representative",
        representative_name=alex_name,
        representative_authority="parent",
        representative_evidence="Riley's birth certificate, seen at the hub",
    )
    household = await households.create(hub, alex, "The Reid household")
    await households.add_member(
        hub,
        household,
        MemberForm(client_id=str(jordan), relationship="partner", related_to=str(alex)),
    )
    await households.add_member(
        hub,
        household,
        MemberForm(
            client_id=str(riley), relationship="child", related_to=str(alex), responsible=str(alex)
        ),
    )


async def _connections(alex: UUID, housing: Principal) -> None:
    for name, kind, closeness, more in [
        ("My sister Kim", "family", "close", False),
        ("Jordan and Riley", "family", "close", False),
        ("Tuesday walking group at the hub", "hub_group", "some", True),
        ("Old workmates from the depot", "friend", "distant", True),
    ]:
        form = ConnectionForm(name=name, kind=kind, closeness=closeness, wants_more=more)
        await connections.add(housing, alex, form)


def _form(day: date, kind: str, staff: list[UUID], place: str, at: str) -> ArrangeForm:
    return ArrangeForm(
        kind=kind,
        starts_on=day,
        starts_time=at,
        place=place,
        agenda="How things are going; who does what next",
        staff_ids=[str(s) for s in staff],
        invite_client=True,
    )


async def _meetings(alex: UUID, hub: Principal, housing: Principal) -> None:
    """The planning meeting is arranged to start in two minutes and recorded at once (a meeting
    may be recorded from its day on; just before midnight the clock is moved past its start);
    the review meeting is three weeks on."""
    team = [hub.id, housing.id]
    starts = (clock.now() + timedelta(minutes=2)).astimezone(LONDON).replace(second=0)
    planning = await meetings.arrange(
        housing,
        alex,
        _form(
            starts.date(), "planning", team, "Lochee Hub, meeting room", starts.strftime("%H:%M")
        ),
    )
    if starts.date() == local_date(clock.now()):
        await _record_planning(planning, alex, hub, housing)
    else:
        with _as_if(starts + timedelta(minutes=1)):
            await _record_planning(planning, alex, hub, housing)
    review_on = on_a_weekday(local_date(clock.now()) + timedelta(days=21))
    await meetings.arrange(
        housing, alex, _form(review_on, "review", team, "Lochee Hub, meeting room", "10:30")
    )


def on_a_weekday(day: date) -> date:
    """The day, or the Monday after it when it falls at a weekend (the hub's meeting room is
    shut then)."""
    return day + timedelta(days=max(0, 7 - day.weekday())) if day.weekday() >= 5 else day


async def _record_planning(
    meeting_id: UUID, alex: UUID, hub: Principal, housing: Principal
) -> None:
    plan = await Plan.select(Plan.id).where(Plan.client == alex).first()
    goals = (
        await Goal.select(Goal.id).where(Goal.plan == plan["id"]).order_by(Goal.created_at)
        if plan
        else []
    )
    if not goals:
        return
    invitees = await MeetingInvitee.select(MeetingInvitee.id).where(
        MeetingInvitee.meeting == meeting_id
    )
    await meeting_record.record(
        housing,
        meeting_id,
        RecordForm(
            attended=[str(row["id"]) for row in invitees],
            notes="Alex, the hub and Housing First agreed the plan together.",
            decisions="Housing First leads; the hub helps with money and the walking group.",
            action1_description="Ask the council about the Lochee flat",
            action1_goal=str(goals[0]["id"]),
            action1_organisation=str(housing.organisation_id),
            action1_due=local_date(clock.now()) + timedelta(days=14),
            action2_description="Introduce Alex to the Tuesday walking group",
            action2_goal=str(goals[-1]["id"]),
            action2_organisation=str(hub.organisation_id),
            action2_due=local_date(clock.now()) + timedelta(days=10),
        ),
    )


async def seed_demo_household() -> list[tuple[str, str]]:
    """The demo client's household, meetings and connections (once)."""
    account = (
        await ClientAccount.select(ClientAccount.client)
        .where(ClientAccount.username == DEMO_CLIENT_USERNAME)
        .first()
    )
    hub = await demo_worker(HUB_NAME)
    housing = await demo_worker(LEAD_ORGANISATION)
    if account is None or hub is None or housing is None:
        return []
    alex = account["client"]
    if await households.household_of(alex) is not None:
        return []
    person = await Client.select(Client.full_name).where(Client.id == alex).first()
    try:
        await _household(alex, person["full_name"] if person else "", hub, housing)
        await _connections(alex, housing)
        await _meetings(alex, hub, housing)
    except WraparoundError:
        log.exception("the demo household could not be seeded")
    return []
