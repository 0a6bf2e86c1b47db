"""The meeting journey in a real Chromium: the lead arranges a review meeting with two
agencies and the client, the client says they are coming on a phone, the lead records who came
and two agreed actions, and the plan shows them; the lead adds a connection and the plan's
connections map renders (on the plan and on the client's phone); the lead starts a
household. axe-core finds nothing serious on any new page.
"""

from __future__ import annotations

from datetime import timedelta

from playwright.async_api import Browser, Page, expect

from consent.vocabulary import COMMUNITY, IDENTITY, LONDON, PLAN, PLAN_SHARING
from hub import clock
from hub.tables import ClientAccount
from plans.tables import Action, MeetingAction, MeetingInvitee, Review
from tests.consent.factories import consent_to
from tests.e2e.conftest import PageProblems, new_context
from tests.e2e.helpers import assert_accessible, sign_in_portal, sign_in_staff
from tests.plans.factories import Team, choose, team
from tests.plans.meeting_support import a_goal
from tests.support import password_hash

PHONE = {"width": 375, "height": 740}


async def _seed() -> Team:
    """Robin's care team (hub, Housing First as lead, Peer Support), a goal, a portal account,
    and consent for Housing First to see their friends and community."""
    t = await team()
    await choose(t, t.net.partner_worker)
    await consent_to(t.net.client.id, [t.net.partner], [IDENTITY, PLAN, COMMUNITY], [PLAN_SHARING])
    await a_goal(t)
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


async def _lead_arranges(page: Page, t: Team) -> None:
    await sign_in_staff(page, t.net.partner_worker.email)
    await page.goto(f"/plans/{t.net.client.id}")
    await page.get_by_role("link", name="Arrange a meeting").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Arrange a meeting")
    await assert_accessible(page)
    # Later today (UK time), so it can be recorded at once.
    starts = (clock.now() + timedelta(minutes=3)).astimezone(LONDON)
    await page.get_by_label("Review meeting").check()
    await page.get_by_label("Day").fill(str(starts.day))
    await page.get_by_label("Month").fill(str(starts.month))
    await page.get_by_label("Year").fill(str(starts.year))
    await page.get_by_label("What time does it start?").fill(f"{starts:%H:%M}")
    await page.get_by_label("Where is it?").fill("Lochee Hub, room 2")
    await page.get_by_label("Hana Hub (Lochee Hub)").check()
    await page.get_by_label("Pia Peer (Peer Support Dundee)").check()
    await page.get_by_label("Invite the client").check()
    await page.get_by_role("button", name="Arrange the meeting").click()
    await expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "The meeting is arranged"
    )
    await expect(page.get_by_role("heading", level=1)).to_have_text("Review meeting")
    await assert_accessible(page)
    await page.get_by_role("button", name="Move it").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Move the meeting")
    await assert_accessible(page)
    await page.go_back()


async def _client_accepts_on_the_phone(portal: Page) -> None:
    await sign_in_portal(portal, "robin")
    await portal.goto("/portal/meetings")
    await expect(portal.get_by_role("heading", level=1)).to_have_text("Your meetings")
    await assert_accessible(portal)
    await portal.get_by_role("link", name="Review meeting").tap()
    await expect(portal.get_by_role("main")).to_contain_text("It is at Lochee Hub, room 2.")
    await assert_accessible(portal)
    await portal.get_by_label("Yes, I am coming").check()
    await portal.get_by_role("button", name="Send my answer").tap()
    await expect(portal.locator(".govuk-notification-banner")).to_contain_text("Thank you")
    wide = await portal.evaluate("document.documentElement.scrollWidth")
    assert wide <= PHONE["width"], f"the meeting page scrolls sideways on a phone ({wide}px)"


async def _client_sees_their_map_on_the_phone(portal: Page) -> None:
    await portal.goto("/portal/connections")
    await expect(portal.locator("svg.wa-connections-map")).to_be_visible()
    await expect(portal.get_by_role("main")).to_contain_text("Sister Kim")
    await assert_accessible(portal)
    wide = await portal.evaluate("document.documentElement.scrollWidth")
    assert wide <= PHONE["width"], f"the connections map scrolls sideways on a phone ({wide}px)"


