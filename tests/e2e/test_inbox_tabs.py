"""The partner's inbox in a browser: each tab shows its count and holds only the statuses its
name says, at 360 px and on a desktop."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Browser, expect

from referrals.lifecycle import GROUP_STATUSES, INBOX_GROUPS, STATUS_LABELS
from tests.e2e.conftest import new_context
from tests.e2e.helpers import assert_accessible, sign_in_staff
from tests.referrals.factories import network
from tests.referrals.inbox_support import one_of_each_status

COUNTS = {"new": 1, "awaiting": 1, "accepted": 1, "in_progress": 1, "on_hold": 1, "closed": 2}


@pytest.mark.parametrize("width", [360, 1280])
async def test_each_tab_holds_the_statuses_it_names(
    browser: Browser, server_url: str, width: int
) -> None:
    net = await network()
    await one_of_each_status(net)
    context = await new_context(browser, server_url, viewport={"width": width, "height": 800})
    try:
        page = await context.new_page()
        await sign_in_staff(page, net.partner_worker.email)
        await page.goto("/referrals")
        stages = page.get_by_role("navigation", name="Stages")
        await expect(stages).to_contain_text("All (7)")
        await assert_accessible(page)
        for group, label in INBOX_GROUPS.items():
            await stages.get_by_role("link", name=f"{label} ({COUNTS[group]})").click()
            await expect(stages.get_by_text(f"{label} ({COUNTS[group]})")).to_have_attribute(
                "aria-current", "page"
            )
            rows = page.locator("#referral-results tbody tr")
            await expect(rows).to_have_count(COUNTS[group])
            allowed = {STATUS_LABELS[status] for status in GROUP_STATUSES[group]}
            texts = await rows.locator("td:nth-child(4) .govuk-tag").all_inner_texts()
            assert len(texts) == COUNTS[group]
            for text in texts:
                assert text.strip() in allowed, f"{text!r} under the {label!r} tab"
            await expect(page).to_have_url(re.compile(f"group={group}"))
        await assert_accessible(page)
    finally:
        await context.close()
