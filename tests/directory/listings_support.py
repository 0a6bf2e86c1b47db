"""Helpers for listing and signposting tests: quick sign-in, CSRF, posting forms."""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator
from typing import Any

import httpx

from hub.accounts.sessions import start_session
from hub.db import get_engine, open_pool
from hub.tables import Organisation, Staff
from tests.support import csrf_from, make_organisation, make_staff

MAIN = re.compile(r"<main.*?</main>", re.DOTALL)
_APP: list[Any] = []


@contextlib.asynccontextmanager
async def browser() -> AsyncIterator[httpx.AsyncClient]:
    """A browser on one app shared by these tests (building an app and compiling its
    templates costs about a second; the database, not the app, holds all state)."""
    if not _APP:
        from app import create_app

        _APP.append(create_app())
    # Production always pools PostgreSQL connections; without a pool every query opens one.
    await open_pool(get_engine())
    transport = httpx.ASGITransport(app=_APP[0], client=("127.0.0.1", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver.local") as web:
        yield web


async def signed_in(client: Any, member: Staff) -> Any:
    """Give `client` a session for `member` without the (deliberately slow) password check."""
    token = await start_session("staff", member.id)
    client.cookies.set("wa_session", token, domain="testserver.local")
    return client


async def csrf(client: Any) -> str:
    """A CSRF token for this browser (one is enough for every form it posts)."""
    token = getattr(client, "_wa_csrf", None)
    if token is None:
        page = await client.get("/directory/list")
        token = csrf_from(page.text)
        client._wa_csrf = token
    return str(token)


async def post(client: Any, url: str, data: dict[str, Any], **kw: Any) -> Any:
    """POST a form as a browser would (a list value posts the name once per item)."""
    return await client.post(url, data={**data, "_csrf_token": await csrf(client)}, **kw)


def main_of(html: str) -> str:
    """The page's <main> element (what differs between pages, without the header)."""
    match = MAIN.search(html)
    assert match, "page has no <main>"
    return match.group(0)


async def org_with_admin(
    name: str | None = None, kind: str = "partner"
) -> tuple[Organisation, Staff]:
    """An organisation and one of its admins."""
    organisation = await make_organisation(name=name, kind=kind)
    return organisation, await make_staff(organisation, is_org_admin=True)


async def first_row(query: Any) -> dict[str, Any]:
    """The first row a select finds (the test fails if there is none)."""
    row = await query.first()
    assert row is not None, "no row found"
    return dict(row)
