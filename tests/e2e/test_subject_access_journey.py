"""A client asks for everything held about them in the portal and downloads it, then asks for
an entry to be corrected; the organisation that recorded it corrects it, keeping the original.
axe-core on every new page: the pack, corrections (both sides), retention, erasure request."""

from __future__ import annotations

import io
import json
import zipfile

from playwright.async_api import Browser, Page, expect

import app  # noqa: F401 - registers every feature's holdings of personal data
from consent.vocabulary import HOUSING
from tests.consent.factories import note, registered_client
from tests.e2e.conftest import new_context
from tests.e2e.helpers import assert_accessible, sign_in_portal, sign_in_staff
from tests.support import make_organisation, make_staff


async def test_a_client_downloads_everything_held_and_has_an_entry_corrected(
    page: Page, browser: Browser, server_url: str
) -> None:
    hub = await make_organisation("Lochee Hub", kind="hub")
    admin = await make_staff(hub, is_org_admin=True, is_system_admin=True)
    person = await registered_client(hub, full_name="Jo Portal", username="jo-portal")
    await note(person.id, hub, HOUSING, "Lives at 12 Hill Street")
    await sign_in_portal(page, "jo-portal")
    await page.get_by_role("link", name="Everything held about you").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Everything held about")
    await expect(page.get_by_role("row", name="Identity 1")).to_be_visible()
    await assert_accessible(page)
    async with page.expect_download() as waiting:
        await page.get_by_role("button", name="Download the pack").click()
    download = await waiting.value
    path = await download.path()
    with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as bundle:
        data = json.loads(bundle.read("subject-access.json"))
        page_text = bundle.read("subject-access.html").decode()
    assert data["sections"]["Identity"][0]["full_name"] == "Jo Portal"
    assert "Everything held about" in page_text

    # Rectification: the client asks, from the portal
    await page.goto("/")
    await page.get_by_role("main").get_by_role("link", name="Correct your record").click()
    await expect(page.get_by_text("Lives at 12 Hill Street")).to_be_visible()
    await assert_accessible(page)
    await page.get_by_role("link", name="Ask for a correction").click()
    await page.get_by_role("button", name="Send my request").click()
    await expect(page.locator(".govuk-error-summary")).to_contain_text("Say what is wrong")
    await assert_accessible(page)
    await page.get_by_label("What is wrong?").fill("I moved in May")
    await page.get_by_label("What should it say?").fill("Lives at 3 Low Road")
    await page.get_by_role("button", name="Send my request").click()
    await expect(page.get_by_text("Your request was sent")).to_be_visible()
    await expect(page.get_by_role("cell", name="Waiting for an answer")).to_be_visible()

    # The recording organisation answers: corrects it, the original kept in the history
    staff_context = await new_context(browser, server_url, viewport={"width": 1280, "height": 900})
    try:
        staff = await staff_context.new_page()
        await sign_in_staff(staff, admin.email)
        await staff.get_by_role("link", name="Corrections").first.click()
        await assert_accessible(staff)
        await staff.get_by_role("table").get_by_role("link").first.click()
        await expect(staff.get_by_text("I moved in May")).to_be_visible()
        await assert_accessible(staff)
        await staff.get_by_label("What it should say").fill("Lives at 3 Low Road")
        await staff.get_by_role("button", name="Save the correction").click()
        await expect(staff.get_by_role("heading", level=1)).to_have_text("Correction requests")
        await staff.goto(f"/clients/{person.id}")
        await staff.get_by_text("Corrected: how it read before (1)").click()
        await expect(staff.get_by_text("Lives at 12 Hill Street")).to_be_visible()
        await assert_accessible(staff)
        await staff.get_by_role("link", name="Retention").first.click()  # the schedule
        await expect(staff.get_by_role("table").first).to_contain_text("Closed referrals")
        await assert_accessible(staff)
    finally:
        await staff_context.close()
    await page.reload()
    await expect(page.get_by_role("cell", name="Corrected", exact=True)).to_be_visible()
    await page.goto("/portal/erase")  # and where they could ask for erasure
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        "Ask for your records to be erased"
    )
    await assert_accessible(page)
