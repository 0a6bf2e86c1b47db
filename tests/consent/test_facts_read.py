"""The sharing rule's facts read for one client match the same client's facts read in a list,
and those read beside a row of another table in the same statement."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from consent.facts import beside_one_client, load_facts, split_facts
from consent.tables import BreakGlass
from consent.vocabulary import HOUSING, IDENTITY, RISK
from hub import clock
from hub.prepared import Prepared
from hub.tables import Organisation
from tests.consent.factories import consent_to, involve, note, registered_client, staff_member
from tests.support import make_organisation


async def _break_glass(client_id: Any, staff_id: Any, organisation_id: Any) -> None:
    """The staff member has broken the glass on the client's record, for four hours."""
    now = clock.now()
    await BreakGlass.insert(
        BreakGlass(
            client=client_id,
            staff=staff_id,
            organisation=organisation_id,
            reason="Police report she is missing tonight",
            opened_at=now,
            expires_at=now + timedelta(hours=4),
        )
    )


async def test_one_clients_facts_are_those_read_among_others() -> None:
    hub = await make_organisation("Lochee Hub", kind="hub")
    partner = await make_organisation("Housing First")
    worker = await staff_member(partner)
    person = await registered_client(hub, full_name="Dana Lee")
    other = await registered_client(hub, full_name="Sam Roe")
    await involve(person.id, partner, "referral:1")
    await consent_to(person.id, [partner], [IDENTITY, HOUSING])
    await note(person.id, partner, RISK, "Threats from an ex-partner")
    await _break_glass(person.id, worker.id, partner.id)
    unknown = uuid.uuid4()

    for staff_id in (worker.id, None):
        alone = await load_facts([person.id], staff_id=staff_id)
        among = await load_facts([other.id, person.id, unknown], staff_id=staff_id)
        assert set(among) == {person.id, other.id}
        assert alone == {person.id: among[person.id]}
        facts = alone[person.id]
        assert {i.organisation_id for i in facts.involvements} == {hub.id, partner.id}
        assert [set(c.categories) for c in facts.consents] == [{IDENTITY, HOUSING}]
        assert facts.recorders == {hub.id, partner.id}
        assert len(facts.break_glasses) == (1 if staff_id else 0)

    assert await load_facts([unknown], staff_id=worker.id) == {}


_ORGANISATION_AND_FACTS = Prepared(
    lambda organisation_id, client_id, now, staff_id: beside_one_client(
        Organisation.select(Organisation.id, Organisation.name).where(
            Organisation.id == organisation_id
        ),
        client_id,
        now,
        staff_id,
    )
)


async def test_facts_read_beside_another_row_are_the_clients_facts() -> None:
    """One statement gives a row of another table and the client's facts, as load_facts does."""
    hub = await make_organisation("Lochee Hub", kind="hub")
    partner = await make_organisation("Housing First")
    worker = await staff_member(partner)
    person = await registered_client(hub, full_name="Dana Lee")
    await involve(person.id, partner, "referral:1")
    await consent_to(person.id, [partner], [IDENTITY, HOUSING])
    await _break_glass(person.id, worker.id, partner.id)

    (row,) = await _ORGANISATION_AND_FACTS.rows(partner.id, person.id, clock.now(), worker.id)
    own, facts = split_facts(row, person.id)
    assert own == {"id": own["id"], "name": "Housing First"}
    assert str(own["id"]) == str(partner.id)
    assert facts is not None
    assert facts == (await load_facts([person.id], staff_id=worker.id))[person.id]
    assert len(facts.break_glasses) == 1

    unknown = uuid.uuid4()
    (row,) = await _ORGANISATION_AND_FACTS.rows(partner.id, unknown, clock.now(), worker.id)
    assert split_facts(row, unknown) == ({"id": row["id"], "name": "Housing First"}, None)
    assert await _ORGANISATION_AND_FACTS.rows(uuid.uuid4(), person.id, clock.now(), worker.id) == []
