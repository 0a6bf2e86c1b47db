"""Staff who look after a client's portal account turn it off, and the client's open portal
session ends at once; the account panel and the activation form pass axe-core."""

from __future__ import annotations

from playwright.async_api import Browser, Page, expect

from hub.tables import Organisation
from tests.consent.factories import registered_client
from tests.e2e.conftest import new_context
from tests.e2e.helpers import (
    assert_accessible,
    hub_worker,
    sign_in_portal,
    sign_in_staff,
)


async def test_staff_turn_a_portal_account_off_and_the_client_is_signed_out(
    page: Page, browser: Browser, server_url: str
) -> None:
    member, _ = await hub_worker()
    hub = await Organisation.objects().where(Organisation.id == member.organisation).first()
    assert hub is not None
    person = await registered_client(hub, full_name="Jo Bloggs", username="jo-portal")

    phone = await new_context(browser, server_url)
    try:
        portal = await phone.new_page()
        await sign_in_portal(portal, "jo-portal")
        await portal.goto("/portal/consents")
        await expect(portal.get_by_role("heading", level=1)).to_be_visible()

        await sign_in_staff(page, member.email)
        await page.goto(f"/clients/{person.id}")
        await expect(page.get_by_role("heading", name="Portal account")).to_be_visible()
        await expect(page.get_by_role("main")).to_contain_text("Last signed in")
        await assert_accessible(page)
        await page.get_by_role("button", name="Turn off portal account").click()
        await expect(page.get_by_role("main")).to_contain_text("Turned off")

        await portal.goto("/portal/consents")
        await expect(portal).to_have_url(f"{server_url}/portal/sign-in")
    finally:
        await phone.close()


async def test_the_activation_form_asks_for_the_date_of_birth(page: Page) -> None:
    await page.goto("/portal/activate")
    await expect(page.get_by_role("group", name="Your date of birth")).to_be_visible()
    await assert_accessible(page)
