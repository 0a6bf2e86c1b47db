"""SQLite statements run on the event loop's own thread, except what could hold it up.

Writes in a transaction and short reads run here (a hand-off to a thread cost more than the
statement); a read past its step budget is run again on a thread with the same answer, and a
BEGIN that meets another process's write lock waits on a thread while this one serves others.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time

import pytest

from hub import clock, db
from hub.db import HubSQLiteEngine, get_engine, raw, transaction
from hub.tables import SignInAttempt
from tests.conftest import ON_POSTGRES

pytestmark = pytest.mark.skipif(ON_POSTGRES, reason="SQLite's own threads and file lock")


def _attempt(key: str) -> SignInAttempt:
    return SignInAttempt(account_key=key, address="", at=clock.now(), succeeded=False)


async def _attempts(key: str) -> list[dict[str, object]]:
    return await raw("SELECT id FROM sign_in_attempt WHERE account_key = {}", key)


async def test_a_read_past_its_budget_gives_the_same_answer_from_a_thread(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async with transaction():
        await SignInAttempt.insert(*[_attempt(f"key-{n}") for n in range(300)])
    query = "SELECT count(*) AS n, max(account_key) AS top FROM sign_in_attempt"
    short = await raw(query)
    engine = get_engine()
    assert isinstance(engine, HubSQLiteEngine)
    assert engine.readers.fetch_short(query, []) == short
    monkeypatch.setattr(db, "INLINE_READ_STEPS", 10)
    assert engine.readers.fetch_short(query, []) is None  # stopped: too long to run here
    assert await raw(query) == short == [{"n": 300, "top": "key-99"}]


async def test_begin_waits_for_another_process_on_a_thread_while_this_one_serves_others() -> None:
    engine = get_engine()
    assert isinstance(engine, HubSQLiteEngine)
    other = sqlite3.connect(engine.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process's write, in progress
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.01)

    async def write() -> float:
        started = time.monotonic()
        async with transaction():
            await SignInAttempt.insert(_attempt("after the other"))
        return time.monotonic() - started

    ticking = asyncio.create_task(ticker())
    writing = asyncio.create_task(write())
    await asyncio.sleep(0.3)
    assert not writing.done()
    assert ticks >= 10  # the loop went on while the BEGIN waited
    other.execute("COMMIT")
    other.close()
    waited = await writing
    ticking.cancel()
    assert waited >= 0.3
    assert len(await _attempts("after the other")) == 1


async def test_a_failed_statement_in_a_transaction_rolls_back_what_came_before() -> None:
    async def half_done() -> None:
        async with transaction():
            await SignInAttempt.insert(_attempt("rolled back"))
            await raw("INSERT INTO sign_in_attempt (account_key) VALUES (NULL)")

    with pytest.raises(sqlite3.IntegrityError):
        await half_done()
    assert await _attempts("rolled back") == []
    async with transaction():  # the kept connection is fit for the next one
        await SignInAttempt.insert(_attempt("next"))
    assert len(await _attempts("next")) == 1
