"""Phone numbers and e-mail addresses are links on the service page and the shared list."""

from __future__ import annotations

import uuid

import pytest
from playwright.async_api import Browser, Page, expect

from directory import schemas
from tests.directory.factories import make_service, need
from tests.e2e.conftest import new_context
from tests.e2e.helpers import assert_accessible, hub_worker, sign_in_staff
from tests.support import make_organisation

PHONE = schemas.Phone(id=uuid.uuid4(), number="01382 432 000", extension="21")


async def _housing_service() -> schemas.ServiceRecord:
    partner = await make_organisation(name="Housing First")
    return await make_service(
        partner,
        name="Housing First tenancy support",
        terms=[need("housing")],
        phones=[PHONE],
        email="help@housingfirst.example",
    )


async def _check_links(page: Page, service_id: uuid.UUID) -> None:
    await page.goto(f"/directory/services/{service_id}")
    phone = page.get_by_role("link", name="01382 432 000 ext. 21")
    await expect(phone).to_have_attribute("href", "tel:01382432000;ext=21")
    mail = page.get_by_role("link", name="help@housingfirst.example")
    await expect(mail).to_have_attribute("href", "mailto:help@housingfirst.example")
    await assert_accessible(page)

    await page.goto("/directory?q=housing")
    await page.get_by_role("button", name="Add Housing First tenancy support to the list").click()
    await expect(
        page.get_by_role("button", name="Remove Housing First tenancy support from the list")
    ).to_be_visible()
    await page.goto("/directory/list")
    await page.get_by_role("button", name="Share a link").click()
    await page.get_by_role("link", name="Open the link").click()
    await expect(page.get_by_role("heading", name="Services that can help")).to_be_visible()
    await expect(page.get_by_role("link", name="01382 432 000")).to_have_attribute(
        "href", "tel:01382432000"
    )
    await assert_accessible(page)


async def test_numbers_and_addresses_are_links_on_a_desktop(page: Page) -> None:
    member, _ = await hub_worker()
    service = await _housing_service()
    await sign_in_staff(page, member.email)
    await _check_links(page, service.id)


@pytest.mark.parametrize("width", [360])
async def test_numbers_are_links_on_a_phone(browser: Browser, server_url: str, width: int) -> None:
    member, _ = await hub_worker()
    service = await _housing_service()
    context = await new_context(browser, server_url, viewport={"width": width, "height": 740})
    try:
        page = await context.new_page()
        await sign_in_staff(page, member.email)
        await _check_links(page, service.id)
    finally:
        await context.close()
