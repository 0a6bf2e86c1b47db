"""Listings not checked for six months: flagged on pages, e-mailed once by a daily outbox job."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from app import JOB_HANDLERS
from directory.listings.staleness import (
    STALENESS_JOB,
    ensure_staleness_job,
    run_staleness_check,
    staleness_check_job,
)
from directory.tables import Service
from hub import clock, outbox
from hub.mail import EMAIL_JOB
from hub.tables import OutboxJob
from tests.directory.factories import make_service
from tests.directory.listings_support import browser, org_with_admin, post, signed_in
from tests.support import make_staff


@pytest.fixture
async def client():
    """A browser on the app these tests share (overrides the fresh-app one)."""
    async with browser() as web:
        yield web


START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


async def _emails() -> list[dict[str, str]]:
    rows = await OutboxJob.select(OutboxJob.payload).where(OutboxJob.kind == EMAIL_JOB)
    return [json.loads(row["payload"]) for row in rows]


async def _pending_checks() -> list[datetime]:
    rows = await OutboxJob.select(OutboxJob.run_after).where(
        (OutboxJob.kind == STALENESS_JOB) & (OutboxJob.status == "pending")
    )
    return [row["run_after"] for row in rows]


async def test_stale_listings_are_flagged_to_their_admins_on_pages(client):
    clock.freeze(START)
    organisation, admin = await org_with_admin("Peer Support")
    fresh = await make_service(organisation, name="Peer Café")
    old = await make_service(
        organisation, name="Walking Group", verified_at=START - timedelta(days=200)
    )
    await signed_in(client, admin)
    listings = await client.get("/directory/listings")
    assert "1 listing has not been checked for six months" in listings.text
    row = listings.text.split("Walking Group")[1].split("</tr>")[0]
    assert "Not recently checked — please check" in row
    assert "Not recently checked" not in listings.text.split("Peer Café")[1].split("</tr>")[0]
    home = await client.get("/")
    assert 'hx-get="/directory/listings/attention"' in home.text
    panel = await client.get("/directory/listings/attention")
    assert "1 of your listings has not been checked for six months" in panel.text
    detail = await client.get(f"/directory/services/{old.id}")
    assert "Not recently checked" in detail.text
    assert "Not recently checked" not in (await client.get(f"/directory/services/{fresh.id}")).text
    # A worker's home page has no admin panel.
    worker = await make_staff(organisation)
    await signed_in(client, worker)
    assert "/directory/listings/attention" not in (await client.get("/")).text


async def test_the_daily_job_emails_each_newly_stale_listing_once(client):
    clock.freeze(START)
    organisation, admin = await org_with_admin("Housing Office")
    second_admin = await make_staff(organisation, is_org_admin=True)
    await make_staff(organisation)  # not an admin: no e-mail
    await make_staff(organisation, is_org_admin=True, active=False)  # deactivated: no e-mail
    listing = await make_service(organisation, name="Tenancy Advice")
    other_org, other_admin = await org_with_admin("Pharmacy")
    await make_service(other_org, name="Needle Exchange", verified_at=START - timedelta(days=190))

    assert await ensure_staleness_job() is True
    assert await ensure_staleness_job() is False  # never a second chain
    assert await outbox.run_once(JOB_HANDLERS, "test-worker") == 1
    emails = await _emails()
    assert [e["to"] for e in emails] == [other_admin.email]
    assert emails[0]["subject"] == "A listing needs checking"
    body = emails[0]["body"]
    assert "Needle Exchange (last checked 24 August 2025)" in body
    assert "@" not in body  # nobody's name or address: the listing and a link, nothing else
    assert await _pending_checks() == [START + timedelta(days=1)]

    clock.advance(timedelta(days=184))  # Tenancy Advice goes stale too
    await staleness_check_job({})
    emails = await _emails()
    about_tenancy = [e for e in emails if "Tenancy Advice" in e["body"]]
    assert sorted(e["to"] for e in about_tenancy) == sorted([admin.email, second_admin.email])
    assert f"/directory/listings/{listing.id}" in about_tenancy[0]["body"]
    assert len(emails) == 3  # the pharmacy was not told again
    assert len(await _pending_checks()) == 1  # still exactly one daily check queued

    clock.advance(timedelta(days=1))
    assert await run_staleness_check() == 0
    # Checking the listing resets it: when it goes stale again, its admins hear again.
    await signed_in(client, admin)
    assert (await post(client, f"/directory/listings/{listing.id}/verify", {})).status_code == 303
    row = await Service.select(Service.staleness_notified_at).where(Service.id == listing.id)
    assert row[0]["staleness_notified_at"] is None
    clock.advance(timedelta(days=190))
    assert await run_staleness_check() == 1
