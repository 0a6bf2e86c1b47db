"""axe-core in a real Chromium on the pages the journeys do not reach: notifications and their
e-mail setting, API tokens and the API reference, the sent and filtered referral lists, a
tombstone, a suspended referral, re-routing, and the review and closing pages of a plan. Forms
are checked in their error state too. Each test seeds only what its pages need.
"""

from __future__ import annotations

import re
from uuid import UUID

from playwright.async_api import Locator, Page, expect

from consent import consents, policy
from hub import notifications
from hub.accounts import api_tokens
from hub.accounts.schemas import Principal
from hub.audit import Actor
from plans import content, reviews
from plans.reviews import ReviewForm
from plans.schemas import GoalForm
from referrals import moves, suspension
from referrals.schemas import MoveForm
from referrals.tables import Referral
from tests.directory.factories import make_service, need
from tests.e2e.helpers import assert_accessible, sign_in_staff
from tests.plans.factories import Team, choose, team
from tests.referrals.factories import Network, network, sent
from tests.support import make_organisation, make_staff

GOAL = "A home of my own"
MAX_TABS = 30


async def _tab_to(page: Page, target: Locator) -> None:
    """Press Tab from the top of the page until `target` has the focus; fail if it never does."""
    await page.locator("body").focus()
    for _ in range(MAX_TABS):
        await page.keyboard.press("Tab")
        if await target.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"{target} was not reached in {MAX_TABS} presses of Tab")


async def _error_summary_says(page: Page, words: str) -> None:
    summary = page.locator(".govuk-error-summary")
    await expect(summary).to_contain_text(words)
    await expect(summary).to_be_focused()


async def test_notifications_list_badge_and_email_setting(page: Page) -> None:
    hub = await make_organisation("Lochee Hub", kind="hub")
    member = await make_staff(hub, name="Hana Hub")
    await notifications.notify([member.id], "Referral to Housing First (ref 1a2b3c4d): accepted")
    [read] = await notifications.recent(member.id)
    await notifications.mark_read(member.id, read.id)
    await notifications.notify([member.id], "Referral to Housing First (ref 1a2b3c4d): completed")

    await sign_in_staff(page, member.email)
    badge = page.get_by_role("link", name=re.compile(r"^Notifications 1 unread$"))
    await _tab_to(page, badge)
    await page.keyboard.press("Enter")
    await expect(page).to_have_url(re.compile(r"/notifications$"))
    await expect(page.get_by_role("heading", level=1)).to_have_text("Notifications")
    main = page.get_by_role("main")
    await expect(main).to_contain_text("1 unread.")
    await expect(main.locator(".govuk-tag")).to_have_text(["Unread"])
    await expect(main.get_by_role("link", name=re.compile(": accepted$"))).to_be_visible()
    await expect(main.get_by_role("button", name="Mark all as read")).to_be_visible()
    await assert_accessible(page)

    await main.get_by_role("link", name="E-mail copies").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Notification e-mails")
    await assert_accessible(page)

    # Neither answer chosen (only a tampered form can send that): the error state.
    await page.locator("input[name=email]").evaluate_all(
        "radios => radios.forEach(radio => { radio.checked = false; })"
    )
    await page.get_by_role("button", name="Save").click()
    await _error_summary_says(page, "Choose whether to get e-mail copies")
    await assert_accessible(page)

    await page.get_by_label("Yes, e-mail me a copy of each one").check()
    await page.get_by_role("button", name="Save").click()
    await expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Your choice is saved."
    )
    await expect(page.get_by_label("Yes, e-mail me a copy of each one")).to_be_checked()
    await assert_accessible(page)


async def test_api_token_pages_and_the_api_reference(page: Page) -> None:
    partner = await make_organisation("Housing First")
    admin = await make_staff(partner, name="Ada Admin", is_org_admin=True)
    as_admin = Principal(
        kind="staff",
        id=admin.id,
        name=admin.name,
        session_key="seed",
        organisation_id=partner.id,
        organisation_name=partner.name,
        organisation_kind=partner.kind,
        is_org_admin=True,
    )
    create = api_tokens.ApiTokenCreate
    await api_tokens.create_token(as_admin, create(name="Case system", scope=api_tokens.READ))
    old = await api_tokens.create_token(
        as_admin, create(name="Old CRM", scope=api_tokens.READ_WRITE)
    )
    await api_tokens.revoke_token(as_admin, old.id)

    await sign_in_staff(page, admin.email)
    await page.goto("/admin/api-tokens")
    await expect(page.get_by_role("heading", level=1)).to_have_text("API tokens")
    table = page.get_by_role("table")
    await expect(table.locator(".govuk-tag")).to_have_text(["Live", "Revoked"])
    await expect(table.get_by_role("button", name="Revoke Case system")).to_be_visible()
    await assert_accessible(page)

    await page.get_by_role("button", name="Make an API token").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Make an API token")
    await assert_accessible(page)

    await page.get_by_role("button", name="Make token").click()
    await _error_summary_says(page, "Enter a name for the token")
    await expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Choose what the token may do"
    )
    await assert_accessible(page)

    await page.get_by_label("Name").fill("Referral bridge")
    await page.get_by_label(api_tokens.SCOPES[api_tokens.READ]).check()
    await page.get_by_role("button", name="Make token").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Your new API token")
    await expect(page.get_by_label("Token")).to_have_value(re.compile(r"^wa_[0-9a-f]{8}_"))
    await assert_accessible(page)

    await page.get_by_role("link", name="API reference").click()
    await expect(page).to_have_url(re.compile(r"/api/v1/docs$"))
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Wraparound partner API")
    await assert_accessible(page)


