"""What the browser tests share: seeding people, signing in through the form, running axe."""

from __future__ import annotations

import json
import re
from typing import Any

from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Page, expect

from hub.tables import Staff
from tests.support import PASSWORD, make_client, make_organisation, make_staff

BLOCKING_IMPACTS = frozenset({"serious", "critical"})
_AXE = Axe()
HOME_URL = re.compile(r"^http://[^/]+/$")
"""The front door, where everyone lands after signing in."""


async def hub_worker(*, is_org_admin: bool = False) -> tuple[Staff, str]:
    """A staff member of a hub organisation, and that organisation's name."""
    hub = await make_organisation("Lochee Hub", kind="hub")
    member = await make_staff(hub, is_org_admin=is_org_admin)
    return member, hub.name


async def portal_client(username: str = "jo-portal") -> str:
    """A client with a portal account (preferred name "Jo"); returns the username."""
    hub = await make_organisation("Lochee Hub", kind="hub")
    await make_client(hub, username=username)
    return username


async def sign_in_staff(page: Page, email: str, password: str = PASSWORD) -> None:
    """Sign a staff member in through the real form and wait for their home page."""
    await page.goto("/sign-in")
    await page.get_by_label("E-mail address").fill(email)
    await page.get_by_label("Password", exact=True).fill(password)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page).to_have_url(HOME_URL)


async def sign_in_portal(page: Page, username: str, password: str = PASSWORD) -> None:
    """Sign a client in to the portal through the real form and wait for their home page."""
    await page.goto("/portal/sign-in")
    await page.get_by_label("Username").fill(username)
    await page.get_by_label("Password", exact=True).fill(password)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page).to_have_url(HOME_URL)


async def blocking_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page as it is now."""
    results = await _AXE.run(page)
    violations: list[dict[str, Any]] = results.response["violations"]
    return [v for v in violations if v.get("impact") in BLOCKING_IMPACTS]


def describe(violations: list[dict[str, Any]]) -> str:
    """Violation ids, what they mean and the offending nodes, for a failure message."""
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            lines.append(f"    {json.dumps(node['target'])}: {node['html'][:200]}")
            if node.get("failureSummary"):
                lines.append("      " + node["failureSummary"].replace("\n", "\n      "))
    return "\n".join(lines)


async def assert_accessible(page: Page) -> None:
    """No serious or critical axe-core violations on the current page."""
    violations = await blocking_violations(page)
    assert not violations, f"axe-core on {page.url}:\n{describe(violations)}"
