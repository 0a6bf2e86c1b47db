"""Review and closing pages over HTTP: the ratings grid, errors, the calendar invite, the
lead's home panel, and closing support."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from hub.tables import OutboxJob
from plans import content
from plans.closing import outcome_field
from plans.schemas import GoalForm
from plans.tables import Goal, Plan, Rating, Review
from tests.consent.fixtures import client, other_client, pooled
from tests.plans.factories import Team
from tests.plans.test_reviews import TODAY, led_team, review_form
from tests.support import post_form, sign_in

__all__ = ["client", "other_client", "pooled"]  # browsers on one shared app (tests/consent)


async def _lead_signed_in(browser: Any) -> Team:
    t = await led_team()
    response = await sign_in(browser, t.net.partner_worker.email)
    assert response.status_code == 303
    return t


def _review_fields(**extra: str) -> dict[str, str]:
    return {
        "held_on-day": str(TODAY.day),
        "held_on-month": str(TODAY.month),
        "held_on-year": str(TODAY.year),
        "participants": "Robin and Pat",
        "notes": "Going well",
        "decisions": "Carry on",
        **extra,
    }


async def test_lead_records_a_review_through_the_form(client: Any) -> None:
    t = await _lead_signed_in(client)
    url = f"/plans/{t.net.client.id}/reviews/new"
    page = await client.get(url)
    assert page.status_code == 200
    assert "Record a review" in page.text
    assert page.text.count("The client&#39;s rating") == 8
    assert '<label class="govuk-label" for="client_home">' in page.text
    assert 'name="held_on-day"' in page.text
    assert f'value="{TODAY.day}"' in page.text

    bad = await post_form(
        client,
        url,
        _review_fields(
            **{
                "next_review_on-day": "20",
                "next_review_on-month": "11",
                "next_review_on-year": "2026",
            },
            worker_money="6",
        ),
    )
    assert bad.status_code == 422
    assert "There is a problem" in bad.text
    summary = bad.text.split("govuk-error-summary__list", 1)[1].split("</ul>", 1)[0]
    assert summary.index('href="#worker_money"') < summary.index('href="#next_review_on"')
    assert "Robin and Pat" in bad.text  # what was typed is kept
    assert await Review.count() == 0

    good = await post_form(client, url, _review_fields(client_home="4", worker_home="6"))
    assert good.status_code == 303
    assert good.headers["location"] == f"/plans/{t.net.client.id}?done=review"
    assert await Rating.count() == 1
    plan = await Plan.select(Plan.next_review_on).first()
    assert plan == {"next_review_on": TODAY + timedelta(weeks=6)}

    listing = await client.get(f"/plans/{t.net.client.id}/reviews")
    assert listing.status_code == 200
    assert "Going well" in listing.text
    assert "14 December 2026" in listing.text


async def test_plan_page_shows_the_progress_chart_and_table(client: Any) -> None:
    t = await _lead_signed_in(client)
    url = f"/plans/{t.net.client.id}/reviews/new"
    await post_form(client, url, _review_fields(client_home="4", worker_home="6"))
    page = await client.get(f"/plans/{t.net.client.id}")
    assert page.status_code == 200
    assert 'role="img"' in page.text
    assert "Where I live: ratings at each review" in page.text
    assert 'govuk-table__cell--numeric">4<' in page.text


async def test_calendar_invite_downloads_and_emails(client: Any) -> None:
    from plans import reviews

    t = await _lead_signed_in(client)
    await reviews.record_review(t.net.recipient, t.net.client.id, review_form())
    ics = await client.get(f"/plans/{t.net.client.id}/review.ics")
    assert ics.status_code == 200
    assert ics.headers["content-type"].startswith("text/calendar")
    assert ics.headers["content-disposition"] == 'attachment; filename="plan-review.ics"'
    assert "DTSTART;VALUE=DATE:20261214\r\n" in ics.text
    assert ics.headers["cache-control"] == "no-store"

    sent = await post_form(
        client,
        f"/plans/{t.net.client.id}/review-invite",
        {},
        form_page=f"/plans/{t.net.client.id}/reviews",
    )
    assert sent.status_code == 303
    assert sent.headers["location"] == f"/plans/{t.net.client.id}/reviews?done=invite"
    payloads = [json.loads(r["payload"]) for r in await OutboxJob.select(OutboxJob.payload)]
    assert [p["to"] for p in payloads if "attachment" in p] == [t.net.partner_worker.email]


async def test_others_cannot_record_reviews_or_close(client: Any, other_client: Any) -> None:
    t = await led_team()
    await sign_in(client, t.net.hub_worker.email)  # sees the whole plan, is not the lead
    assert (await client.get(f"/plans/{t.net.client.id}/reviews/new")).status_code == 403
    assert (await client.get(f"/plans/{t.net.client.id}/close")).status_code == 403
    assert (await client.get(f"/plans/{t.net.client.id}/reviews")).status_code == 200
    async with other_client() as outsider:
        await sign_in(outsider, t.net.outsider_worker.email)
        for path in ("reviews/new", "reviews", "review.ics", "close"):
            response = await outsider.get(f"/plans/{t.net.client.id}/{path}")
            assert response.status_code == 404, path


async def test_lead_home_page_lists_clients_with_review_tags(client: Any) -> None:
    from plans import reviews

    t = await _lead_signed_in(client)
    held = TODAY - timedelta(weeks=7)  # so the next review was due a week ago
    await reviews.record_review(t.net.recipient, t.net.client.id, review_form(held))
    home = await client.get("/")
    assert home.status_code == 200
    assert "Clients you lead" in home.text
    assert "Robin Client" in home.text
    assert "Review overdue" in home.text


async def test_lead_closes_support_through_the_form(client: Any) -> None:
    t = await _lead_signed_in(client)
    goal_id = await content.add_goal(t.client_principal, t.net.client.id, GoalForm(words="A home"))
    url = f"/plans/{t.net.client.id}/close"
    page = await client.get(url)
    assert page.status_code == 200
    assert "“A home”" in page.text
    assert f'name="{outcome_field(goal_id)}"' in page.text

    bad = await post_form(client, url, {"closure_note": "Done"})
    assert bad.status_code == 422
    assert f'href="#{outcome_field(goal_id)}"' in bad.text
    assert (await Plan.select(Plan.status).first()) == {"status": "open"}

    good = await post_form(
        client, url, {"closure_note": "Moved on", outcome_field(goal_id): "achieved"}
    )
    assert good.status_code == 303
    assert good.headers["location"] == f"/plans/{t.net.client.id}?done=closed"
    assert (await Plan.select(Plan.status).first()) == {"status": "closed"}
    assert (await Goal.select(Goal.outcome).first()) == {"outcome": "achieved"}
    closed = await client.get(f"/plans/{t.net.client.id}")
    assert closed.status_code == 200
    assert "Moved on" in closed.text
    assert (await client.get(url)).status_code == 403
