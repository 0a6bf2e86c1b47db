"""The client's consents on a phone and a desktop: each headed by organisation and purpose,
versions together, and a receipt number short enough to read over the phone."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Browser, expect

from consent.vocabulary import HOUSING, IDENTITY, PLAN, PLAN_SHARING
from tests.consent.factories import consent_to, involve, registered_client
from tests.e2e.conftest import new_context
from tests.e2e.helpers import assert_accessible, sign_in_portal
from tests.support import make_organisation

RECEIPT_NUMBER = re.compile(r"^WR-[2-9A-HJKMNP-TW-Z]{4}-[2-9A-HJKMNP-TW-Z]{2}$")


@pytest.mark.parametrize("width", [360, 1280])
async def test_two_housing_first_consents_can_be_told_apart(
    browser: Browser, server_url: str, width: int
) -> None:
    hub = await make_organisation("Lochee Hub", kind="hub")
    housing_first = await make_organisation("Housing First")
    person = await registered_client(hub, username="kez")
    await involve(person.id, housing_first)
    await consent_to(person.id, [housing_first], [IDENTITY, HOUSING])
    await consent_to(person.id, [housing_first], [IDENTITY, PLAN], [PLAN_SHARING])
    context = await new_context(browser, server_url, viewport={"width": width, "height": 800})
    try:
        page = await context.new_page()
        await sign_in_portal(page, "kez")
        await page.goto("/portal/consents")
        titles = page.locator(".govuk-summary-card__title")
        await expect(titles).to_have_text(
            [
                "Housing First, to share your support plan with the people helping you",
                "Housing First, to refer you and to join up the support you get",
            ]
        )
        await assert_accessible(page)
        await page.get_by_role(
            "button", name="See the receipt for Housing First, to refer you"
        ).click()
        number = page.locator("dt", has_text="Receipt number").locator("xpath=../dd")
        assert RECEIPT_NUMBER.match((await number.inner_text()).strip())
        await assert_accessible(page)
    finally:
        await context.close()
