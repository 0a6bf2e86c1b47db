"""Attacks on meetings, minutes and households, as the other side would try them.

An invitee whose organisation has no plan consent sees only when and where the meeting is and
its own actions; minutes never carry a category the reader's organisation may not see; a
worker of one household member cannot read another member through the household view.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from consent import policy
from consent.vocabulary import (
    CATEGORIES,
    COORDINATION,
    IDENTITY,
    MENTAL_HEALTH,
    PLAN,
    PLAN_SHARING,
)
from hub import clock
from plans import meeting_record
from plans.meeting_record import RecordForm
from plans.meeting_views import meeting_view
from plans.tables import MeetingInvitee, Review
from tests.consent.factories import consent_to
from tests.consent.fixtures import client, other_client, pooled
from tests.plans.factories import Team
from tests.plans.household_support import household_of_three
from tests.plans.meeting_support import a_goal, arranged, led_team
from tests.support import sign_in

__all__ = ["client", "other_client", "pooled"]  # browsers on one shared app (tests/consent)

SECRET_AGENDA = "Agenda: arrears and the eviction letter"
SECRET_NOTES = "Notes: hearing voices again since October"
SECRET_DECISION = "Decision: ask the CPN to visit"


async def held_meeting(t: Team, *, notes_category: str = PLAN, **fields: Any) -> UUID:
    """A review meeting held and recorded, with one action each for Housing First and Peer
    Support Dundee."""
    goal = await a_goal(t)
    meeting_id = await arranged(t, agenda=SECRET_AGENDA, **fields)
    clock.freeze(datetime(2026, 11, 9, 12, 0, tzinfo=UTC))
    invitees = await MeetingInvitee.select().where(MeetingInvitee.meeting == meeting_id)
    await meeting_record.record(
        t.net.recipient,
        meeting_id,
        RecordForm(
            attended=[str(row["id"]) for row in invitees],
            notes=SECRET_NOTES,
            notes_category=notes_category,
            decisions=SECRET_DECISION,
            action1_description="Housing First: chase the repairs",
            action1_goal=str(goal),
            action1_organisation=str(t.net.partner.id),
            action2_description="Peer support: walk to the group together",
            action2_goal=str(goal),
            action2_organisation=str(t.third.id),
        ),
    )
    return meeting_id


async def test_invitee_without_plan_consent_sees_only_the_time_and_its_own_actions(
    client: Any,
) -> None:
    t = await led_team()
    await consent_to(t.net.client.id, [t.net.outsider], [IDENTITY], [COORDINATION])
    meeting_id = await held_meeting(t, other_email=t.net.outsider_worker.email)
    await sign_in(client, t.third_worker.email)
    for url in (f"/plans/meetings/{meeting_id}", f"/plans/meetings/{meeting_id}/minutes"):
        page = await client.get(url)
        assert page.status_code == 200
        assert "Monday 9 November 2026 at 10:30" in page.text
        assert "walk to the group together" in page.text
        for secret in (SECRET_AGENDA, SECRET_NOTES, SECRET_DECISION, "chase the repairs"):
            assert secret not in page.text
        assert "Hana Hub" not in page.text
    outsider = await meeting_view(t.net.outsider_principal, meeting_id)
    assert not outsider.full
    assert outsider.actions == []
    assert (outsider.agenda, outsider.notes, outsider.decisions) == ("", "", "")
    assert [person.name for person in outsider.invitees] == ["Oz Outsider"]


async def test_an_outsider_never_invited_sees_nothing(client: Any) -> None:
    t = await led_team()
    meeting_id = await held_meeting(t)
    await sign_in(client, t.net.outsider_worker.email)
    for url in (f"/plans/meetings/{meeting_id}", f"/plans/meetings/{meeting_id}/minutes"):
        page = await client.get(url)
        assert page.status_code == 404
        assert "9 November" not in page.text


async def test_minutes_never_carry_a_category_the_reader_may_not_see() -> None:
    t = await led_team()
    await consent_to(
        t.net.client.id, [t.net.partner], [IDENTITY, PLAN, MENTAL_HEALTH], [PLAN_SHARING]
    )
    readers = {
        "lead": t.net.recipient,
        "hub": t.net.sender,
        "peer": t.third_principal,
    }
    for category in (MENTAL_HEALTH, PLAN, "housing", "risk"):
        assert category in CATEGORIES
        clock.freeze(datetime(2026, 11, 2, 12, 0, tzinfo=UTC))
        meeting_id = await held_meeting(t, notes_category=category)
        for who, principal in readers.items():
            view = await meeting_view(principal, meeting_id)
            decision = await policy.decide(principal, t.net.client.id, PLAN_SHARING)
            assert decision is not None
            allowed = view.full and decision.may_read(category, t.net.partner.id)
            assert (SECRET_NOTES in view.notes) == allowed, (who, category)
            if not decision.may_read(PLAN, t.net.partner.id):
                assert view.decisions == ""
                assert view.agenda == ""
    hub_view = await meeting_view(t.net.sender, meeting_id)
    assert hub_view.decisions == SECRET_DECISION  # the hub's consent covers the plan
    # Each was a review meeting: the review (read as the plan) carries only plan notes.
    notes = [row["notes"] for row in await Review.select(Review.notes)]
    assert len(notes) == 4
    assert notes.count(SECRET_NOTES) == 1


async def test_a_members_worker_cannot_read_another_member_through_the_household(
    client: Any, other_client: Any
) -> None:
    t = await led_team()
    home = await household_of_three(t)
    await sign_in(client, t.net.partner_worker.email)
    page = await client.get(f"/plans/households/{home.household_id}")
    assert page.status_code == 200
    for name in ("Alex", "Sam"):
        assert name not in page.text
    assert str(home.partner.id) not in page.text
    assert str(home.child.id) not in page.text
    direct = await client.get(f"/plans/{home.partner.id}")
    assert direct.status_code == 404
    stranger = other_client()
    await sign_in(stranger, t.net.outsider_worker.email)
    outsider = await stranger.get(f"/plans/households/{home.household_id}")
    assert outsider.status_code == 404
