"""Meeting pages over HTTP: arranging with errors re-shown, the invitee's view under the
sharing rule, the client's answer in the portal, recording, and the minutes."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from plans.tables import Action, MeetingInvitee
from tests.consent.fixtures import client, other_client, pooled
from tests.plans.meeting_support import MEETING_DAY, a_goal, arranged, led_team
from tests.plans.test_portal_pages import portal_account
from tests.support import post_form, sign_in, sign_in_client

__all__ = ["client", "other_client", "pooled"]  # browsers on one shared app (tests/consent)


async def test_lead_arranges_through_the_form_and_errors_are_explained(client: Any) -> None:
    t = await led_team()
    await sign_in(client, t.net.partner_worker.email)
    url = f"/plans/{t.net.client.id}/meetings/new"
    page = await client.get(url)
    assert page.status_code == 200
    assert "Pia Peer (Peer Support Dundee)" in page.text
    fields = {
        "kind": "review",
        "starts_on-day": "1",
        "starts_on-month": "11",
        "starts_on-year": "2026",
        "starts_time": "10:30",
        "minutes_long": "60",
        "place": "Lochee Hub",
        "staff_ids": str(t.third_worker.id),
        "invite_client": "true",
        "other_email": t.net.outsider_worker.email,
    }
    bad = await post_form(client, url, fields)
    assert bad.status_code == 422
    assert "There is a problem" in bad.text
    assert "Elsewhere Trust is not on the client" in bad.text
    fields |= {"other_email": "", "starts_on-day": str(MEETING_DAY.day)}
    good = await post_form(client, url, fields)
    assert good.status_code == 303
    meeting_page = await client.get(good.headers["location"])
    assert "Review meeting" in meeting_page.text
    assert "Robin Client" in meeting_page.text
    assert "Pia Peer" in meeting_page.text


async def test_invitee_without_plan_consent_sees_time_only_and_client_answers(
    client: Any, other_client: Any
) -> None:
    t = await led_team()
    await a_goal(t)
    meeting_id = await arranged(t, agenda="Talk about the tenancy arrears")
    await sign_in(client, t.third_worker.email)
    page = await client.get(f"/plans/meetings/{meeting_id}")
    assert page.status_code == 200
    assert "Lochee Hub, room 2" in page.text
    assert "tenancy arrears" not in page.text
    assert "Hana Hub" not in page.text
    assert "Not shown" in page.text

    portal = other_client()
    await sign_in_client(portal, await portal_account(t.net.client.id))
    plan = await portal.get("/portal/plan")
    assert f'href="/portal/meetings/{meeting_id}"' in plan.text
    assert "Please tell us if you can come." in plan.text  # not "You said: not answered yet"
    assert "please tell us if you can come" in (await portal.get("/portal/meetings")).text
    mine = await portal.get(f"/portal/meetings/{meeting_id}")
    assert "This meeting is on Monday 9 November 2026 at 10:30" in mine.text
    answered = await post_form(
        portal,
        f"/portal/meetings/{meeting_id}/answer",
        {"answer": "attending"},
        form_page=f"/portal/meetings/{meeting_id}",
    )
    assert answered.status_code == 303
    row = await MeetingInvitee.select().where(MeetingInvitee.kind == "client").first()
    assert row is not None
    assert row["answer"] == "attending"
    listing = await portal.get("/portal/meetings")
    assert "you said: coming" in listing.text
    assert "You said: coming." in (await portal.get("/portal/plan")).text


async def test_lead_records_the_meeting_and_prints_minutes(client: Any) -> None:
    from hub import clock

    t = await led_team()
    goal = await a_goal(t)
    meeting_id = await arranged(t)
    clock.freeze(datetime(2026, 11, 9, 12, 0, tzinfo=UTC))
    await sign_in(client, t.net.partner_worker.email)
    url = f"/plans/meetings/{meeting_id}/record"
    form = await client.get(url)
    assert form.status_code == 200
    assert "The client&#39;s rating: " in form.text
    invitees = await MeetingInvitee.select().where(MeetingInvitee.meeting == meeting_id)
    done = await post_form(
        client,
        url,
        {
            "attended": [str(row["id"]) for row in invitees],
            "notes": "All well",
            "notes_category": "plan",
            "action1_description": "Book the GP visit",
            "action1_goal": str(goal),
            "action1_organisation": str(t.net.partner.id),
            "client_home": "7",
        },
    )
    assert done.status_code == 303, done.text[:3000]
    assert await Action.count() == 1
    minutes = await client.get(f"/plans/meetings/{meeting_id}/minutes")
    assert "Book the GP visit" in minutes.text
    assert "All well" in minutes.text
    # On a phone, who came is beside each name and the table scrolls in its own region.
    assert re.search(
        r'<div class="wa-scroll" role="region" aria-label="Who came" tabindex="0">\s*<table'
        r".*?<th[^>]*>Name</th>\s*<th[^>]*>Came</th>",
        minutes.text,
        re.S,
    )
    held_as = await client.get(f"/plans/{t.net.client.id}/reviews")
    assert f'href="/plans/meetings/{meeting_id}"' in held_as.text
