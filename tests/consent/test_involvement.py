"""Starting an involvement: once while it goes on, again after it ended; each start audited."""

from __future__ import annotations

from uuid import UUID

import pytest

from consent.involvement import end_involvement, start_involvement, start_new_involvement
from consent.tables import Involvement
from hub import audit
from hub.audit import Actor
from hub.db import transaction
from hub.tables import AuditEvent
from tests.consent.factories import registered_client
from tests.support import make_organisation


async def _started() -> int:
    return await AuditEvent.count().where(AuditEvent.action == "involvement.started")


async def test_an_involvement_starts_once_while_it_goes_on_and_again_after_it_ends() -> None:
    hub = await make_organisation("Lochee Hub", kind="hub")
    partner = await make_organisation("Housing First")
    person = await registered_client(hub)
    before = await _started()

    await start_involvement(person.id, partner.id, "referral:1", Actor.system())
    await start_involvement(person.id, partner.id, "referral:1", Actor.system())
    going_on = Involvement.count().where(
        (Involvement.client == person.id) & (Involvement.organisation == partner.id)
    )
    assert await going_on == 1
    assert await _started() == before + 1

    # Another source is another involvement.
    await start_involvement(person.id, partner.id, "care_team", Actor.system())
    assert await going_on == 2

    await end_involvement(person.id, partner.id, "referral:1", Actor.system())
    await start_involvement(person.id, partner.id, "referral:1", Actor.system())
    assert await going_on == 3
    assert await Involvement.count().where(Involvement.ended_at.is_null()) == 3  # hub, partner x2
    assert await _started() == before + 3


async def _start_again_as_new(client_id: UUID, organisation_id: UUID) -> None:
    async with transaction():
        await start_new_involvement(
            client_id, organisation_id, "referral:2", Actor.system(), at_commit=True
        )


async def test_a_new_source_starts_with_one_insert_and_a_going_on_one_fails_it_whole() -> None:
    hub = await make_organisation("Lochee Hub", kind="hub")
    partner = await make_organisation("Housing First")
    person = await registered_client(hub)
    before = await _started()

    await _start_again_as_new(person.id, partner.id)
    rows = await Involvement.select(Involvement.source, Involvement.ended_at).where(
        Involvement.organisation == partner.id
    )
    assert rows == [{"source": "referral:2", "ended_at": None}]
    assert await _started() == before + 1

    # Were the source already going on, the unique index fails the transaction: nothing kept.
    with pytest.raises(Exception, match=r"(?i)unique|duplicate"):
        await _start_again_as_new(person.id, partner.id)
    assert await Involvement.count().where(Involvement.organisation == partner.id) == 1
    assert await _started() == before + 1


async def _ended() -> list[str]:
    rows = await AuditEvent.select(AuditEvent.detail).where(
        AuditEvent.action == "involvement.ended"
    )
    return [str(row["detail"]) for row in rows]


async def _end_with_other_entries(client_id: UUID, organisation_id: UUID, source: str) -> None:
    """End an involvement at the commit, between two other audit entries."""
    async with transaction():
        await audit.record("test.before", Actor.system())
        await end_involvement(client_id, organisation_id, source, Actor.system(), at_commit=True)
        await audit.record("test.after", Actor.system())


async def test_an_end_left_for_the_commit_is_audited_only_when_something_ended() -> None:
    hub = await make_organisation("Lochee Hub", kind="hub")
    partner = await make_organisation("Housing First")
    person = await registered_client(hub)
    await start_involvement(person.id, partner.id, "referral:3", Actor.system())

    await _end_with_other_entries(person.id, partner.id, "referral:3")
    assert (
        await Involvement.count().where(
            (Involvement.organisation == partner.id) & Involvement.ended_at.is_null()
        )
        == 0
    )
    assert len(await _ended()) == 1

    # Ended already: nothing ends, no entry, and the entries either side still chain.
    await _end_with_other_entries(person.id, partner.id, "referral:3")
    assert len(await _ended()) == 1
    actions = [row["action"] for row in await AuditEvent.select().order_by(AuditEvent.seq)]
    assert actions[-5:] == [
        "test.before",
        "involvement.ended",
        "test.after",
        "test.before",
        "test.after",
    ]
    assert (await audit.verify()).ok
