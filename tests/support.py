"""Helpers shared by tests: make organisations, staff and clients; sign in; post forms."""

from __future__ import annotations

import contextlib
import re
import uuid
from collections.abc import Iterator
from datetime import date
from functools import lru_cache
from typing import Any

from argon2 import PasswordHasher

from hub import clock
from hub.tables import Client, ClientAccount, Organisation, Staff

PASSWORD = "correct horse battery staple"
CSRF = re.compile(r'name="_csrf_token" value="([^"]+)"')


@lru_cache(maxsize=1)
def password_hash() -> str:
    """One argon2id hash of PASSWORD, reused, at the lowest cost: sign-in still really verifies
    it, but tests do not spend 0.2 s of CPU per sign-in (the app hashes new passwords at full
    cost)."""
    return PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)


async def make_organisation(name: str | None = None, kind: str = "partner") -> Organisation:
    """A new organisation."""
    organisation = Organisation(
        name=name or f"Org {uuid.uuid4().hex[:8]}", kind=kind, created_at=clock.now()
    )
    await Organisation.insert(organisation)
    return organisation


async def make_staff(
    organisation: Organisation,
    *,
    is_org_admin: bool = False,
    is_system_admin: bool = False,
    active: bool = True,
    email: str | None = None,
    name: str | None = None,
) -> Staff:
    """A staff member of `organisation` whose password is PASSWORD."""
    now = clock.now()
    member = Staff(
        organisation=organisation.id,
        name=name or f"Person {uuid.uuid4().hex[:6]}",
        email=email or f"{uuid.uuid4().hex[:10]}@example.org",
        password_hash=password_hash(),
        is_org_admin=is_org_admin,
        is_system_admin=is_system_admin,
        active=active,
        created_at=now,
        password_changed_at=now,
    )
    await Staff.insert(member)
    return member


async def make_client(organisation: Organisation, username: str | None = None) -> Client:
    """A client registered by `organisation`, with a portal account if `username` is given."""
    now = clock.now()
    client = Client(
        full_name="Jo Bloggs",
        preferred_name="Jo",
        date_of_birth=date(1990, 1, 2),
        registered_by=organisation.id,
        created_at=now,
    )
    await Client.insert(client)
    if username:
        await ClientAccount.insert(
            ClientAccount(
                client=client.id,
                username=username,
                password_hash=password_hash(),
                active=True,
                created_at=now,
                password_changed_at=now,
            )
        )
    return client


def csrf_from(html: str) -> str:
    """The CSRF token in a page's form."""
    match = CSRF.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


async def post_form(
    client: Any, url: str, data: dict[str, Any], form_page: str | None = None
) -> Any:
    """GET the form page for its CSRF token, then POST `data` to `url` like a browser."""
    page = await client.get(form_page or url)
    token = csrf_from(page.text)
    return await client.post(url, data={**data, "_csrf_token": token})


async def sign_in(client: Any, email: str, password: str = PASSWORD) -> Any:
    """Sign a staff member in through the real form."""
    return await post_form(client, "/sign-in", {"email": email, "password": password})


async def sign_in_client(client: Any, username: str, password: str = PASSWORD) -> Any:
    """Sign a client in to the portal through the real form."""
    return await post_form(client, "/portal/sign-in", {"username": username, "password": password})


_POOLS = ("pool", "custom_plan_pool")


@contextlib.contextmanager
def pools_set_aside() -> Iterator[None]:
    """While a command runs in-process on an event loop of its own, hide the test's database
    pools (PostgreSQL's; they belong to the test's loop) from it: it opens and closes its
    own, as it does when run from a shell."""
    from hub.db import get_engine

    engine = get_engine()
    pools = {name: getattr(engine, name) for name in _POOLS if getattr(engine, name, None)}
    for name in pools:
        setattr(engine, name, None)
    try:
        yield
    finally:
        for name, pool in pools.items():
            setattr(engine, name, pool)
