"""Meetings: arranging, inviting (with and without consent), answers, moving, cancelling, the
invites as calendar files, and recording attendance and agreed actions in one transaction."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import icalendar
import pytest

from consent import consents, policy, record
from consent.schemas import ContactDetails
from consent.vocabulary import CONTACT, COORDINATION, IDENTITY
from hub import clock
from hub.audit import Actor
from hub.db import transaction
from hub.errors import Forbidden, Invalid
from hub.tables import Notification, OutboxJob
from plans import care_team, meeting_answers, meeting_record, meeting_sweep, meetings
from plans.meeting_answers import AnswerForm
from plans.meeting_record import RecordForm
from plans.meetings import MissingConsent
from plans.tables import Action, Meeting, MeetingAction, MeetingInvitee, Plan, Rating, Review
from tests.consent.factories import consent_to
from tests.plans.meeting_support import (
    MEETING_DAY,
    a_goal,
    arrange_form,
    arranged,
    invites_to,
    led_team,
)


def parsed(text: str) -> tuple[str, str, int, datetime]:
    """METHOD, UID, SEQUENCE and start of one invite, read back with the calendar library."""
    calendar = icalendar.Calendar.from_ical(text)
    [event] = calendar.walk("VEVENT")
    return (
        str(calendar["METHOD"]),
        str(event["UID"]),
        int(str(event["SEQUENCE"])),
        event.decoded("DTSTART"),
    )


async def test_arranging_invites_team_and_client_and_sends_request_invites() -> None:
    t = await led_team()
    meeting_id = await arranged(t)
    rows = await MeetingInvitee.select().where(MeetingInvitee.meeting == meeting_id)
    assert {row["kind"] for row in rows} == {"staff", "client"}
    assert {row["staff"] for row in rows if row["staff"]} == {
        t.third_worker.id,
        t.net.hub_worker.id,
    }
    notes = await Notification.select().where(
        (Notification.staff == t.third_worker.id) & (Notification.kind == "meeting")
    )
    assert [n["link"] for n in notes] == [f"/plans/meetings/{meeting_id}"]
    assert "Robin" not in notes[0]["subject"]
    [invite] = await invites_to(t.third_worker.email)
    method, uid, sequence, start = parsed(invite)
    assert (method, sequence) == ("REQUEST", 0)
    assert uid.startswith(f"meeting-{meeting_id}@")
    assert start == datetime(2026, 11, 9, 10, 30, tzinfo=start.tzinfo)
    assert "Robin" not in invite


async def test_moving_bumps_sequence_and_cancelling_sends_cancel_with_the_same_uid() -> None:
    t = await led_team()
    meeting_id = await arranged(t)
    await meetings.move(t.net.recipient, meeting_id, arrange_form(t, starts_time="14:00"))
    await meetings.cancel(t.net.recipient, meeting_id)
    found = sorted(
        (parsed(text) for text in await invites_to(t.net.hub_worker.email)), key=lambda p: p[2]
    )
    assert [(m, s) for m, _, s, _ in found] == [("REQUEST", 0), ("REQUEST", 1), ("CANCEL", 2)]
    assert len({uid for _, uid, _, _ in found}) == 1
    assert found[1][3].hour == 14
    with pytest.raises(Forbidden):
        await meeting_answers.answer(t.third_principal, meeting_id, AnswerForm(answer="attending"))


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"starts_on": date(2026, 11, 1)}, "starts_on"),
        ({"starts_time": "25:00"}, "starts_time"),
        ({"place": "", "video_link": ""}, "place"),
        ({"guest_name": "Sam", "guest_email": ""}, "guest_email"),
        ({"staff_ids": ["not-a-worker"]}, "staff_ids"),
        ({"kind": "party"}, "kind"),
    ],
)
async def test_bad_meetings_are_refused_and_nothing_is_saved(
    fields: dict[str, object], field: str
) -> None:
    t = await led_team()
    with pytest.raises(Invalid) as caught:
        await arranged(t, **fields)
    assert field in caught.value.errors
    assert await Meeting.count() == 0
    assert await MeetingInvitee.count() == 0


async def test_a_worker_outside_the_team_is_invited_only_when_consent_names_them() -> None:
    t = await led_team()
    outsider = t.net.outsider_worker.email
    with pytest.raises(MissingConsent) as caught:
        await arranged(t, other_email=outsider)
    assert "Elsewhere Trust" in str(caught.value)
    assert "No consent from the client names your organisation" in str(caught.value)
    assert await Meeting.count() == 0
    await consent_to(t.net.client.id, [t.net.outsider], [IDENTITY], [COORDINATION])
    meeting_id = await arranged(t, other_email=outsider)
    assert await MeetingInvitee.exists().where(
        (MeetingInvitee.meeting == meeting_id) & (MeetingInvitee.staff == t.net.outsider_worker.id)
    )


async def test_only_the_lead_arranges_except_the_first_planning_meeting() -> None:
    t = await led_team()
    with pytest.raises(Forbidden):
        await meetings.arrange(t.net.sender, t.net.client.id, arrange_form(t))
    await meetings.arrange(t.net.sender, t.net.client.id, arrange_form(t, kind="planning"))
    with pytest.raises(Forbidden):
        await meetings.arrange(t.net.sender, t.net.client.id, arrange_form(t, kind="planning"))


async def test_invitees_answer_and_the_client_answers_in_the_portal() -> None:
    t = await led_team()
    meeting_id = await arranged(t)
    await meeting_answers.answer(t.client_principal, meeting_id, AnswerForm(answer="attending"))
    with pytest.raises(Invalid) as caught:
        await meeting_answers.answer(t.third_principal, meeting_id, AnswerForm(answer="sending"))
    assert "answer_note" in caught.value.errors
    await meeting_answers.answer(
        t.third_principal, meeting_id, AnswerForm(answer="sending", answer_note="Sol, a colleague")
    )
    answers = {
        (row["kind"], row["answer"], row["answer_note"])
        for row in await MeetingInvitee.select().where(MeetingInvitee.meeting == meeting_id)
    }
    assert ("client", "attending", "") in answers
    assert ("staff", "sending", "Sol, a colleague") in answers
    with pytest.raises(Exception, match="No such meeting"):
        await meeting_answers.answer(
            t.net.outsider_principal, meeting_id, AnswerForm(answer="attending")
        )


async def test_leaving_the_care_team_ends_future_invitations_with_a_cancel() -> None:
    t = await led_team()
    await care_team.add_member(t.third_principal, t.net.client.id, t.third_worker.id)
    meeting_id = await arranged(t)
    team = await care_team.care_team(t.net.client.id)
    [member] = [w for w in team.workers if w.staff_id == t.third_worker.id and w.member_id]
    assert member.member_id is not None
    await care_team.remove_member(t.third_principal, t.net.client.id, member.member_id)
    row = (
        await MeetingInvitee.select()
        .where((MeetingInvitee.meeting == meeting_id) & (MeetingInvitee.staff == t.third_worker.id))
        .first()
    )
    assert row is not None
    assert row["removed_at"] is not None
    methods = sorted(parsed(text)[0] for text in await invites_to(t.third_worker.email))
    assert methods == ["CANCEL", "REQUEST"]


def record_form(
    t_goal: str, organisations: list[str], attended: list[str], **fields: object
) -> RecordForm:
    values: dict[str, object] = {
        "attended": attended,
        "notes": "Moving in went well",
        "decisions": "Keep the tenancy support going",
        "action1_description": "Set up the gas account",
        "action1_goal": t_goal,
        "action1_organisation": organisations[0],
        "action1_due": MEETING_DAY + timedelta(days=14),
        "action2_description": "Find a peer group near the flat",
        "action2_goal": t_goal,
        "action2_organisation": organisations[1],
        "client_home": "6",
    }
    values.update(fields)
    return RecordForm(**values)  # type: ignore[arg-type]


async def test_recording_a_review_meeting_creates_actions_and_is_the_review() -> None:
    t = await led_team()
    goal = await a_goal(t)
    meeting_id = await arranged(t)
    clock.freeze(datetime(2026, 11, 9, 12, 0, tzinfo=clock.now().tzinfo))
    invitees = await MeetingInvitee.select().where(MeetingInvitee.meeting == meeting_id)
    came = [
        str(row["id"])
        for row in invitees
        if row["kind"] == "client" or row["staff"] == t.third_worker.id
    ]
    orgs = [str(t.net.partner.id), str(t.third.id)]
    await meeting_record.record(t.net.recipient, meeting_id, record_form(str(goal), orgs, came))
    meeting = await Meeting.select().where(Meeting.id == meeting_id).first()
    assert meeting is not None
    assert meeting["status"] == "held"
    attended = {row["id"]: row["attended"] for row in await MeetingInvitee.select()}
    assert sorted(attended.values()) == ["no", "yes", "yes"]
    actions = await Action.select().where(
        Action.id.is_in([r["action"] for r in await MeetingAction.select()])
    )
    assert {(a["description"], a["organisation"]) for a in actions} == {
        ("Set up the gas account", t.net.partner.id),
        ("Find a peer group near the flat", t.third.id),
    }
    [review] = await Review.select().where(Review.meeting == meeting_id)
    assert review["held_on"] == MEETING_DAY
    assert [
        r["client_score"] for r in await Rating.select().where(Rating.review == review["id"])
    ] == [6]
    plan = await Plan.select().first()
    assert plan is not None
    assert plan["next_review_on"] == MEETING_DAY + timedelta(weeks=6)
    # The next meeting lists each organisation's unmet actions from this one.
    clock.freeze(datetime(2026, 11, 10, 12, 0, tzinfo=clock.now().tzinfo))
    unmet = await meeting_record.unmet_from_last_meeting(
        t.net.client.id, clock.now() + timedelta(days=30)
    )
    assert [a.organisation_name for a in unmet] == ["Housing First", "Peer Support Dundee"]


async def test_an_attendee_not_invited_or_a_bad_action_saves_nothing() -> None:
    t = await led_team()
    goal = await a_goal(t)
    meeting_id = await arranged(t)
    clock.freeze(datetime(2026, 11, 9, 12, 0, tzinfo=clock.now().tzinfo))
    invitees = await MeetingInvitee.select().where(MeetingInvitee.meeting == meeting_id)
    came = [str(invitees[0]["id"])]
    orgs = [str(t.net.partner.id), str(t.net.outsider.id)]
    with pytest.raises(Invalid) as caught:
        await meeting_record.record(t.net.recipient, meeting_id, record_form(str(goal), orgs, came))
    assert "action2_organisation" in caught.value.errors
    with pytest.raises(Invalid) as caught:
        await meeting_record.record(
            t.net.recipient, meeting_id, record_form(str(goal), orgs[:1] * 2, [*came, str(goal)])
        )
    assert "attended" in caught.value.errors
    assert await Action.count() == 0
    assert await Review.count() == 0
    meeting = await Meeting.select().where(Meeting.id == meeting_id).first()
    assert meeting is not None
    assert meeting["status"] == "arranged"


async def test_a_meeting_cannot_be_recorded_before_its_day() -> None:
    t = await led_team()
    meeting_id = await arranged(t)
    with pytest.raises(Forbidden):
        await meeting_record.record(t.net.recipient, meeting_id, RecordForm())


async def test_an_organisation_whose_consent_ends_loses_its_future_invitations() -> None:
    t = await led_team()
    consent_id = await consent_to(t.net.client.id, [t.net.outsider], [IDENTITY], [COORDINATION])
    meeting_id = await arranged(t, other_email=t.net.outsider_worker.email)
    assert await meeting_sweep.withdraw_departed() == 0
    async with transaction():
        await consents.end_consent(consent_id, policy.WITHDRAWN, Actor.system(), "test")
    assert await meeting_sweep.withdraw_departed() == 1
    still = {
        row["staff"]
        for row in await MeetingInvitee.select().where(
            (MeetingInvitee.meeting == meeting_id) & MeetingInvitee.removed_at.is_null()
        )
        if row["staff"]
    }
    assert still == {t.third_worker.id, t.net.hub_worker.id}
    methods = sorted(parsed(text)[0] for text in await invites_to(t.net.outsider_worker.email))
    assert methods == ["CANCEL", "REQUEST"]


async def test_the_client_gets_the_invite_and_their_minutes_by_e_mail() -> None:
    t = await led_team()
    async with transaction():
        await record.write_entry(
            t.net.client.id, CONTACT, ContactDetails(email="robin@example.org"), t.net.hub.id, None
        )
    goal = await a_goal(t)
    meeting_id = await arranged(t)
    [invite] = await invites_to("robin@example.org")
    assert parsed(invite)[0] == "REQUEST"
    clock.freeze(datetime(2026, 11, 9, 12, 0, tzinfo=clock.now().tzinfo))
    invitees = await MeetingInvitee.select().where(MeetingInvitee.kind == "client")
    form = record_form(str(goal), [str(t.net.partner.id)] * 2, [str(invitees[0]["id"])])
    await meeting_record.record(t.net.recipient, meeting_id, form)
    subjects = [
        json.loads(row["payload"])["subject"]
        for row in await OutboxJob.select().where(OutboxJob.kind == "email")
        if json.loads(row["payload"])["to"] == "robin@example.org"
    ]
    assert "Wraparound: what happened at your meeting" in subjects
