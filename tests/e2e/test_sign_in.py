"""Signing in and out in a real Chromium: keyboard use, error summaries, a phone, the styles."""

from __future__ import annotations

import re

from playwright.async_api import Browser, Page, expect

from tests.e2e.conftest import PageProblems, new_context
from tests.e2e.helpers import HOME_URL, hub_worker, portal_client, sign_in_staff
from tests.support import PASSWORD

SIGN_IN_URL = re.compile(r"/sign-in$")
# Fixed paths so a person can look at them after a run.
HOME_SCREENSHOT = "/tmp/e2e-home.png"  # noqa: S108
ERROR_SCREENSHOT = "/tmp/e2e-signin-error.png"  # noqa: S108
ANY = re.compile(r".+")
WA_HEADER_BLUE = "rgb(29, 112, 184)"  # govuk-colour("blue"), only in our own app.css


async def _style(page: Page, selector: str, prop: str) -> str:
    value: str = await page.locator(selector).first.evaluate(
        "(element, prop) => getComputedStyle(element).getPropertyValue(prop)", prop
    )
    return value


async def test_hub_worker_signs_in_with_the_keyboard_and_signs_out(page: Page) -> None:
    member, organisation = await hub_worker()

    await page.goto("/")
    await expect(page).to_have_url(SIGN_IN_URL)  # signed out: the front door is sign-in
    email = page.get_by_label("E-mail address")
    password = page.get_by_label("Password", exact=True)
    sign_in = page.get_by_role("button", name="Sign in")
    show = page.get_by_role("button", name="Show password")

    await email.focus()
    await page.keyboard.type(member.email)
    await page.keyboard.press("Tab")
    await expect(password).to_be_focused()
    await page.keyboard.type(PASSWORD)
    await page.keyboard.press("Tab")
    await expect(show).to_be_focused()  # GOV.UK Frontend's script ran and added it
    await page.keyboard.press("Tab")
    await expect(sign_in).to_be_focused()
    await page.keyboard.press("Enter")

    await expect(page).to_have_url(HOME_URL)
    await expect(page).to_have_title("Home \N{EN DASH} Wraparound")
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Good to see you, {member.name}"
    )
    await expect(page.locator(".wa-header__who")).to_contain_text(organisation)
    menu = page.get_by_role("navigation", name="Main menu")
    await expect(menu.get_by_role("link", name="Home", exact=True)).to_be_visible()
    await expect(menu.get_by_role("link", name="Clients", exact=True)).to_be_visible()
    await expect(menu.get_by_role("link", name="Staff", exact=True)).to_have_count(0)  # no admin
    await expect(menu.get_by_role("link", name="Home")).to_have_attribute("aria-current", ANY)
    await expect(menu.get_by_role("link", name="Clients")).not_to_have_attribute(
        "aria-current", ANY
    )
    assert await _style(page, ".wa-header", "background-color") == WA_HEADER_BLUE
    await page.screenshot(path=HOME_SCREENSHOT, full_page=True)

    await menu.get_by_role("link", name="Clients").click()
    await expect(page).to_have_url(re.compile(r"/clients$"))  # still signed in
    await expect(menu.get_by_role("link", name="Clients")).to_have_attribute("aria-current", ANY)
    await expect(menu.get_by_role("link", name="Home")).not_to_have_attribute("aria-current", ANY)

    await page.get_by_role("button", name="Sign out").click()
    await expect(page).to_have_url(SIGN_IN_URL)
    assert not [c for c in await page.context.cookies() if c["name"] == "wa_session"]
    await page.goto("/")
    await expect(page).to_have_url(SIGN_IN_URL)
    await expect(page.get_by_role("button", name="Sign out")).to_have_count(0)


async def test_session_cookie_is_secure_and_http_only_in_the_browser(page: Page) -> None:
    member, _ = await hub_worker()

    await sign_in_staff(page, member.email)

    cookies = {c["name"]: c for c in await page.context.cookies()}
    session = cookies["wa_session"]
    assert session["secure"] is True
    assert session["httpOnly"] is True
    assert session["sameSite"] == "Lax"
    assert "wa_session" not in await page.evaluate("document.cookie")


async def test_wrong_password_shows_the_error_summary_linked_to_the_field(page: Page) -> None:
    member, _ = await hub_worker()

    await page.goto("/sign-in")
    await page.get_by_label("E-mail address").fill(member.email)
    await page.get_by_label("Password", exact=True).fill("not the password at all")
    await page.get_by_label("Password", exact=True).press("Enter")

    await expect(page).to_have_url(SIGN_IN_URL)
    await expect(page).to_have_title(re.compile(r"^Error: Sign in"))
    summary = page.locator(".govuk-error-summary")
    await expect(summary.get_by_role("heading")).to_have_text("There is a problem")
    await expect(summary).to_be_focused()  # GOV.UK Frontend moves focus to it on load
    link = summary.get_by_role("link")
    await expect(link).to_have_count(1)
    await expect(link).to_have_attribute("href", "#password")
    await expect(page.locator("#password-error")).to_be_visible()
    await expect(page.get_by_label("E-mail address")).to_have_value(member.email)
    await expect(page.get_by_label("Password", exact=True)).to_have_value("")
    assert await _style(page, ".govuk-error-summary", "border-top-width") == "5px"
    await page.screenshot(path=ERROR_SCREENSHOT, full_page=True)

    await link.click()
    password = page.get_by_label("Password", exact=True)
    await expect(password).to_be_focused()
    await expect(password).to_have_attribute("aria-describedby", re.compile(r"password-error"))

    # The corrected password signs in from the error page.
    await page.keyboard.type(PASSWORD)
    await page.keyboard.press("Enter")
    await expect(page).to_have_url(HOME_URL)


async def test_client_signs_in_to_the_portal_on_a_phone(browser: Browser, server_url: str) -> None:
    username = await portal_client()
    phone = await new_context(
        browser,
        server_url,
        viewport={"width": 390, "height": 844},
        device_scale_factor=3,
        is_mobile=True,
        has_touch=True,
    )
    try:
        page = await phone.new_page()
        problems = PageProblems()
        problems.watch(page)

        await page.goto("/portal/sign-in")
        await page.get_by_label("Username").fill(username)
        await page.get_by_label("Password", exact=True).fill(PASSWORD)
        await page.get_by_role("button", name="Sign in").tap()

        await expect(page).to_have_url(HOME_URL)
        heading = page.get_by_role("heading", level=1)
        await expect(heading).to_have_text("Hello, Jo")
        await expect(heading).to_be_in_viewport()
        wide = await page.evaluate("document.documentElement.scrollWidth")
        assert wide <= 390, f"the page scrolls sideways on a phone ({wide}px wide)"
        # On a phone the service navigation folds behind GOV.UK's "Menu" toggle.
        sign_out = page.get_by_role("button", name="Sign out")
        await expect(sign_out).to_be_hidden()
        await page.get_by_role("button", name="Menu").tap()
        await sign_out.tap()
        await expect(page).to_have_url(re.compile(r"/portal/sign-in$"))
        assert not problems.console_errors, problems.console_errors
        assert not problems.failed_requests, problems.failed_requests
    finally:
        await phone.close()
