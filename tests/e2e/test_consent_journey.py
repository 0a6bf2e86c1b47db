"""The consent journey in a real Chromium: staff register a client and record consent to
share housing and contact details with Housing First; the client signs into the portal on a
phone, reads the receipt and withdraws. axe-core must find nothing serious on the way.
"""

from __future__ import annotations

import re

from playwright.async_api import Browser, Page, expect

from consent.tables import Consent
from tests.e2e.conftest import PageProblems, new_context
from tests.e2e.helpers import HOME_URL, assert_accessible, hub_worker, sign_in_staff
from tests.support import make_organisation

CODE = re.compile(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}")
CLIENT_PASSWORD = "three words remembered"


async def _staff_register_and_record_consent(page: Page) -> str:
    member, _ = await hub_worker()
    await make_organisation("Housing First")
    await sign_in_staff(page, member.email)

    await page.get_by_role("link", name="Register a client").first.click()
    await page.get_by_label("Full name").fill("Kerry Smith")
    await page.get_by_label("Preferred name (optional)").fill("Kez")
    await page.get_by_label("Day").fill("3")
    await page.get_by_label("Month").fill("11")
    await page.get_by_label("Year").fill("1979")
    await page.get_by_label("Phone (optional)").fill("07700 900123")
    await page.get_by_label("Text message").check()
    await page.get_by_role("button", name="Register client").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Kerry Smith")

    await page.get_by_role("button", name="Record consent").click()
    await assert_accessible(page)
    await page.get_by_label("Housing First").check()
    await page.get_by_label("Housing", exact=True).check()
    await page.get_by_label("Contact details").check()
    await page.get_by_label("Referral and coordination of support").check()
    await page.get_by_label("Spoken (told a member of staff)").check()
    await page.get_by_label("The client has capacity to make this decision").check()
    await page.get_by_role("button", name="Record consent").click()
    receipt = page.get_by_role("main")
    await expect(receipt).to_contain_text(
        "You agreed that Housing First may see your contact details and housing."
    )
    await assert_accessible(page)

    await page.get_by_role("link", name="Back to the record").click()
    await page.get_by_role("button", name="Make a portal invitation code").click()
    code = await page.locator(".wa-code").inner_text()
    assert CODE.fullmatch(code)
    return code


async def test_staff_record_consent_and_the_client_withdraws_it_in_the_portal(
    page: Page, browser: Browser, server_url: str
) -> None:
    code = await _staff_register_and_record_consent(page)

    phone = await new_context(
        browser, server_url, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    try:
        portal = await phone.new_page()
        problems = PageProblems()
        problems.watch(portal)
        await portal.goto("/portal/activate")
        await portal.get_by_label("Invitation code").fill(code)
        await portal.get_by_label("Day").fill("3")
        await portal.get_by_label("Month").fill("11")
        await portal.get_by_label("Year").fill("1979")
        await portal.get_by_label("Choose a username").fill("kez79")
        await portal.get_by_label("Choose a password").fill(CLIENT_PASSWORD)
        await portal.get_by_label("Type the password again").fill(CLIENT_PASSWORD)
        await portal.get_by_role("button", name="Set up my account").tap()
        await expect(portal).to_have_url(HOME_URL)

        await portal.get_by_role("link", name="Who can see your information").tap()
        await expect(portal.get_by_role("heading", level=1)).to_have_text(
            "Who can see your information"
        )
        await expect(portal.get_by_role("main")).to_contain_text(
            "Housing First can see your contact details and housing"
        )
        await assert_accessible(portal)
        wide = await portal.evaluate("document.documentElement.scrollWidth")
        assert wide <= 390, f"the portal scrolls sideways on a phone ({wide}px)"

        await portal.get_by_role("button", name="See the receipt for Housing First").tap()
        await expect(portal.get_by_role("heading", level=1)).to_have_text("Your consent receipt")
        await expect(portal.get_by_role("main")).to_contain_text("How to stop or change it")
        await assert_accessible(portal)

        await portal.get_by_role("button", name="Stop sharing").tap()
        await expect(portal.get_by_role("heading", level=1)).to_have_text(
            "Stop sharing with Housing First?"
        )
        await assert_accessible(portal)
        await portal.get_by_role("button", name="Yes, stop sharing").tap()
        await expect(portal.locator(".govuk-notification-banner")).to_contain_text(
            "You have stopped sharing"
        )
        await assert_accessible(portal)

        await portal.goto("/portal/who-saw")
        await expect(portal.get_by_role("heading", level=1)).to_have_text("Who saw your record")
        await expect(portal.get_by_role("main")).to_contain_text("saw your")
        await assert_accessible(portal)
        assert not problems.console_errors, problems.console_errors
        assert not problems.failed_requests, problems.failed_requests
    finally:
        await phone.close()
    row = await Consent.select(Consent.withdrawn_reason, Consent.withdrawn_how).first()
    assert row == {"withdrawn_reason": "withdrawn", "withdrawn_how": "portal"}
