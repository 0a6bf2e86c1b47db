"""Erasing a client with meetings, connections and a household leaves no table naming them;
the rest of the household stays, no longer linked to them."""

from __future__ import annotations

from datetime import UTC, datetime

from hub import clock
from plans import connections, meeting_record
from plans.connections import ConnectionForm
from plans.meeting_record import RecordForm
from plans.tables import Connection, HouseholdMember, Meeting, MeetingInvitee
from tests.hub.test_erasure import approved_and_done, propose, system_admin, tables_mentioning
from tests.plans.household_support import household_of_three
from tests.plans.meeting_support import a_goal, arranged
from tests.plans.test_connections import community_team
from tests.support import make_staff


async def test_an_erased_client_leaves_no_meeting_connection_or_household_row() -> None:
    t = await community_team()
    home = await household_of_three(t)
    goal = await a_goal(t)
    await connections.add(
        t.net.recipient,
        t.net.client.id,
        ConnectionForm(name="Sister Kim", kind="family", closeness="close"),
    )
    meeting_id = await arranged(t, kind="review")
    clock.freeze(datetime(2026, 11, 9, 12, 0, tzinfo=UTC))
    invitees = await MeetingInvitee.select().where(MeetingInvitee.meeting == meeting_id)
    await meeting_record.record(
        t.net.recipient,
        meeting_id,
        RecordForm(
            attended=[str(row["id"]) for row in invitees],
            action1_description="Chase the repairs",
            action1_goal=str(goal),
            action1_organisation=str(t.net.partner.id),
        ),
    )
    client_id = t.net.client.id
    needles = [str(client_id), client_id.hex, "Robin Client"]
    before = await tables_mentioning(needles)
    assert {"meeting", "meeting_invitee", "connection", "household_member"} <= set(before)
    admin = await make_staff(t.net.hub, is_system_admin=True)

    await approved_and_done(system_admin(admin, t.net.hub), await propose(client_id))

    assert await tables_mentioning(needles) == {}
    assert await Meeting.count() == 0
    assert await Connection.count() == 0
    left = await HouseholdMember.select().order_by(HouseholdMember.added_at)
    assert {row["client"] for row in left} == {home.partner.id, home.child.id}
    assert all(row["related_to"] is None and row["responsible"] is None for row in left)
