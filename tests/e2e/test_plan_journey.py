"""The plan journey in a real Chromium: a client on a phone chooses a Housing First worker as
lead professional and lets Housing First see the plan; the lead adds a goal in the client's
words, actions for two organisations and a review with ratings; the client agrees the goal,
sees the progress chart on the phone and opens their copy. axe-core finds nothing serious on
any plan page.
"""

from __future__ import annotations

import re

from playwright.async_api import Browser, Page, expect

from hub import clock
from hub.tables import ClientAccount
from plans.tables import Action, Goal, LeadChoice, Rating
from plans.vocabulary import LEAD_EXPLANATION
from tests.e2e.conftest import PageProblems, new_context
from tests.e2e.helpers import assert_accessible, sign_in_portal, sign_in_staff
from tests.plans.factories import Team, team
from tests.support import password_hash

PHONE = {"width": 375, "height": 740}
GOAL = "I want a place of my own, near my sister"


async def _seed() -> Team:
    """Robin (hub-registered) has working referrals with Housing First and Peer Support, and a
    portal account; nobody may see the plan yet."""
    t = await team(plan_consent=False)
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


async def _client_chooses_the_lead(portal: Page) -> None:
    await sign_in_portal(portal, "robin")
    await portal.get_by_role("main").get_by_role("link", name="Your plan").tap()
    await expect(portal.get_by_role("heading", level=1)).to_have_text("Your plan")
    await assert_accessible(portal)

    await portal.get_by_role("button", name="Choose your lead professional").tap()
    await expect(portal.get_by_role("heading", level=1)).to_have_text(
        "Choose your lead professional"
    )
    await expect(portal.get_by_role("main")).to_contain_text(LEAD_EXPLANATION)
    await assert_accessible(portal)
    await portal.get_by_label("Pat Partner").check()
    await portal.get_by_role("button", name="Choose this person").tap()

    await expect(portal.get_by_role("heading", level=1)).to_have_text(
        "Can Housing First see your plan?"
    )
    await assert_accessible(portal)
    await portal.get_by_role("button", name="Yes, Housing First can see my plan").tap()
    await expect(portal.locator(".govuk-notification-banner")).to_contain_text(
        "Housing First can see your plan now"
    )


async def _add_action(page: Page, description: str, organisation: str, worker: str) -> None:
    form = page.locator("form[action$='/actions']")
    await form.get_by_label("Which goal is it for?").select_option(label=GOAL)
    await form.get_by_label("What will be done").fill(description)
    await form.get_by_label("Who will do it").select_option(label=organisation)
    await form.get_by_label("Named worker (optional)").select_option(label=worker)
    await form.get_by_label("Day").fill("15")
    await form.get_by_label("Month").fill("6")
    await form.get_by_label("Year").fill(str(clock.now().year + 1))
    await form.get_by_role("button", name="Add action").click()
    await expect(page.locator(".govuk-notification-banner")).to_contain_text("Action added.")


async def _lead_builds_the_plan(page: Page, t: Team) -> None:
    await sign_in_staff(page, t.net.partner_worker.email)
    await page.get_by_role("link", name="Robin Client").click()  # "Clients you lead"
    await expect(page.get_by_role("heading", level=1)).to_have_text("Support plan")
    await expect(page.locator(".govuk-caption-l")).to_have_text("Robin Client")
    await assert_accessible(page)

    await page.get_by_label("The goal, in the client's own words").fill(GOAL)
    await page.get_by_label("What success looks like to them (optional)").fill(
        "Keys in my hand by the summer"
    )
    await page.get_by_label("High").check()
    await page.get_by_role("button", name="Add goal").click()
    await expect(page.locator(".govuk-notification-banner")).to_contain_text("Goal added.")
    await expect(page.get_by_role("heading", name=f"“{GOAL}”")).to_be_visible()

    await _add_action(page, "View flats together", "Housing First", "Pat Partner (Housing First)")
    await _add_action(
        page,
        "Introduce Robin to the peer group",
        "Peer Support Dundee",
        "Pia Peer (Peer Support Dundee)",
    )
    await expect(page.get_by_role("main")).to_contain_text(
        "Peer Support Dundee (Pia Peer), due 15 June"
    )
    await assert_accessible(page)

    await page.get_by_role("link", name="Care team").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Care team")
    await expect(page.get_by_role("main")).to_contain_text("The client chose online")
    await assert_accessible(page)
    await page.get_by_role("link", name="Back to the plan").click()

    await page.get_by_role("link", name="Record a review").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Record a review")
    await page.get_by_label("Who took part").fill("Robin and Pat")
    await page.locator("#client_home").select_option("3")
    await page.locator("#worker_home").select_option("2")
    await page.locator("#client_friends").select_option("6")
    await page.locator("#client_hopes").select_option("7")
    await page.get_by_role("button", name="Save the review").click()
    await expect(page.locator(".govuk-notification-banner")).to_contain_text("Review recorded.")
    await expect(page.locator(".wa-progress svg").first).to_be_visible()
    await assert_accessible(page)


async def _client_sees_the_chart_on_the_phone(portal: Page) -> None:
    await portal.goto("/portal/plan")
    await expect(portal.get_by_role("main")).to_contain_text("Goals waiting for you to agree")
    await portal.get_by_role("button", name=re.compile("^I agree")).tap()
    await expect(portal.locator(".govuk-notification-banner")).to_contain_text(
        "That goal is now part of your plan"
    )
    main = portal.get_by_role("main")
    await expect(main).to_contain_text("Introduce Robin to the peer group.")
    await expect(main).to_contain_text("Pia Peer at Peer Support Dundee is doing this")
    chart = portal.locator(".wa-progress svg").first
    await chart.scroll_into_view_if_needed()
    await expect(chart).to_be_visible()
    box = await chart.bounding_box()
    assert box is not None
    assert box["width"] <= PHONE["width"], f"the chart is wider than the phone ({box['width']})"
    wide = await portal.evaluate("document.documentElement.scrollWidth")
    assert wide <= PHONE["width"], f"the plan scrolls sideways on a phone ({wide}px)"
    await assert_accessible(portal)

    await portal.get_by_role("link", name="Your copy of your plan, to print or keep").tap()
    await expect(portal.get_by_role("heading", level=1)).to_have_text("Your support plan")
    await expect(portal.get_by_role("main")).to_contain_text(GOAL)
    await assert_accessible(portal)


async def test_a_client_chooses_a_lead_who_builds_and_reviews_the_plan(
    page: Page, browser: Browser, server_url: str
) -> None:
    t = await _seed()
    phone = await new_context(browser, server_url, viewport=PHONE, is_mobile=True, has_touch=True)
    try:
        portal = await phone.new_page()
        problems = PageProblems()
        problems.watch(portal)
        await _client_chooses_the_lead(portal)

        await _lead_builds_the_plan(page, t)

        await _client_sees_the_chart_on_the_phone(portal)
        assert not problems.console_errors, problems.console_errors
        assert not problems.failed_requests, problems.failed_requests
    finally:
        await phone.close()
    assert await LeadChoice.count() == 1
    assert (await Goal.select(Goal.status).first())["status"] == "agreed"
    owners = {row["organisation"] for row in await Action.select(Action.organisation)}
    assert owners == {t.net.partner.id, t.third.id}
    assert await Rating.count() == 3
