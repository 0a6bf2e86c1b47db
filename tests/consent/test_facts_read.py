"""The sharing rule's facts read for one client match the same client's facts read in a list."""

from __future__ import annotations

import uuid
from datetime import timedelta

from consent.facts import load_facts
from consent.tables import BreakGlass
from consent.vocabulary import HOUSING, IDENTITY, RISK
from hub import clock
from tests.consent.factories import consent_to, involve, note, registered_client, staff_member
from tests.support import make_organisation


async def test_one_clients_facts_are_those_read_among_others() -> None:
    hub = await make_organisation("Lochee Hub", kind="hub")
    partner = await make_organisation("Housing First")
    worker = await staff_member(partner)
    person = await registered_client(hub, full_name="Dana Lee")
    other = await registered_client(hub, full_name="Sam Roe")
    await involve(person.id, partner, "referral:1")
    await consent_to(person.id, [partner], [IDENTITY, HOUSING])
    await note(person.id, partner, RISK, "Threats from an ex-partner")
    now = clock.now()
    await BreakGlass.insert(
        BreakGlass(
            client=person.id,
            staff=worker.id,
            organisation=partner.id,
            reason="Police report she is missing tonight",
            opened_at=now,
            expires_at=now + timedelta(hours=4),
        )
    )
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
