"""On a 320-360 px phone the staff header fits (one-line "Menu", the name inside the blue bar)
and the search page shows results first, its filters behind a "Filter results" toggle that
works without scripts; on a desktop the filters stay open beside the results."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Browser, FloatRect, Page, expect

from tests.directory.factories import make_service, need
from tests.e2e.conftest import new_context
from tests.e2e.helpers import assert_accessible, sign_in_staff
from tests.support import make_organisation, make_staff

LONG_NAME = "Alexandra Worthington-Smythe"
TABLET = 641  # GOV.UK Frontend's tablet breakpoint: narrower screens get the Menu button


async def _worker_and_housing() -> str:
    hub = await make_organisation("Lochee Hub Community Centre", kind="hub")
    member = await make_staff(hub, name=LONG_NAME)
    partner = await make_organisation(name="Housing First")
    await make_service(partner, name="Housing First tenancy support", terms=[need("housing")])
    return member.email


async def _box(page: Page, selector: str) -> FloatRect:
    box = await page.locator(selector).first.bounding_box()
    assert box is not None, f"{selector} is not shown"
    return box


async def _assert_header_fits(page: Page, width: int) -> None:
    bar = await _box(page, ".wa-header")
    who = await _box(page, ".wa-header__who")
    assert who["y"] >= bar["y"], "the signed-in name rises out of the blue bar"
    assert who["y"] + who["height"] <= bar["y"] + bar["height"], "the name spills below the bar"
    if width < TABLET:
        menu = page.get_by_role("button", name="Menu")
        await expect(menu).to_be_visible()
        line = await menu.evaluate("e => parseFloat(getComputedStyle(e).lineHeight)")
        menu_box = await menu.bounding_box()
        assert menu_box is not None
        assert menu_box["height"] < 2 * line, "Menu wraps"
    wide = await page.evaluate("document.documentElement.scrollWidth")
    assert wide <= width, f"the page scrolls sideways at {width} px ({wide} px)"


@pytest.mark.parametrize("width", [320, 360])
async def test_a_phone_gets_a_header_that_fits_and_results_first(
    browser: Browser, server_url: str, width: int
) -> None:
    email = await _worker_and_housing()
    context = await new_context(browser, server_url, viewport={"width": width, "height": 740})
    try:
        page = await context.new_page()
        await sign_in_staff(page, email)
        await _assert_header_fits(page, width)
        await assert_accessible(page)

        await page.goto("/directory?q=housing")
        await _assert_header_fits(page, width)
        result = page.locator(".wa-result").first
        await expect(result).to_be_in_viewport()
        await expect(page.get_by_role("group", name="Need")).to_be_hidden()
        toggle = page.get_by_text("Filter results", exact=True)
        assert (await _box(page, ".wa-result"))["y"] < 740, "the first result is below the fold"
        await assert_accessible(page)

        await toggle.click()
        await expect(page.get_by_role("group", name="Need")).to_be_visible()
        await page.get_by_label("Housing").check()
        await expect(page.locator(".wa-result")).to_have_count(1)
        await assert_accessible(page)
    finally:
        await context.close()


async def test_the_filter_toggle_works_without_scripts(browser: Browser, server_url: str) -> None:
    email = await _worker_and_housing()
    context = await new_context(
        browser, server_url, viewport={"width": 360, "height": 740}, java_script_enabled=False
    )
    try:
        page = await context.new_page()
        await sign_in_staff(page, email)
        await page.goto("/directory?q=housing")
        await expect(page.get_by_label("Distance")).to_be_hidden()
        await page.get_by_text("Filter results", exact=True).click()
        await page.get_by_label("Distance").select_option("5")
        await page.get_by_role("button", name="Apply filters").click()
        await expect(page).to_have_url(re.compile(r"distance=5"))
    finally:
        await context.close()


async def test_a_desktop_shows_the_filters_beside_the_results(page: Page) -> None:
    email = await _worker_and_housing()
    await sign_in_staff(page, email)
    await page.goto("/directory?q=housing")
    await expect(page.get_by_text("Filter results", exact=True)).to_be_hidden()
    await expect(page.get_by_role("group", name="Need")).to_be_visible()
    filters = await _box(page, ".wa-filters__body")
    result = await _box(page, ".wa-result")
    assert filters["x"] < result["x"], "the filters should sit beside the results"
    await _assert_header_fits(page, 1280)
    await assert_accessible(page)
