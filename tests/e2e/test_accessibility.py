"""axe-core in a real Chromium: no serious or critical violations on the pages people use."""

from __future__ import annotations

import re

from playwright.async_api import Page, expect

from tests.e2e.helpers import (
    assert_accessible,
    hub_worker,
    portal_client,
    sign_in_portal,
    sign_in_staff,
)


async def test_staff_sign_in_page_and_its_error_state(page: Page) -> None:
    await page.goto("/sign-in")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Wraparound")
    await assert_accessible(page)

    await page.get_by_role("button", name="Sign in").click()
    await expect(page.locator(".govuk-error-summary")).to_be_visible()
    await assert_accessible(page)


async def test_hub_worker_home_page(page: Page) -> None:
    member, _ = await hub_worker()
    await sign_in_staff(page, member.email)
    await expect(page.get_by_role("heading", level=1)).to_contain_text(member.name)
    await assert_accessible(page)


async def test_portal_sign_in_and_home_pages(page: Page) -> None:
    username = await portal_client()
    await page.goto("/portal/sign-in")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to see your support")
    await assert_accessible(page)

    await sign_in_portal(page, username)
    await expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Jo")
    await assert_accessible(page)


async def test_register_a_client_page_and_its_error_state(page: Page) -> None:
    member, _ = await hub_worker()
    await sign_in_staff(page, member.email)
    await page.goto("/clients/new")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Register a client")
    await assert_accessible(page)

    await page.get_by_role("button", name="Register client").click()
    summary = page.locator(".govuk-error-summary")
    await expect(summary).to_contain_text("Enter the client's full name")
    await expect(page.get_by_label("Full name")).to_have_attribute(
        "aria-describedby", re.compile(r"full_name-error")
    )
    await assert_accessible(page)


async def test_org_admin_staff_list_page(page: Page) -> None:
    admin, organisation = await hub_worker(is_org_admin=True)
    await sign_in_staff(page, admin.email)
    await page.goto("/staff")
    await expect(page).to_have_url(re.compile(r"/organisations/[0-9a-f-]{36}/staff$"))
    await expect(page.get_by_role("table")).to_contain_text(admin.name)
    await expect(page.locator(".govuk-caption-l")).to_have_text(organisation)
    await assert_accessible(page)
