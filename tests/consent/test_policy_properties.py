"""The sharing rule against a plain statement of it, over random worlds (hypothesis).

The reference below is written from DESIGN.md's words, loop by loop, without sharing any
code with consent.policy. The first property runs the pure rule on hundreds of worlds; the
second writes worlds into the database and asks `policy.decide` and `visible_clients`, so the
loading of facts (queries, JSON, dates, time zones) is checked too.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consent import policy
from consent.facts import BreakGlassFact, ClientFacts, ConsentFact, InvolvementFact
from consent.tables import (
    AccessLog,
    BreakGlass,
    BreakGlassReview,
    ClientEntry,
    Consent,
    Involvement,
)
from hub import clock
from hub.db import is_sqlite, raw, transaction
from hub.tables import AuditEvent, Client, Organisation, Staff
from tests.consent.factories import decided, principal
from tests.support import password_hash

CATEGORIES = [
    "identity",
    "contact",
    "needs",
    "housing",
    "health",
    "mental_health",
    "substance_use",
    "offending",
    "risk",
    "plan",
]
PURPOSES = ["coordination", "plan_sharing", "contact"]
ORGS = [UUID(int=i) for i in range(1, 4)]
STAFF = {UUID(int=100 + i): org for i, org in enumerate([*ORGS, ORGS[0]])}  # two in the first
T0 = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)  # the night the UK's clocks go forward
UK = ZoneInfo("Europe/London")


def uk_day(moment: datetime) -> date:
    return moment.astimezone(UK).date()


@dataclass
class World:
    registered_by: UUID
    involvements: list[tuple[UUID, datetime, datetime | None]] = field(default_factory=list)
    consents: list[dict] = field(default_factory=list)
    glasses: list[tuple[UUID, datetime, datetime, datetime | None]] = field(default_factory=list)
    recorders: set[UUID] = field(default_factory=set)


def reference_may_read(
    world: World, staff: UUID, org: UUID, category: str, recorded_by: UUID, purpose: str, at
) -> bool:
    """DESIGN.md: (involved and (consent names org, purpose, category, in date; or org
    recorded it)) or the staff member holds an open break-glass."""
    involved = False
    for who, started, ended in world.involvements:
        if who == org and started <= at and (ended is None or at < ended):
            involved = True
    consented = False
    for c in world.consents:
        if org not in c["orgs"] or purpose not in c["purposes"]:
            continue
        if category not in c["categories"]:
            continue
        if c["given_at"] > at:
            continue
        if c["withdrawn_at"] is not None and c["withdrawn_at"] <= at:
            continue
        if not (c["valid_from"] <= uk_day(at) <= c["valid_to"]):
            continue
        consented = True
    glass = False
    for who, opened, expires, closed in world.glasses:
        if who == staff and opened <= at < expires and (closed is None or at < closed):
            glass = True
    return (involved and (consented or recorded_by == org)) or glass


minutes = st.integers(-3 * 24 * 60, 3 * 24 * 60).map(lambda m: T0 + timedelta(minutes=m))
days = st.integers(-3, 3).map(lambda d: T0.date() + timedelta(days=d))
maybe_minute = st.none() | minutes
any_orgs = st.sets(st.sampled_from(ORGS))
any_categories = st.sets(st.sampled_from(CATEGORIES))
any_purposes = st.sets(st.sampled_from(PURPOSES))
one_org = st.sampled_from(ORGS)
one_staff = st.sampled_from(list(STAFF))
gap = st.integers(1, 24 * 60).map(lambda m: timedelta(minutes=m))


@st.composite
def series(draw: st.DrawFn) -> list[dict]:
    """One consent and its later versions: each new version ends the one before."""
    versions = []
    given = draw(minutes)
    for _ in range(draw(st.integers(1, 3))):
        versions.append(
            {
                "orgs": draw(any_orgs),
                "categories": draw(any_categories),
                "purposes": draw(any_purposes),
                "valid_from": draw(days),
                "valid_to": draw(days),
                "given_at": given,
                "withdrawn_at": None,
                "reason": "",
            }
        )
        given = given + draw(gap)
        if len(versions) > 1:
            versions[-2] |= {"withdrawn_at": versions[-1]["given_at"], "reason": "replaced"}
    if draw(st.booleans()):
        versions[-1] |= {"withdrawn_at": draw(minutes), "reason": "withdrawn"}
    return versions


@st.composite
def worlds(draw: st.DrawFn) -> World:
    world = World(registered_by=draw(one_org))
    for _ in range(draw(st.integers(0, 4))):
        ended = draw(maybe_minute)
        world.involvements.append((draw(one_org), draw(minutes), ended))
    for _ in range(draw(st.integers(0, 3))):
        world.consents.extend(draw(series()))
    for _ in range(draw(st.integers(0, 2))):
        opened = draw(minutes)
        closed = draw(maybe_minute)
        world.glasses.append((draw(one_staff), opened, opened + (timedelta(hours=4)), closed))
    world.recorders = {world.registered_by} | draw(any_orgs)
    return world


def facts_of(world: World, client_id: UUID, staff: UUID) -> ClientFacts:
    return ClientFacts(
        client_id=client_id,
        registered_by=world.registered_by,
        involvements=tuple(
            InvolvementFact(organisation_id=o, source="registered", started_at=s, ended_at=e)
            for o, s, e in world.involvements
        ),
        consents=tuple(
            ConsentFact(
                id=uuid.uuid4(),
                client_id=client_id,
                organisation_ids=frozenset(c["orgs"]),
                categories=frozenset(c["categories"]),
                purposes=frozenset(c["purposes"]),
                valid_from=c["valid_from"],
                valid_to=c["valid_to"],
                given_at=c["given_at"],
                withdrawn_at=c["withdrawn_at"],
                withdrawn_reason=c["reason"],
            )
            for c in world.consents
        ),
        break_glasses=tuple(
            BreakGlassFact(id=uuid.uuid4(), staff_id=s, opened_at=o, expires_at=x, closed_at=c)
            for s, o, x, c in world.glasses
            if s == staff
        ),
        recorders=frozenset(world.recorders),
    )


def check_decision(decision: policy.Decision, world: World, staff, org, purpose, at) -> None:
    answers = {
        (category, recorder): reference_may_read(world, staff, org, category, recorder, purpose, at)
        for category in CATEGORIES
        for recorder in ORGS
    }
    for (category, recorder), expected in answers.items():
        assert decision.may_read(category, recorder) == expected, (category, recorder)
    visible = any(answers[(k, r)] for k in CATEGORIES for r in world.recorders)
    assert decision.visible == visible
    if decision.break_glass_id is None:
        # Every category that is not shared in full says why, in words.
        for category in CATEGORIES:
            fully = all(answers[(category, r)] for r in ORGS)
            assert (category not in decision.withheld) == fully, category
            assert category in decision.consented or decision.withheld[category]


@settings(max_examples=250, deadline=None)
@given(
    world=worlds(),
    staff=st.sampled_from(list(STAFF)),
    purpose=st.sampled_from(PURPOSES),
    at=minutes,
)
def test_the_rule_matches_its_plain_statement(world, staff, purpose, at):
    org = STAFF[staff]
    client_id = uuid.uuid4()
    reader = policy.Reader(staff_id=staff, organisation_id=org)
    decision = policy.decide_from_facts(facts_of(world, client_id, staff), reader, purpose, at)
    check_decision(decision, world, staff, org, purpose, at)


# --- The same, through the database: facts loaded by the real queries ---


async def _empty() -> None:
    tables = (AccessLog, BreakGlassReview, BreakGlass, ClientEntry, Consent, Involvement)
    async with transaction():
        if not is_sqlite():
            # Past the append-only triggers, in this transaction only (as tests/conftest.py).
            await raw("SET LOCAL session_replication_role = replica")
        for table in (*tables, Client, Staff, Organisation):
            await table.delete(force=True)


async def _store(world: World) -> tuple[UUID, dict[UUID, Staff], dict[UUID, Organisation]]:
    organisations = {
        org: Organisation(id=org, name=f"Org {org.int}", created_at=T0) for org in ORGS
    }
    await Organisation.insert(*organisations.values())
    staff = {
        member: Staff(
            id=member,
            organisation=org,
            name=f"Staff {member.int}",
            email=f"s{member.int}@example.org",
            password_hash=password_hash(),
            created_at=T0,
            password_changed_at=T0,
        )
        for member, org in STAFF.items()
    }
    await Staff.insert(*staff.values())
    client = Client(full_name="Pat Doe", registered_by=world.registered_by, created_at=T0)
    await Client.insert(client)
    for number, (org, started, ended) in enumerate(world.involvements):
        await Involvement.insert(
            Involvement(
                client=client.id,
                organisation=org,
                source=f"referral:{number}",
                started_at=started,
                ended_at=ended,
            )
        )
    for c in world.consents:
        await Consent.insert(
            Consent(
                client=client.id,
                series=uuid.uuid4(),
                organisation_ids=[str(o) for o in c["orgs"]],
                organisation_names=[],
                categories=sorted(c["categories"]),
                purposes=sorted(c["purposes"]),
                valid_from=c["valid_from"],
                valid_to=c["valid_to"],
                method="verbal",
                notice_version="2026-11",
                capacity="has_capacity",
                given_by="client",
                given_at=c["given_at"],
                withdrawn_at=c["withdrawn_at"],
                withdrawn_reason=c["reason"],
                # Expiry audits are not what this property is about.
                expiry_noted_at=T0,
            )
        )
    for member, opened, expires, closed in world.glasses:
        await BreakGlass.insert(
            BreakGlass(
                client=client.id,
                staff=member,
                organisation=STAFF[member],
                reason="test",
                opened_at=opened,
                expires_at=expires,
                closed_at=closed,
            )
        )
    for org in world.recorders - {world.registered_by}:
        await ClientEntry.insert(
            ClientEntry(
                client=client.id,
                category="housing",
                kind="note",
                data="{}",
                recorded_by_organisation=org,
                recorded_at=T0,
            )
        )
    return client.id, staff, organisations


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    world=worlds(),
    staff=st.sampled_from(list(STAFF)),
    purpose=st.sampled_from(PURPOSES),
    at=minutes,
)
async def test_the_policy_through_the_database_matches_the_plain_statement(
    world, staff, purpose, at
):
    await _empty()
    client_id, members, organisations = await _store(world)
    org = STAFF[staff]
    clock.freeze(at)
    try:
        asking = principal(members[staff], organisations[org])
        decision = await decided(asking, client_id, purpose)
        assert decision is not None
        check_decision(decision, world, staff, org, purpose, at)
        listed = {d.client_id for d in await policy.visible_clients(asking, purpose)}
        # Lists never use break-glass: listed exactly when visible without it.
        without_glass = World(
            world.registered_by, world.involvements, world.consents, [], world.recorders
        )
        expected = any(
            reference_may_read(without_glass, staff, org, k, r, purpose, at)
            for k in CATEGORIES
            for r in world.recorders
        )
        assert (client_id in listed) == expected
    finally:
        clock.reset()
    assert not await AuditEvent.exists().where(AuditEvent.action == "consent.expired")
