"""Households: linking members (no self-links or loops), a child under 16 with who holds
parental responsibility giving consent for them, shared goals, and the household plan view
showing each member only where their own consent allows."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from consent import consents
from consent import portal as consent_portal
from consent.schemas import ConsentForm
from consent.vocabulary import CURRENT_NOTICE, IDENTITY, PLAN_SHARING
from hub.accounts.schemas import Principal
from hub.errors import Invalid, NotFound
from hub.tables import Client
from plans import households, meetings
from plans.households import MemberForm, SharedGoalForm
from plans.meeting_views import meeting_view
from plans.tables import HouseholdMember, MeetingInvitee
from tests.consent.factories import registered_client
from tests.consent.fixtures import client, other_client, pooled
from tests.plans.household_support import household_of_three
from tests.plans.meeting_support import arrange_form, led_team
from tests.support import sign_in

__all__ = ["client", "other_client", "pooled"]  # browsers on one shared app (tests/consent)


async def test_members_link_without_self_links_loops_or_a_child_without_a_parent() -> None:
    t = await led_team()
    home = await household_of_three(t)
    robin = str(t.net.client.id)
    with pytest.raises(Invalid) as caught:
        await households.add_member(
            t.net.sender,
            home.household_id,
            MemberForm(client_id=robin, relationship="relative", related_to=robin),
        )
    assert caught.value.errors == {"related_to": "A client cannot be linked to themselves"}
    with pytest.raises(Invalid) as caught:
        await households.add_member(
            t.net.sender,
            home.household_id,
            MemberForm(client_id=robin, relationship="carer", related_to=str(home.partner.id)),
        )
    assert "loop" in caught.value.errors["client_id"]
    baby = await registered_client(t.net.hub, full_name="Baby Client", date_of_birth=None)
    await Client.update({Client.date_of_birth: date(2025, 1, 1)}).where(Client.id == baby.id)
    with pytest.raises(Invalid) as caught:
        await households.add_member(
            t.net.sender,
            home.household_id,
            MemberForm(client_id=str(baby.id), relationship="child", related_to=robin),
        )
    assert "parental responsibility" in caught.value.errors["responsible"]
    assert await HouseholdMember.count() == 3
    assert households.would_loop({1: 2, 2: None}, 2, 1)  # type: ignore[dict-item,arg-type]


def parent_consent(t: Any, **fields: str) -> ConsentForm:
    values: dict[str, Any] = {
        "organisation_ids": [str(t.net.hub.id)],
        "categories": [IDENTITY],
        "purposes": [PLAN_SHARING],
        "method": "written",
        "notice_version": CURRENT_NOTICE,
        "capacity": "has_capacity",
        "given_by": "representative",
        "representative_name": "Robin Client",
        "representative_authority": "parent",
        "representative_evidence": "Birth certificate seen",
    }
    values.update(fields)
    return ConsentForm(**values)


async def test_a_childs_consent_is_given_by_who_holds_parental_responsibility() -> None:
    t = await led_team()
    home = await household_of_three(t)
    with pytest.raises(Invalid) as caught:
        await consents.give_consent(
            t.net.sender, home.child.id, parent_consent(t, given_by="client")
        )
    assert "under 16" in str(caught.value)
    with pytest.raises(Invalid) as caught:
        await consents.give_consent(
            t.net.sender, home.child.id, parent_consent(t, representative_name="A Neighbour")
        )
    assert "Robin Client holds parental responsibility" in str(caught.value)
    assert await consents.give_consent(t.net.sender, home.child.id, parent_consent(t))


async def test_household_view_shows_each_member_only_under_their_own_consent() -> None:
    t = await led_team()
    home = await household_of_three(t)
    hub_view = await households.household_view(t.net.sender, home.household_id)
    seen = {part.client_id: part.plan for part in hub_view.members}
    assert seen[t.net.client.id] is not None
    assert seen[home.partner.id] is not None
    assert seen[home.child.id] is None  # no consent yet for the child
    # Housing First works with Robin only: Alex and Sam stay hidden from it.
    lead_view = await households.household_view(t.net.recipient, home.household_id)
    hidden = {part.client_id for part in lead_view.members if part.plan is None}
    assert hidden == {home.partner.id, home.child.id}
    with pytest.raises(NotFound):
        await households.household_view(t.net.outsider_principal, home.household_id)


async def test_a_shared_goal_needs_two_members_the_worker_sees_in_full() -> None:
    t = await led_team()
    home = await household_of_three(t)
    both = [str(t.net.client.id), str(home.partner.id)]
    await households.add_shared_goal(
        t.net.sender, home.household_id, SharedGoalForm(words="A bigger flat", client_ids=both)
    )
    view = await households.household_view(t.net.sender, home.household_id)
    assert [(g.words, len(g.names)) for g in view.goals] == [("A bigger flat", 2)]
    assert (await households.household_view(t.net.recipient, home.household_id)).goals == []
    with pytest.raises(Invalid):
        await households.add_shared_goal(
            t.net.sender,
            home.household_id,
            SharedGoalForm(words="Holiday", client_ids=[str(t.net.client.id), str(home.child.id)]),
        )


async def test_a_family_group_conference_invites_the_household() -> None:
    t = await led_team()
    home = await household_of_three(t)
    meeting_id = await meetings.arrange(
        t.net.recipient,
        t.net.client.id,
        arrange_form(t, kind="family_group_conference", invite_client=False),
    )
    invited = {
        row["client"]
        for row in await MeetingInvitee.select().where(MeetingInvitee.kind == "client")
    }
    assert invited == {t.net.client.id, home.partner.id, home.child.id}
    alex = Principal(kind="client", id=home.partner.id, name="Alex", session_key="t")
    seen = await meeting_view(alex, meeting_id)
    assert seen.when.startswith("Monday 9 November 2026")
    assert seen.agenda == ""
    assert [person.kind for person in seen.invitees] == ["client"]


async def test_household_page_hides_members_the_reader_may_not_see(client: Any) -> None:
    t = await led_team()
    await household_of_three(t)
    await sign_in(client, t.net.partner_worker.email)
    start = await client.get(f"/plans/{t.net.client.id}/household")
    assert start.status_code == 303
    page = await client.get(start.headers["location"])
    assert page.status_code == 200
    assert "Robin Client" in page.text
    assert "Alex Partner" not in page.text
    assert "Sam Child" not in page.text
    assert page.text.count("this member's own consent does not let") == 2


async def test_a_child_cannot_share_their_plan_in_the_portal_themselves() -> None:
    t = await led_team()
    home = await household_of_three(t)
    sam = Principal(kind="client", id=home.child.id, name="Sam", session_key="t")
    with pytest.raises(Invalid) as caught:
        await consent_portal.share_plan_with(sam, t.net.hub.id)
    assert "under 16" in str(caught.value)
    robin = await consent_portal.share_plan_with(t.client_principal, t.net.hub.id)
    assert robin
