"""No client's name or date of birth in any address, nor in any log line.

Addresses end up in browser history, proxy logs and the server's access log. The test seeds
the demo network, records every request line the app receives (as a proxy's access log would)
and every log record it writes, walks every page a hub worker, a partner worker and the client
can reach, and submits every search form on them with the demo client's name, as a worker at
the desk would. Then it reads the log for the name and the date of birth.
"""

from __future__ import annotations

import html
import logging
import re
from collections import deque
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
import pytest

from consent.demo import seed_demo_record
from directory.demo import seed_demo_directory
from hub.demo import DEMO_CLIENT_USERNAME, HUB_NAME, seed_demo_network, slug
from hub.tables import ClientAccount, Staff
from plans.demo import seed_demo_plan
from referrals.demo import seed_demo_referrals
from tests.consent.fixtures import pooled, shared_app
from tests.support import password_hash, sign_in, sign_in_client

__all__ = ["pooled"]

LINK = re.compile(r'href="(/[^"#]*)"')
FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S)
ATTRIBUTE = re.compile(r'([\w-]+)="([^"]*)"')
INPUT = re.compile(r"<input\b([^>]*)>")
NOT_PAGES = ("/static/", "/sign-out", "/portal/sign-out", "/healthz", "/openreferral", "/api/")
MAX_PAGES = 120
SERVICE_SEARCHES = ("/directory",)

# The demo client, in every form a name or a date of birth takes in an address.
SECRETS = (
    "Alex Demo",
    "Alex+Demo",
    "Alex%20Demo",
    "alex",
    "1988-04-12",
    "12/04/1988",
    "12+April+1988",
    "12%20April%201988",
)


class AccessLog:
    """An ASGI wrapper writing one line per request, as the reverse proxy in front would."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.lines: list[str] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        query = scope.get("query_string", b"").decode("latin-1")
        line = f'"{scope["method"]} {scope.get("raw_path", b"").decode("latin-1") or scope["path"]}'
        line += f'{"?" + query if query else ""}"'

        async def logged_send(message: Any) -> None:
            if message["type"] == "http.response.start":
                self.lines.append(f"{line} {message['status']}")
            await send(message)

        await self.app(scope, receive, logged_send)


def _browser(log: AccessLog) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=log, client=("127.0.0.1", 40000))
    return httpx.AsyncClient(transport=transport, base_url="https://testserver.local")


def _attributes(text: str) -> dict[str, str]:
    return {name: html.unescape(value) for name, value in ATTRIBUTE.findall(text)}


async def _submit_searches(browser: httpx.AsyncClient, page: str, body: str, name: str) -> None:
    """Fill every search box on the page with `name` and submit it as a browser would."""
    for form_attributes, inner in FORM.findall(body):
        form = _attributes(form_attributes)
        inputs = [_attributes(tag) for tag in INPUT.findall(inner)]
        if form.get("role") != "search" and not any(i.get("type") == "search" for i in inputs):
            continue
        data = {
            field["name"]: field.get("value", "")
            for field in inputs
            if "name" in field and field.get("type") in ("hidden", None, "text")
        }
        for field in inputs:
            if field.get("type") == "search" and "name" in field:
                data[field["name"]] = name
        action = urljoin(page, form.get("action") or page)
        if urlsplit(action).path.startswith(SERVICE_SEARCHES):
            continue  # searches for services, not people: their words belong in the address
        if form.get("method", "get").lower() == "post":
            await browser.post(action, data=data)
        else:
            await browser.get(action, params=data)


async def _walk(browser: httpx.AsyncClient, name: str) -> int:
    """Visit every page reachable from the home page (up to MAX_PAGES); returns how many."""
    seen: set[str] = set()
    queue: deque[str] = deque(["/"])
    while queue and len(seen) < MAX_PAGES:
        path = queue.popleft()
        if path in seen or path.startswith(NOT_PAGES):
            continue
        seen.add(path)
        response = await browser.get(path)
        if response.status_code != 200 or "text/html" not in response.headers.get(
            "content-type", ""
        ):
            continue
        await _submit_searches(browser, path, response.text, name)
        for link in LINK.findall(response.text):
            target = urlsplit(html.unescape(link))
            queue.append(target.path + (f"?{target.query}" if target.query else ""))
    return len(seen)


async def _seed() -> None:
    await seed_demo_network()
    await seed_demo_record()
    await seed_demo_directory()
    await seed_demo_referrals()
    await seed_demo_plan()
    # One password for every demo sign-in, cheap to check.
    await Staff.update({Staff.password_hash: password_hash()}, force=True)
    await ClientAccount.update({ClientAccount.password_hash: password_hash()}, force=True)


async def test_no_name_or_birth_date_reaches_an_address_or_a_log(
    caplog: pytest.LogCaptureFixture,
) -> None:
    await _seed()
    log = AccessLog(shared_app())
    caplog.set_level(logging.DEBUG)
    hub_worker = f"worker@{slug(HUB_NAME)}.example"
    partner_worker = "worker@housing-first.example"
    walked = 0
    for who in (hub_worker, partner_worker):
        async with _browser(log) as browser:
            await sign_in(browser, who)
            walked += await _walk(browser, "Alex Demo")
    async with _browser(log) as browser:
        await sign_in_client(browser, DEMO_CLIENT_USERNAME)
        walked += await _walk(browser, "Alex Demo")

    assert walked > 30  # the walk really covered the app
    assert any(line.startswith('"POST /clients"') for line in log.lines)  # searches were made
    assert any(line.startswith('"POST /referrals"') for line in log.lines)
    leaks = [line for line in log.lines if any(s.lower() in line.lower() for s in SECRETS)]
    assert leaks == []
    written = [record.getMessage() for record in caplog.records]
    assert [line for line in written if any(s in line for s in SECRETS[:1] + SECRETS[4:6])] == []
