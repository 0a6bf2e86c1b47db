"""A referral's closed loop in a real Chromium: a hub worker refers a client to Housing First,
a Housing First worker opens, accepts and later completes it, and the hub worker is told of
each step under Notifications. axe-core must find nothing serious on the way.
"""

from __future__ import annotations

import re
from uuid import UUID

from playwright.async_api import Browser, Page, expect

from consent.vocabulary import CONTACT, HOUSING, IDENTITY
from hub.tables import Staff
from referrals.tables import Referral
from tests.consent.factories import consent_to, registered_client
from tests.directory.factories import make_service, need
from tests.e2e.conftest import PageProblems, new_context
from tests.e2e.helpers import assert_accessible, sign_in_staff
from tests.support import make_organisation, make_staff

REFERRAL_URL = re.compile(r"/referrals/[0-9a-f-]{36}$")
SERVICE = "Housing First tenancy support"


async def _network() -> tuple[Staff, Staff, UUID]:
    """A hub worker, a Housing First worker, and a client who agreed to share with them."""
    hub = await make_organisation("Lochee Hub", kind="hub")
    housing_first = await make_organisation("Housing First")
    hub_member = await make_staff(hub, name="Hana Hub")
    housing_member = await make_staff(housing_first, name="Pat Partner")
    listing = await make_service(
        housing_first, name=SERVICE, terms=[need("housing")], response_target_days=3
    )
    client = await registered_client(hub, full_name="Robin Client")
    await consent_to(
        client.id, [housing_first], [IDENTITY, CONTACT, HOUSING], obtained_by=hub_member
    )
    return hub_member, housing_member, listing.id


async def _hub_worker_sends_the_referral(page: Page, email: str, service_id: UUID) -> None:
    await sign_in_staff(page, email)
    await page.goto(f"/directory/services/{service_id}")
    await page.get_by_role("link", name=f"Refer a client to {SERVICE}").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(f"Refer a client to {SERVICE}")
    await page.get_by_label("Who are you referring?").select_option(
        label="Robin Client (born 2 January 1990)"
    )
    await page.get_by_role("button", name="Continue").click()
    await expect(page.get_by_label("Identity")).to_be_checked()
    await expect(page.get_by_label("Housing", exact=True)).to_be_checked()
    await assert_accessible(page)

    await page.get_by_role("button", name="Send referral").click()  # nothing filled in yet
    await expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter why the client wants this referral"
    )
    await assert_accessible(page)

    await page.get_by_label("Why do they want this? In the client's own words").fill(
        "I want a place of my own and help to keep it"
    )
    await page.get_by_label("Why are you referring them?").fill("Sofa surfing since March")
    await page.get_by_label("Soon (within a week)").check()
    await page.get_by_label("Phone call").check()
    await page.get_by_label("When is it safe to contact them? (optional)").fill("Mornings")
    await page.get_by_role("button", name="Send referral").click()
    await expect(page).to_have_url(REFERRAL_URL)
    await expect(page.get_by_role("heading", level=1)).to_have_text(f"Referral to {SERVICE}")
    await expect(page.get_by_role("main").locator(".govuk-tag").first).to_have_text("Requested")
    await assert_accessible(page)


async def _hub_worker_is_told(page: Page, words: str) -> None:
    await page.goto("/notifications")
    await expect(page.get_by_role("main")).to_contain_text(words)
    await assert_accessible(page)


async def test_a_referral_goes_round_the_loop(
    page: Page, browser: Browser, server_url: str
) -> None:
    hub_member, housing_member, service_id = await _network()
    await _hub_worker_sends_the_referral(page, hub_member.email, service_id)

    office = await new_context(browser, server_url, viewport={"width": 1280, "height": 900})
    try:
        partner = await office.new_page()
        problems = PageProblems()
        problems.watch(partner)
        await sign_in_staff(partner, housing_member.email)
        await expect(
            partner.get_by_role("link", name=re.compile("Notifications 1 unread"))
        ).to_be_visible()
        await partner.get_by_role("link", name="Referrals", exact=True).click()
        await expect(partner.get_by_role("heading", level=1)).to_have_text("Referrals")
        await expect(partner.get_by_role("main")).to_contain_text("New (1)")
        await assert_accessible(partner)

        await partner.get_by_role("link", name="Robin Client").click()
        await expect(partner.get_by_role("main")).to_contain_text("Sofa surfing since March")
        await assert_accessible(partner)
        await _hub_worker_is_told(page, f"Referral to {SERVICE}")
        await expect(page.get_by_role("main")).to_contain_text("opened")

        await partner.get_by_role("button", name="Accept").click()
        await expect(partner.locator(".govuk-notification-banner")).to_contain_text(
            "The referral has been updated."
        )
        await expect(partner.get_by_role("main").locator(".govuk-tag").first).to_have_text(
            "Accepted"
        )
        await assert_accessible(partner)
        await _hub_worker_is_told(page, "accepted")

        await partner.get_by_text("Complete this referral").click()
        await partner.get_by_label("Outcome", exact=True).select_option(label="Need met")
        await partner.get_by_role("button", name="Complete", exact=True).click()
        await expect(partner.get_by_role("main").locator(".govuk-tag").first).to_have_text(
            "Completed"
        )
        await expect(partner.get_by_role("main")).to_contain_text(
            "The client's details are no longer shared with Housing First"
        )
        await expect(partner.get_by_role("main")).not_to_contain_text("Robin Client")
        await assert_accessible(partner)
        assert not problems.console_errors, problems.console_errors
        assert not problems.failed_requests, problems.failed_requests
    finally:
        await office.close()

    await _hub_worker_is_told(page, "completed")
    await page.get_by_role("link", name=re.compile(": completed")).click()
    await expect(page).to_have_url(REFERRAL_URL)
    await expect(page.get_by_role("main")).to_contain_text("Need met")
    await expect(page.get_by_role("main")).to_contain_text("Robin Client")
    row = await Referral.select(Referral.status, Referral.outcome_code).first()
    assert row == {"status": "completed", "outcome_code": "need_met"}