async def _declined(net: Network) -> UUID:
    """A referral the partner declined for want of capacity."""
    referral_id = await sent(net)
    await moves.move(
        net.recipient, referral_id, MoveForm(action="decline", version=1, reason_code="no_capacity")
    )
    return referral_id


async def test_sent_referrals_a_filtered_list_and_the_reroute_page(page: Page) -> None:
    net = await network(terms=[need("housing")], name="Housing First Dundee")
    office = await make_organisation("Housing Office")
    await make_service(office, name="Housing options", terms=[need("housing")])
    declined = await _declined(net)
    await sent(net, service_id=str((await make_service(net.partner, name="Floating support")).id))

    await sign_in_staff(page, net.hub_worker.email)
    await page.goto("/referrals")
    await page.get_by_role("link", name="Sent", exact=True).click()
    await expect(page).to_have_url(re.compile(r"/referrals\?box=sent$"))
    await expect(page.get_by_role("heading", level=2)).to_have_text("Sent by Lochee Hub")
    await expect(page.get_by_role("table").locator("tbody tr")).to_have_count(2)
    await assert_accessible(page)

    await page.get_by_role("link", name=re.compile(r"^Closed \(1\)$")).click()
    await expect(page).to_have_url(re.compile(r"group=closed"))
    await expect(page.locator("strong[aria-current=page]")).to_have_text("Closed (1)")
    rows = page.get_by_role("table").locator("tbody tr")
    await expect(rows).to_have_count(1)
    await expect(rows).to_contain_text("Declined")
    await assert_accessible(page)

    await page.goto(f"/referrals/{declined}/reroute")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Send to a similar service")
    main = page.get_by_role("main")
    await expect(main).to_contain_text("The service declined it: no capacity at the moment.")
    await expect(page.get_by_label("Housing options, Housing Office")).to_be_visible()
    await assert_accessible(page)

    await page.get_by_role("button", name="Send the referral").click()
    await expect(page.locator(".govuk-error-summary")).to_be_visible()
    await expect(page.locator(".govuk-error-message").first).to_be_visible()
    await assert_accessible(page)
    assert await Referral.count() == 2


async def test_recipient_sees_a_tombstone_and_a_suspended_referral(page: Page) -> None:
    net = await network(name="Housing First Dundee")
    declined = await _declined(net)
    other = await make_service(net.partner, name="Floating support")
    suspended = await sent(net, service_id=str(other.id))
    await consents.end_consent(net.consent_id, policy.WITHDRAWN, Actor.system(), "in person")
    assert await suspension.settle_client(net.client.id) == {suspended: suspension.SUSPENDED}

    await sign_in_staff(page, net.partner_worker.email)
    await page.goto("/referrals?group=closed")
    await expect(page.locator("strong[aria-current=page]")).to_have_text("Closed (1)")
    rows = page.get_by_role("table").locator("tbody tr")
    await expect(rows).to_have_count(1)
    await expect(rows).not_to_contain_text("Robin Client")
    await assert_accessible(page)

    await page.goto(f"/referrals/{declined}")
    main = page.get_by_role("main")
    await expect(main.locator(".govuk-inset-text")).to_contain_text(
        "The client's details are no longer shared with Housing First"
    )
    await expect(main).not_to_contain_text("Robin Client")
    await assert_accessible(page)

    await page.goto(f"/referrals/{suspended}")
    await expect(main.locator(".govuk-warning-text")).to_contain_text("This referral is suspended.")
    await expect(main).not_to_contain_text("Robin Client")
    await expect(main.get_by_role("button", name="Accept")).to_have_count(0)
    await assert_accessible(page)


async def _led_plan_with_a_review() -> Team:
    """Pat Partner leads Robin's plan, which has one agreed goal and one review."""
    t = await team()
    await choose(t, t.net.partner_worker)
    await content.add_goal(t.client_principal, t.net.client.id, GoalForm(words=GOAL))
    form = ReviewForm(
        held_on=content.today(),
        participants="Robin and Pat",
        notes="Settling in",
        client_home="4",
        worker_home="5",
    )
    await reviews.record_review(t.net.recipient, t.net.client.id, form)
    return t


async def test_plan_review_and_closing_pages(page: Page) -> None:
    t = await _led_plan_with_a_review()
    plan_url = f"/plans/{t.net.client.id}"
    await sign_in_staff(page, t.net.partner_worker.email)

    await page.goto(f"{plan_url}/reviews")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Reviews")
    card = page.locator(".govuk-summary-card")
    await expect(card).to_have_count(1)
    await expect(card).to_contain_text("Robin and Pat")
    await expect(card.get_by_role("table")).to_contain_text("4")
    await assert_accessible(page)

    await page.get_by_role("link", name="Record a review").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Record a review")
    await assert_accessible(page)

    await page.locator("#worker_home").select_option("6")  # the worker's rating alone
    await page.get_by_role("button", name="Save the review").click()
    await _error_summary_says(page, "Say who took part")
    await expect(page.locator(".govuk-error-summary")).to_contain_text("Add the client's rating")
    await assert_accessible(page)

    await page.goto(f"{plan_url}/close")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Close support")
    await expect(page.get_by_role("group", name=f"“{GOAL}”")).to_be_visible()
    await assert_accessible(page)

    await page.get_by_role("button", name="Close support").click()
    await _error_summary_says(page, "Write a note of the closure meeting")
    await expect(page.locator(".govuk-error-summary")).to_contain_text(
        f"Choose an outcome for the goal “{GOAL}”"
    )
    await assert_accessible(page)
    await expect(page).to_have_url(re.compile(r"/close$"))
