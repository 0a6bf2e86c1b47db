"""The new API token has a Copy button (a progressive enhancement): it puts the token on the
clipboard and says so; without scripts the button is not shown and the box stays selectable."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Browser, Page, expect

from hub.accounts import api_tokens
from tests.e2e.conftest import new_context
from tests.e2e.helpers import assert_accessible, sign_in_staff
from tests.support import make_organisation, make_staff


async def _new_token(page: Page, email: str) -> str:
    await sign_in_staff(page, email)
    await page.goto("/admin/api-tokens/new")
    await page.get_by_label("Name").fill("Case system")
    await page.get_by_label(api_tokens.SCOPES[api_tokens.READ]).check()
    await page.get_by_role("button", name="Make token").click()
    box = page.get_by_label("Token")
    await expect(box).to_have_value(re.compile(r"^wa_"))
    return await box.input_value()


@pytest.mark.parametrize("width", [360, 1280])
async def test_the_copy_button_puts_the_token_on_the_clipboard(
    browser: Browser, server_url: str, width: int
) -> None:
    partner = await make_organisation("Housing First")
    admin = await make_staff(partner, is_org_admin=True)
    context = await new_context(browser, server_url, viewport={"width": width, "height": 800})
    await context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server_url)
    try:
        page = await context.new_page()
        token = await _new_token(page, admin.email)
        await page.get_by_role("button", name="Copy the token").click()
        await expect(page.get_by_role("status")).to_contain_text("Copied")
        assert await page.evaluate("navigator.clipboard.readText()") == token
        await assert_accessible(page)
    finally:
        await context.close()


async def test_without_scripts_the_token_box_is_still_there_to_select(
    browser: Browser, server_url: str
) -> None:
    partner = await make_organisation("Housing First")
    admin = await make_staff(partner, is_org_admin=True)
    context = await new_context(browser, server_url, java_script_enabled=False)
    try:
        page = await context.new_page()
        await _new_token(page, admin.email)
        await expect(page.get_by_role("button", name="Copy the token")).to_be_hidden()
        await expect(page.get_by_label("Token")).to_have_attribute("readonly", "readonly")
        await expect(page.get_by_label("Token")).to_be_editable(editable=False)
    finally:
        await context.close()
