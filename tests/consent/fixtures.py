"""Browsers for consent's HTTP tests, sharing one app per run.

The app keeps no state of its own between requests (everything is in the database, which
is emptied before each test), so one instance serves every test and its templates are
compiled once, not once per test.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from functools import cache
from typing import Any

import httpx
import pytest


@cache
def shared_app() -> Any:
    """One app for the whole run."""
    from app import create_app

    return create_app()


def browser() -> httpx.AsyncClient:
    """A fresh signed-out browser on the shared app (https, redirects not followed)."""
    transport = httpx.ASGITransport(app=shared_app(), client=("127.0.0.1", 40000))
    return httpx.AsyncClient(transport=transport, base_url="https://testserver.local")


@pytest.fixture(autouse=True)
async def pooled() -> AsyncIterator[None]:
    """A connection pool for the test (PostgreSQL opens a connection per query without one)."""
    from hub.db import close_pool, get_engine, open_pool

    engine = get_engine()
    await open_pool(engine)
    yield
    await close_pool(engine)


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    """One signed-out browser."""
    async with browser() as test_client:
        yield test_client


@pytest.fixture
def other_client() -> Callable[[], httpx.AsyncClient]:
    """Factory for further independent browsers (`async with other_client() as c`)."""
    return browser
