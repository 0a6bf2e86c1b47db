"""A client asks for everything held about them in the portal, reads the summary, downloads it."""

from __future__ import annotations

import io
import json
import zipfile

from playwright.async_api import Page, expect

import app  # noqa: F401 - registers every feature's holdings of personal data
from tests.e2e.helpers import assert_accessible, portal_client, sign_in_portal


async def test_a_client_downloads_everything_held_about_them(page: Page) -> None:
    username = await portal_client()
    await sign_in_portal(page, username)
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
    assert data["sections"]["Identity"][0]["full_name"]
    assert "Everything held about" in page_text
