"""The hub manager's journey in a real Chromium: on a phone, a hub worker adds a weekly SMART
Recovery group and ticks in two anonymous visitors and one client; the manager opens the
month's report, sees the attendance chart and downloads its CSV; the client sees the session
in the portal. axe-core finds nothing serious on any new page.
"""

from __future__ import annotations

import csv
import io
import re

from playwright.async_api import Browser, Page, expect

from directory.sessions.services import today
from hub import clock
from hub.tables import ClientAccount
from tests.directory.factories import location, make_service
from tests.e2e.conftest import PageProblems, new_context
from tests.e2e.helpers import assert_accessible, sign_in_portal, sign_in_staff
from tests.plans.factories import team
from tests.support import make_organisation, make_staff, password_hash

PHONE = {"width": 375, "height": 740}


async def _worker_adds_the_group_and_ticks_people_in(phone: Page) -> None:
    day = today()
    await phone.goto("/sessions")
    await assert_accessible(phone)
    await phone.get_by_role("link", name="Add a session").tap()
    await expect(phone.get_by_role("heading", level=1)).to_have_text(
        "Add a session to the timetable"
    )
    await assert_accessible(phone)
    await phone.get_by_label("Title").fill("SMART Recovery group")
    await phone.get_by_label("Organisation that runs it").select_option(label="Positive Steps")
    await phone.get_by_label("Need it meets").select_option(label="Substance use")
    await phone.get_by_label("Place", exact=True).select_option(index=1)
    await phone.get_by_label("Every week").check()
    await phone.locator("#first_date-day").fill(str(day.day))
    await phone.locator("#first_date-month").fill(str(day.month))
    await phone.locator("#first_date-year").fill(str(day.year))
    await phone.get_by_label("Starts at").fill("18:30")
    await phone.get_by_label("Ends at").fill("20:00")
    await phone.get_by_role("button", name="Save session").tap()
    await expect(phone.get_by_role("heading", level=1)).to_have_text("SMART Recovery group")
    await assert_accessible(phone)

    await phone.get_by_role("link", name=f"Register for {day:%A %-d %B}").tap()
    await expect(phone).to_have_url(re.compile(r"/register/"))
    await assert_accessible(phone)
    await phone.get_by_label("How many").fill("2")
    await phone.get_by_role("button", name="Tick in visitors").tap()
    await expect(phone.locator("#added")).to_contain_text("2 people here")
    await phone.get_by_label("Name", exact=True).fill("Robin")
    await phone.get_by_role("button", name="Find").tap()
    await phone.get_by_role("button", name="Tick in Robin Client").tap()
    await expect(phone.locator("#added")).to_contain_text("3 people here")
    await expect(phone.get_by_role("main")).to_contain_text("Robin Client")
    await assert_accessible(phone)
    width = await phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the register scrolls sideways on a phone ({width}px)"


async def _manager_reads_the_report(page: Page, email: str) -> None:
    await sign_in_staff(page, email)
    await page.get_by_role("link", name="Reports").first.click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Monitoring")
    await page.goto(f"/reports?month={today():%Y-%m}")
    figure = page.locator("#visits-by-session")
    await expect(figure.locator("svg title")).to_have_text("Attendance by session")
    await expect(figure.locator("svg")).to_contain_text("SMART Recovery group")
    await expect(figure.get_by_role("table")).to_contain_text("fewer than 5")
    await assert_accessible(page)
    async with page.expect_download() as waiting:
        await figure.get_by_role("link", name="Download “Attendance by session” (CSV)").click()
    download = await waiting.value
    path = await download.path()
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert rows[0] == ["section", "figure", "label", "count"]
    assert ["Visits", "Attendance by session", "SMART Recovery group", "fewer than 5"] in rows
    for path_next in ("/reports/summary?month=" + f"{today():%Y-%m}", "/reports/partners"):
        await page.goto(path_next)
        await expect(page.get_by_role("heading", level=1)).to_be_visible()
        await assert_accessible(page)
    await page.goto("/sessions")
    await page.get_by_role("link", name="SMART Recovery group").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("SMART Recovery group")
    await page.get_by_role("link", name="Feedback sheet (QR code)").click()
    await expect(page.locator(".wa-qr svg")).to_be_visible()
    await assert_accessible(page)
    feedback_link = await page.locator("strong").filter(has_text="/feedback/session/").inner_text()
    await page.goto("/feedback/session/" + feedback_link.rsplit("/", 1)[-1])
    await assert_accessible(page)


async def test_hub_session_register_and_report(
    browser: Browser, server_url: str, page: Page
) -> None:
    t = await team()
    await make_organisation("Positive Steps")
    await make_service(
        t.net.hub, name="Hub drop-in", locations=[location(t.net.hub, name="Lochee Hub")]
    )
    manager = await make_staff(t.net.hub, is_org_admin=True)
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
    phone_context = await new_context(
        browser, server_url, viewport=PHONE, is_mobile=True, has_touch=True
    )
    try:
        phone = await phone_context.new_page()
        problems = PageProblems()
        problems.watch(phone)
        await sign_in_staff(phone, t.net.hub_worker.email)
        await _worker_adds_the_group_and_ticks_people_in(phone)
        await phone_context.clear_cookies()  # the client's own phone, as it were
        await sign_in_portal(phone, "robin")
        await phone.goto("/portal/sessions")
        await expect(phone.get_by_role("main")).to_contain_text(
            "SMART Recovery group (Positive Steps): 1 time"
        )
        await assert_accessible(phone)
        assert not problems.console_errors, problems.console_errors
        assert not problems.failed_requests, problems.failed_requests
    finally:
        await phone_context.close()
    await _manager_reads_the_report(page, manager.email)
