"""Reviews: who may record them, the 4-to-8-week rule, ratings, and the calendar invite."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from hub import clock
from hub.errors import Forbidden, Invalid, NotFound
from hub.mail import build_message
from hub.settings import get_settings
from hub.tables import OutboxJob
from plans import calendar, reviews
from plans.access import plan_access
from plans.reviews import ReviewForm
from plans.tables import Plan, Rating, Review
from plans.vocabulary import WELLBEING_AREAS
from tests.plans.factories import Team, choose, team

NOON = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
"""A Monday: "today" for these tests (UK time is UTC in November)."""
TODAY = date(2026, 11, 2)


def review_form(held_on: date | None = TODAY, **fields: Any) -> ReviewForm:
    """A complete review form held on `held_on`; extra fields (scores, dates) as given."""
    values: dict[str, Any] = {
        "held_on": held_on,
        "participants": "Robin, Pat from Housing First",
        "notes": "Settling in",
        "decisions": "Keep going",
    }
    values.update(fields)
    return ReviewForm(**values)


async def led_team() -> Team:
    """The factory team, with Pat Partner (Housing First) as lead, on a frozen Monday."""
    clock.freeze(NOON)
    t = await team()
    await choose(t, t.net.partner_worker)
    return t


async def test_form_has_a_client_and_worker_field_for_every_area() -> None:
    fields = set(ReviewForm.__struct_fields__)
    for area in WELLBEING_AREAS:
        assert reviews.client_field(area) in fields
        assert reviews.worker_field(area) in fields


async def test_lead_records_review_with_ratings_and_default_next_date() -> None:
    t = await led_team()
    row = await Plan.select(Plan.id).first()
    assert row is not None
    plan_id = row["id"]
    await Plan.update({Plan.review_overdue_flagged_on: TODAY}).where(Plan.id == plan_id)
    form = review_form(client_home="3", worker_home="5", client_money="7")
    review_id = await reviews.record_review(t.net.recipient, t.net.client.id, form)

    plan = await Plan.select().where(Plan.id == plan_id).first()
    assert plan is not None
    assert plan["next_review_on"] == TODAY + timedelta(weeks=6)
    assert plan["review_overdue_flagged_on"] is None
    stored = await Review.select().where(Review.id == review_id).first()
    assert stored is not None
    assert stored["held_on"] == TODAY
    assert stored["participants"] == "Robin, Pat from Housing First"
    assert stored["recorded_by"] == t.net.partner_worker.id
    ratings = {
        row["area"]: (row["client_score"], row["worker_score"])
        for row in await Rating.select().where(Rating.review == review_id)
    }
    assert ratings == {"home": (3, 5), "money": (7, None)}


@pytest.mark.parametrize(
    ("weeks", "days", "ok"),
    [(4, 0, True), (8, 0, True), (6, 0, True), (3, 6, False), (8, 1, False)],
)
async def test_next_review_must_be_four_to_eight_weeks_on(weeks: int, days: int, ok: bool) -> None:
    t = await led_team()
    held = TODAY - timedelta(days=3)
    next_on = held + timedelta(weeks=weeks, days=days)
    form = review_form(held, next_review_on=next_on)
    if ok:
        await reviews.record_review(t.net.recipient, t.net.client.id, form)
        plan = await Plan.select(Plan.next_review_on).first()
        assert plan == {"next_review_on": next_on}
    else:
        with pytest.raises(Invalid) as caught:
            await reviews.record_review(t.net.recipient, t.net.client.id, form)
        assert set(caught.value.errors) == {"next_review_on"}
        assert await Review.count() == 0


async def test_every_problem_is_reported_and_nothing_saved() -> None:
    t = await led_team()
    form = review_form(
        TODAY + timedelta(days=1),
        participants=" ",
        client_home="11",
        client_money="lots",
        worker_health="4",
        client_hopes="10",
        worker_hopes="0",
    )
    with pytest.raises(Invalid) as caught:
        await reviews.record_review(t.net.recipient, t.net.client.id, form)
    assert set(caught.value.errors) == {
        "held_on",
        "participants",
        "client_home",
        "client_money",
        "worker_health",
        "worker_hopes",
    }
    assert "before your own" in caught.value.errors["worker_health"]
    assert await Review.count() == 0
    assert await Rating.count() == 0
    with pytest.raises(Invalid) as missing:
        await reviews.record_review(t.net.recipient, t.net.client.id, review_form(held_on=None))
    assert "held_on" in missing.value.errors


async def test_only_the_lead_records_reviews_and_only_on_an_open_plan() -> None:
    t = await led_team()
    form = review_form()
    with pytest.raises(Forbidden):  # the hub sees the whole plan but is not the lead
        await reviews.record_review(t.net.sender, t.net.client.id, form)
    with pytest.raises(Forbidden):
        await reviews.record_review(t.client_principal, t.net.client.id, form)
    with pytest.raises(NotFound):
        await reviews.record_review(t.net.outsider_principal, t.net.client.id, form)
    await Plan.update({Plan.status: "closed"}).where(Plan.client == t.net.client.id)
    with pytest.raises(Forbidden):
        await reviews.record_review(t.net.recipient, t.net.client.id, form)
    assert await Review.count() == 0


async def test_reviews_newest_first_for_whole_plan_readers_only() -> None:
    t = await led_team()
    first = TODAY - timedelta(weeks=6)
    await reviews.record_review(
        t.net.recipient, t.net.client.id, review_form(first, client_home="2", notes="First")
    )
    await reviews.record_review(
        t.net.recipient, t.net.client.id, review_form(TODAY, client_home="6", notes="Second")
    )
    access = await plan_access(t.net.sender, t.net.client.id)
    found = await reviews.reviews_for(access)
    assert [r.notes for r in found] == ["Second", "First"]
    assert found[0].ratings[0].label == "Where I live"
    assert found[0].recorded_by_name == "Pat Partner"
    mine = await reviews.reviews_for(await plan_access(t.client_principal, t.net.client.id))
    assert len(mine) == 2
    peer = await plan_access(t.third_principal, t.net.client.id)
    assert not peer.sees_all
    assert await reviews.reviews_for(peer) == []
    with pytest.raises(NotFound):
        await reviews.plan_reviews(t.third_principal, t.net.client.id)
    page = await reviews.plan_reviews(t.net.recipient, t.net.client.id)
    assert page.is_lead
    assert page.next_review_on == TODAY + timedelta(weeks=6)


async def test_review_form_remembers_last_scores() -> None:
    t = await led_team()
    await reviews.record_review(
        t.net.recipient, t.net.client.id, review_form(client_home="4", worker_home="6")
    )
    start = await reviews.start_review(t.net.recipient, t.net.client.id)
    assert start.last_scores == {"home": (4, 6)}
    assert start.client_name == "Robin Client"
    with pytest.raises(Forbidden):
        await reviews.start_review(t.net.sender, t.net.client.id)


def _unfold(text: str) -> list[str]:
    return text.replace("\r\n ", "").split("\r\n")


async def test_calendar_invite_is_rfc5545_with_no_client_data() -> None:
    t = await led_team()
    with pytest.raises(NotFound):  # nothing booked yet
        await calendar.review_invite(t.net.recipient, t.net.client.id)
    await reviews.record_review(t.net.recipient, t.net.client.id, review_form())
    invite = await calendar.review_invite(t.net.recipient, t.net.client.id)
    text = invite.text
    assert text.startswith("BEGIN:VCALENDAR\r\n")
    assert text.endswith("END:VCALENDAR\r\n")
    assert "\n" not in text.replace("\r\n", "")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    lines = _unfold(text)
    assert "DTSTART;VALUE=DATE:20261214" in lines
    assert "DTEND;VALUE=DATE:20261215" in lines
    assert "SUMMARY:Plan review" in lines
    assert "DTSTAMP:20261102T120000Z" in lines
    assert any(line.startswith("UID:plan-review-") for line in lines)
    assert f"URL:{get_settings().base_url}/plans/{t.net.client.id}" in lines
    assert "Robin" not in text
    # Members who see the whole plan and the client may download it; others may not.
    await calendar.review_invite(t.net.sender, t.net.client.id)
    await calendar.review_invite(t.client_principal, t.net.client.id)
    with pytest.raises(NotFound):
        await calendar.review_invite(t.third_principal, t.net.client.id)


def test_folding_splits_long_lines_without_breaking_characters() -> None:
    line = "DESCRIPTION:" + "é" * 100
    folded = calendar.fold(line)
    pieces = folded.split("\r\n")
    assert len(pieces) > 2
    assert all(len(piece.encode()) <= 75 for piece in pieces)
    assert all(piece.startswith(" ") for piece in pieces[1:])
    assert "".join(piece.removeprefix(" ") for piece in pieces) == line
    assert calendar.escape_text("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"


async def test_invite_is_emailed_to_the_lead_as_an_attachment() -> None:
    t = await led_team()
    await reviews.record_review(t.net.recipient, t.net.client.id, review_form())
    with pytest.raises(Forbidden):
        await calendar.email_invite(t.net.sender, t.net.client.id)
    review_on = await calendar.email_invite(t.net.recipient, t.net.client.id)
    assert review_on == TODAY + timedelta(weeks=6)
    jobs = [
        json.loads(row["payload"])
        for row in await OutboxJob.select().where(OutboxJob.kind == "email")
    ]
    [payload] = [job for job in jobs if "attachment" in job]
    assert payload["to"] == t.net.partner_worker.email
    assert "Robin" not in payload["body"] + payload["subject"]
    message = build_message(payload, get_settings())
    parts = {part.get_content_type(): part for part in message.iter_attachments()}
    ics = parts["text/calendar"]
    assert ics.get_filename() == "plan-review.ics"
    assert "DTSTART;VALUE=DATE:20261214" in ics.get_content()
