"""On SQLite every write, in a transaction or not, goes through the one in-process write queue.

Sessions, sign-in attempts and API-token use write outside any transaction. If such a write
opened a connection of its own, it would wait for SQLite's file lock behind a transaction
held in this process, polling, and with a short busy timeout fail with "database is locked".
Queued, it simply waits its turn. The test makes the file lock impatient (50 ms) and holds
a write transaction for longer while those writes arrive.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import msgspec
import pytest

from hub import clock
from hub.accounts import api_tokens, sessions, throttle
from hub.accounts.api_tokens import ApiTokenCreate
from hub.db import HubSQLiteEngine, get_engine, transaction
from hub.tables import SignInAttempt, UserSession
from tests.conftest import ON_POSTGRES
from tests.consent.factories import principal, staff_member
from tests.support import make_organisation

pytestmark = pytest.mark.skipif(ON_POSTGRES, reason="PostgreSQL has no single-writer queue")

HOLD = 0.3


@pytest.fixture
async def impatient() -> AsyncIterator[HubSQLiteEngine]:
    """The real engine, with a 50 ms busy timeout for the length of the test."""
    engine = get_engine()
    assert isinstance(engine, HubSQLiteEngine)
    before = engine.connection_kwargs["timeout"]
    engine.connection_kwargs["timeout"] = 0.05
    yield engine
    engine.connection_kwargs["timeout"] = before


async def _while_a_transaction_is_held(*writes) -> list[object]:
    held = asyncio.Event()

    async def hold() -> None:
        async with transaction():
            await SignInAttempt.insert(
                SignInAttempt(account_key="holder", address="", at=clock.now(), succeeded=True)
            )
            held.set()
            await asyncio.sleep(HOLD)

    async def after_hold(write) -> object:
        await held.wait()
        return await write()

    results = await asyncio.gather(
        hold(), *(after_hold(write) for write in writes), return_exceptions=True
    )
    return results[1:]


async def test_session_attempt_and_token_writes_wait_their_turn(impatient) -> None:
    organisation = await make_organisation()
    member = await staff_member(organisation, is_org_admin=True)
    admin = msgspec.structs.replace(principal(member, organisation), is_org_admin=True)
    made = await api_tokens.create_token(admin, ApiTokenCreate(name="CMS", scope="read"))
    token = await sessions.start_session("staff", member.id)

    results = await _while_a_transaction_is_held(
        lambda: throttle.note_attempt("someone@example.org", "10.0.0.1", succeeded=False),
        lambda: api_tokens.authenticate(made.token),  # notes when the token was last used
        lambda: sessions.end_session(token),
    )

    assert not [r for r in results if isinstance(r, BaseException)], results
    assert await SignInAttempt.count().where(SignInAttempt.account_key == "someone@example.org")
    assert not await UserSession.exists().where(UserSession.key == sessions.token_key(token))


async def test_a_plain_write_outside_a_transaction_is_queued(impatient) -> None:
    results = await _while_a_transaction_is_held(
        lambda: SignInAttempt.insert(
            SignInAttempt(account_key="plain", address="", at=clock.now(), succeeded=False)
        ),
        lambda: SignInAttempt.delete().where(SignInAttempt.account_key == "nobody"),
    )
    assert not [r for r in results if isinstance(r, BaseException)], results
    assert await SignInAttempt.count() == 2
