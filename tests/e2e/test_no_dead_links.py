"""Every demo role, signed in through the real form, follows every link its pages show (on the
demo network that `make demo` seeds): none answers 403 or 404, and none fails."""

from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from playwright.async_api import Browser, Page

from hub.demo import demo_password
from tests.e2e.conftest import new_context
from tests.e2e.helpers import sign_in_portal, sign_in_staff

MAX_PAGES = 120
"""Pages followed per role: enough for every kind of page the demo has."""
VARIANTS_PER_PATH = 3
"""Query-string variants of one address followed (filters and pages multiply otherwise)."""
SKIPPED = ("/static/", "/vendor/", "/sign-out", "/print-page.css")


class _Links(HTMLParser):
    """The href of every <a> on a page."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.found.append(href)


def _links(html: str, base: str, origin: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    kept = []
    for href in parser.found:
        url = urldefrag(urljoin(base, href)).url
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" != origin or parts.path.startswith(SKIPPED):
            continue
        kept.append(url)
    return kept


async def _seed_demo() -> list[tuple[str, str]]:
    from consent.web import DEMO_SEEDERS as consent_seeders
    from directory.web import DEMO_SEEDERS as directory_seeders
    from hub.demo import seed_demo_network
    from plans.web import DEMO_SEEDERS as plans_seeders
    from referrals.web import DEMO_SEEDERS as referrals_seeders

    sign_ins: list[tuple[str, str]] = []
    for seeder in [
        seed_demo_network,
        *consent_seeders,
        *directory_seeders,
        *referrals_seeders,
        *plans_seeders,
    ]:
        sign_ins.extend(await seeder())
    return sign_ins


async def _crawl(page: Page, origin: str) -> tuple[list[str], int]:
    """Follow links breadth first from the home page; returns the dead ones and pages seen."""
    queue = [f"{origin}/"]
    seen = set(queue)
    per_path: Counter[str] = Counter()
    dead: list[str] = []
    visited = 0
    while queue and visited < MAX_PAGES:
        url = queue.pop(0)
        response = await page.context.request.get(url, max_redirects=5)
        visited += 1
        if response.status in (403, 404) or response.status >= 500:
            dead.append(f"{response.status} {url} (linked from a page the role saw)")
            continue
        if "text/html" not in response.headers.get("content-type", ""):
            continue
        for link in _links(await response.text(), response.url, origin):
            path = urlsplit(link).path
            if link in seen or per_path[path] >= VARIANTS_PER_PATH:
                continue
            seen.add(link)
            per_path[path] += 1
            queue.append(link)
    return dead, visited


@pytest.mark.parametrize(
    "role",
    [
        "system admin",
        "hub worker",
        "org admin (hub)",
        "partner worker",
        "org admin (partner)",
        "client (portal)",
    ],
)
async def test_no_link_any_demo_role_sees_is_dead(
    browser: Browser, server_url: str, role: str
) -> None:
    sign_ins = dict(await _seed_demo())
    context = await new_context(browser, server_url)
    try:
        page = await context.new_page()
        if role.startswith("client"):
            await sign_in_portal(page, sign_ins[role], demo_password())
        else:
            await sign_in_staff(page, sign_ins[role], demo_password())
        dead, visited = await _crawl(page, server_url)
        assert visited > 5, f"{role} saw only {visited} pages"
        assert not dead, f"{role} is shown links that do not open:\n" + "\n".join(dead)
    finally:
        await context.close()
