"""A system admin registers a council's feed, pulls it and reads its problems; a hub worker
then finds a service that came from the feed. The feed is served on loopback."""

from __future__ import annotations

import csv
import re
import uuid
from pathlib import Path

from playwright.async_api import Page, expect

from tests.directory.feed_server import serve_feed
from tests.e2e.helpers import assert_accessible, hub_worker, sign_in_staff
from tests.support import make_organisation, make_staff

ORG = {"id": "3e8a9f10-4b2c-4d6e-8f1a-2b3c4d5e6f70", "name": "Riverside Wellbeing Trust"}


def listing(name: str, **fields: str) -> dict[str, object]:
    """One service as a council feed publishes it."""
    return {
        "id": str(uuid.uuid4()),
        "name": name,
        "description": "<h4>Who it is for</h4><p>Anyone who wants company&nbsp;&amp; a cuppa.</p>",
        "status": "active",
        "organization": dict(ORG),
        **fields,
    }


async def test_admin_registers_and_pulls_a_feed_and_a_worker_finds_its_service(
    page: Page, tmp_path: Path
) -> None:
    member, _ = await hub_worker()
    admin = await make_staff(await make_organisation("Hub Admins"), is_system_admin=True)
    with serve_feed() as feed:
        feed.pages = [
            [
                listing("Riverside Knit and Natter", url="www.riverside.example.org"),
                listing("Riverside Walking Football", email="play@riverside.example.org."),
            ]
        ]
        await sign_in_staff(page, admin.email)
        await page.goto("/admin/feeds")
        await assert_accessible(page)
        await page.get_by_label("Feed address").fill(feed.url)
        await page.get_by_label("Publisher").fill("Northshire Council")
        await page.get_by_role("button", name="Register feed").click()
        await expect(page.get_by_text("Feed registered.")).to_be_visible()
        await assert_accessible(page)
        await page.get_by_role("button", name="Pull Northshire Council now").click()
        await expect(page.get_by_text("Feed pulled.")).to_be_visible()
    await expect(page.get_by_text("created: 2")).to_be_visible()
    await assert_accessible(page)
    async with page.expect_download() as download_info:
        await page.get_by_role("link", name=re.compile("Problems report")).click()
    download = await download_info.value
    saved = tmp_path / "problems.csv"
    await download.save_as(saved)
    with saved.open(encoding="utf-8") as rows:
        kinds = {row["kind"] for row in csv.DictReader(rows)}
    assert "web address without https://, repaired" in kinds
    assert "punctuation trimmed from an address" in kinds

    await page.context.clear_cookies()
    await sign_in_staff(page, member.email)
    await page.goto("/directory")
    await page.get_by_label("What does the visitor need?").fill("knit")
    await page.get_by_role("button", name=re.compile("^Search")).click()
    result = page.get_by_role("link", name="Riverside Knit and Natter")
    await expect(result).to_be_visible()
    await result.click()
    await expect(page.get_by_text("Anyone who wants company & a cuppa.")).to_be_visible()
    assert "&nbsp;" not in await page.content()
    await assert_accessible(page)
