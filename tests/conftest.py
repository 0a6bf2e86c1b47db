"""Test set-up: a fresh database per run (SQLite file or PostgreSQL database), cleaned per test."""

from __future__ import annotations

import asyncio
import os
import tempfile
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest

# Fails the run if a test reads anything from beside the repository (a clone runs alone).
pytest_plugins = ("tests.self_contained",)

# The environment must be settled before any app module reads it.
_VAR_DIR = Path(tempfile.mkdtemp(prefix="wraparound-test-"))
_BASE_URL = os.environ.get("DATABASE_URL", "")
_PG_DATABASE = ""
os.environ.update(
    {
        "WRAPAROUND_VAR_DIR": str(_VAR_DIR),
        "SECRET_KEY": "test-secret-key-" + "x" * 32,
        "WORKER_IN_PROCESS": "false",
        "WRAPAROUND_ENV": "test",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": "1",
    }
)


def _with_database(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{database}", parts.query, parts.fragment))


async def _admin_sql(url: str, statement: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(url, timeout=10)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


if _BASE_URL.startswith(("postgres://", "postgresql://")):
    _PG_DATABASE = f"wa_test_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin_sql(_BASE_URL, f'CREATE DATABASE "{_PG_DATABASE}"'))
    os.environ["DATABASE_URL"] = _with_database(_BASE_URL, _PG_DATABASE)
else:
    os.environ["DATABASE_URL"] = f"sqlite:///{_VAR_DIR / 'test.sqlite'}"

from hub import clock  # noqa: E402
from hub.settings import get_settings  # noqa: E402

get_settings.cache_clear()

ON_POSTGRES = bool(_PG_DATABASE)


def pytest_report_header() -> str:
    """Say which database this run uses."""
    return f"database: {'PostgreSQL ' + _PG_DATABASE if ON_POSTGRES else 'SQLite (temporary file)'}"


def pytest_sessionfinish() -> None:
    """Drop this run's PostgreSQL database."""
    if ON_POSTGRES:
        statement = f'DROP DATABASE IF EXISTS "{_PG_DATABASE}" WITH (FORCE)'
        asyncio.run(_admin_sql(_BASE_URL, statement))


@pytest.fixture(scope="session", autouse=True)
async def migrated() -> AsyncIterator[None]:
    """Apply every migration once per run; on PostgreSQL keep a connection pool for the run,
    as the app's lifespan does (without one every statement opens its own connection)."""
    from hub.cli import migrate
    from hub.db import close_pool, get_engine, open_pool

    await migrate()
    await open_pool(get_engine())
    yield
    await close_pool(get_engine())


async def _clean_tables() -> None:
    from piccolo.conf.apps import Finder
    from piccolo.table import sort_table_classes

    from directory.search import synonyms, vocabulary
    from directory.taxonomy import ensure_need_taxonomy
    from hub.db import raw, transaction

    tables = sort_table_classes(Finder().get_table_classes())
    names = [table._meta.tablename for table in reversed(tables)]
    async with transaction():
        # The search documents are not a Piccolo table; on PostgreSQL the replica role below
        # also skips the foreign-key cascade that would otherwise take them with the services.
        await raw("DELETE FROM directory_search_doc")
        await raw("DELETE FROM directory_search_term")
        if ON_POSTGRES:
            # Gets past the audit trail's append-only triggers, in this transaction only.
            # DELETE is ten times faster than TRUNCATE on these small tables.
            await raw("SET LOCAL session_replication_role = replica")
            for name in names:
                await raw(f'DELETE FROM "{name}"')
        else:
            for name in names:
                await raw(f'DELETE FROM "{name}"')
        await ensure_need_taxonomy()  # shipped data, as a fresh install has it
    vocabulary.forget()
    synonyms.forget()


@pytest.fixture(autouse=True)
async def clean_database(migrated: None) -> AsyncIterator[None]:
    """Every test starts from empty tables and real time."""
    clock.reset()
    await _clean_tables()
    yield
    clock.reset()


def make_client() -> httpx.AsyncClient:
    """A browser-like HTTP client for the whole app, in this event loop (no lifespan: no pool).

    It speaks https so Secure cookies flow, and does not follow redirects so tests see them.
    """
    from app import create_app

    transport = httpx.ASGITransport(app=create_app(), client=("127.0.0.1", 40000))  # type: ignore[arg-type]
    return httpx.AsyncClient(transport=transport, base_url="https://testserver.local")


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    """One signed-out browser."""
    async with make_client() as test_client:
        yield test_client


@pytest.fixture
def other_client() -> Callable[[], httpx.AsyncClient]:
    """Factory for further independent browsers (use as `async with other_client() as c`)."""
    return make_client
