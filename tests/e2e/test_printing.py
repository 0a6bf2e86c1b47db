"""Pages handed to a person (the visitor's sheet, a consent receipt, the client's plan copy) have
a Print button that is hidden in print; printed, they are black on white with no navigation or
buttons, the hub's phone number and the date head every page and no entry splits across pages.
"""

from __future__ import annotations

import io
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.async_api import Browser, Page, expect
from pypdf import PdfReader

from directory import schemas
from directory.signposting.services import add_service, hand_over
from hub import clock
from hub.tables import ClientAccount
from tests.consent.factories import principal
from tests.directory.factories import make_service, need
from tests.e2e.conftest import HUB_PHONE, new_context
from tests.e2e.helpers import assert_accessible, sign_in_portal, sign_in_staff
from tests.plans.factories import Team, team
from tests.support import password_hash

WIDTHS = [360, 1280]
SHEET_SERVICES = 14  # enough for several printed pages


async def _seed() -> Team:
    t = await team()
    now = clock.now()
    await ClientAccount.insert(
        ClientAccount(
            client=t.net.client.id,
            username="robin",
            password_hash=password_hash(),
            active=True,
            created_at=now,
            password_changed_at=now,
        )
    )
    return t


async def _long_sheet(t: Team) -> uuid.UUID:
    """A handed-over list of many services, each with its own phone number."""
    worker = principal(t.net.hub_worker, t.net.hub)
    for number in range(SHEET_SERVICES):
        record = await make_service(
            t.net.partner,
            name=f"Support service {number:02d}",
            description="Advice and a listening ear.\nDrop in or phone first.\nFree of charge.",
            terms=[need("housing")],
            phones=[schemas.Phone(id=uuid.uuid4(), number=f"01382 400 {number:03d}")],
        )
        await add_service(worker, record.id)
    return await hand_over(worker)


async def _assert_print_ready(page: Page, button: str) -> None:
    """The Print button shows on screen and disappears, with the navigation, in print."""
    print_button = page.get_by_role("button", name=button)
    await expect(print_button).to_be_visible()
    await expect(page.locator(".govuk-service-navigation")).to_be_visible()
    await assert_accessible(page)
    await page.emulate_media(media="print")
    try:
        await expect(print_button).to_be_hidden()
        await expect(page.locator(".govuk-service-navigation")).to_be_hidden()
        await expect(page.locator(".wa-header")).to_be_hidden()
        assert await page.locator("main button:visible").count() == 0
        colours = await page.evaluate(
            """() => [...document.querySelectorAll('main *')]
                .filter(e => e.offsetParent !== null)
                .map(e => getComputedStyle(e))
                .map(s => s.color + '|' + s.backgroundColor)"""
        )
        allowed = {"rgb(0, 0, 0)|rgb(255, 255, 255)", "rgb(0, 0, 0)|rgba(0, 0, 0, 0)"}
        assert set(colours) <= allowed, f"not black on white: {set(colours) - allowed}"
    finally:
        await page.emulate_media(media="screen")


async def _printed(page: Page) -> list[str]:
    """The text of each page of an A4 print of `page`."""
    await page.emulate_media(media="print")
    pdf = await page.pdf(format="A4")
    await page.emulate_media(media="screen")
    return [sheet.extract_text() for sheet in PdfReader(io.BytesIO(pdf)).pages]


def _today() -> str:
    now = datetime.now(ZoneInfo("Europe/London"))
    return f"{now.day} {now:%B %Y}"


@pytest.mark.parametrize("width", WIDTHS)
async def test_the_visitors_sheet_prints_with_the_hub_phone_on_every_page(
    browser: Browser, server_url: str, width: int
) -> None:
    t = await _seed()
    list_id = await _long_sheet(t)
    context = await new_context(browser, server_url, viewport={"width": width, "height": 800})
    try:
        page = await context.new_page()
        await sign_in_staff(page, t.net.hub_worker.email)
        await page.goto(f"/directory/list/{list_id}/print")
        await _assert_print_ready(page, "Print the sheet")

        pages = await _printed(page)
        assert len(pages) > 1, "the sheet should need more than one page"
        for number, text in enumerate(pages, start=1):
            assert HUB_PHONE in text, f"page {number} lacks the hub's phone number"
            assert f"Printed {_today()}" in text, f"page {number} lacks the date"
            assert "Sign out" not in text
        for service in range(SHEET_SERVICES):
            name, phone = f"Support service {service:02d}", f"01382 400 {service:03d}"
            holding = [i for i, text in enumerate(pages) if name in text]
            assert len(holding) == 1, f"{name} printed on pages {holding}"
            assert phone in pages[holding[0]], f"{name} split from its phone number"
    finally:
        await context.close()


@pytest.mark.parametrize("width", WIDTHS)
async def test_a_consent_receipt_and_a_plan_copy_have_a_print_button(
    browser: Browser, server_url: str, width: int
) -> None:
    t = await _seed()
    context = await new_context(browser, server_url, viewport={"width": width, "height": 800})
    portal = await new_context(browser, server_url, viewport={"width": width, "height": 800})
    try:
        page = await context.new_page()
        await sign_in_staff(page, t.net.hub_worker.email)
        await page.goto(f"/consents/{t.net.consent_id}/receipt")
        await expect(page.get_by_role("heading", level=1)).to_have_text("Your consent receipt")
        await _assert_print_ready(page, "Print the receipt")
        text = "".join(await _printed(page))
        assert HUB_PHONE in text
        assert f"Printed {_today()}" in text

        client = await portal.new_page()
        await sign_in_portal(client, "robin")
        await client.goto(f"/portal/consents/{t.net.consent_id}")
        await _assert_print_ready(client, "Print the receipt")
        await client.goto("/portal/plan/copy")
        await expect(client.get_by_role("heading", level=1)).to_have_text("Your support plan")
        await _assert_print_ready(client, "Print your plan")
    finally:
        await context.close()
        await portal.close()


async def test_without_scripts_the_page_says_how_to_print(
    browser: Browser, server_url: str
) -> None:
    t = await _seed()
    context = await new_context(browser, server_url, java_script_enabled=False)
    try:
        page = await context.new_page()
        await sign_in_staff(page, t.net.hub_worker.email)
        await page.goto(f"/consents/{t.net.consent_id}/receipt")
        await expect(page.get_by_role("button", name="Print the receipt")).to_be_hidden()
        await expect(page.get_by_text("use your browser's Print (Ctrl+P)")).to_be_visible()
    finally:
        await context.close()