async def _lead_records(page: Page, t: Team) -> None:
    await page.reload()
    await expect(page.get_by_role("main")).to_contain_text("Attending")
    await page.get_by_role("button", name="Record the meeting").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Record the meeting")
    await assert_accessible(page)
    await page.get_by_label("Robin Client").check()
    await page.get_by_label("Pia Peer (Peer Support Dundee)").check()
    await page.get_by_label("Notes (optional)").fill("Robin has settled into the flat.")
    for n, (what, who) in enumerate(
        [
            ("Chase the boiler repair", "Housing First"),
            ("Walk to the group", "Peer Support Dundee"),
        ],
        start=1,
    ):
        await page.locator(f"#action{n}_description").fill(what)
        await page.locator(f"#action{n}_goal").select_option(label="A settled home")
        await page.locator(f"#action{n}_organisation").select_option(label=who)
    await page.locator("#client_home").select_option("7")
    await page.get_by_role("button", name="Save the record").click()
    await expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "The meeting is recorded"
    )
    await page.get_by_role("link", name="Minutes to print").click()
    await expect(page.get_by_role("main")).to_contain_text("Walk to the group")
    await assert_accessible(page)


async def _plan_shows_actions_and_map(page: Page, t: Team) -> None:
    await page.goto(f"/plans/{t.net.client.id}/connections")
    await assert_accessible(page)
    await page.get_by_label("Who or what").fill("Sister Kim")
    await page.get_by_label("What kind of connection").select_option(label="Family")
    await page.get_by_label("Close", exact=True).check()
    await page.get_by_role("button", name="Add to the map").click()
    await expect(page.locator(".govuk-notification-banner")).to_contain_text("on the map")
    await page.goto(f"/plans/{t.net.client.id}")
    main = page.get_by_role("main")
    await expect(main).to_contain_text("Chase the boiler repair")
    await expect(main).to_contain_text("Walk to the group")
    await expect(page.locator("svg.wa-connections-map")).to_be_visible()
    await expect(main).to_contain_text("Sister Kim")
    await assert_accessible(page)
    await page.get_by_role("link", name="Meetings", exact=True).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Meetings")
    await assert_accessible(page)
    await page.goto(f"/plans/{t.net.client.id}/household")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Start a household")
    await assert_accessible(page)
    await page.get_by_label("What is the household called?").fill("The Clients")
    await page.get_by_role("button", name="Start the household").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("The Clients")
    await expect(page.get_by_role("main")).to_contain_text("A settled home")
    await assert_accessible(page)


async def test_a_review_meeting_is_arranged_answered_recorded_and_shown_in_the_plan(
    page: Page, browser: Browser, server_url: str
) -> None:
    t = await _seed()
    await _lead_arranges(page, t)
    phone = await new_context(browser, server_url, viewport=PHONE, is_mobile=True, has_touch=True)
    try:
        portal = await phone.new_page()
        problems = PageProblems()
        problems.watch(portal)
        await _client_accepts_on_the_phone(portal)
        assert not problems.console_errors, problems.console_errors
        assert not problems.failed_requests, problems.failed_requests
    finally:
        await phone.close()
    await _lead_records(page, t)
    await _plan_shows_actions_and_map(page, t)
    phone = await new_context(browser, server_url, viewport=PHONE, is_mobile=True, has_touch=True)
    try:
        portal = await phone.new_page()
        await sign_in_portal(portal, "robin")
        await _client_sees_their_map_on_the_phone(portal)
    finally:
        await phone.close()
    attended = [
        row["attended"] for row in await MeetingInvitee.select().order_by(MeetingInvitee.kind)
    ]
    assert sorted(attended) == ["no", "yes", "yes"]
    assert await MeetingAction.count() == 2
    assert await Action.count() == 2
    assert await Review.count() == 1
