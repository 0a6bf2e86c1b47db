"""A transaction's waiting writes (audit rows, `at_commit` inserts) reach the database whole.

On PostgreSQL they go in one statement before COMMIT, the audit rows chained in SQL; on SQLite
at once, chained in Python. Either way `audit verify` holds and nothing survives a rollback.
"""

from __future__ import annotations

import json
from typing import Any

import asyncpg
import pytest

from hub import audit, outbox
from hub.audit import Actor
from hub.db import get_engine, transaction
from hub.tables import AuditEvent, OutboxJob
from tests.conftest import ON_POSTGRES

AWKWARD = [
    'a "quoted" word',
    "back\\slash and a new\nline",
    "Dùn Dè, café, 漢字 and 🙂",
    "a tab\tand a bell\x07",
]


class Rollback(Exception):
    """Raised to abandon a transaction."""


async def record_awkward(at: int) -> None:
    """Audit events whose hashed fields hold text that JSON must escape."""
    for n, text in enumerate(AWKWARD):
        await audit.record(
            text[:64],
            Actor(kind="staff", id=f"staff-{at}-{n}", organisation_id=text[:64]),
            subject_type=text[:64],
            subject_id=str(n),
            detail={"text": text},
        )


async def jobs() -> list[str]:
    """Every outbox job's payload, by its number."""
    rows = await OutboxJob.select(OutboxJob.payload)
    return sorted((row["payload"] for row in rows), key=lambda payload: json.loads(payload)["n"])


async def test_awkward_text_chains_to_the_same_hashes_as_python_computes() -> None:
    await record_awkward(0)  # each event in a transaction of its own
    async with transaction():  # several in one transaction: chained one after another
        await record_awkward(1)
        await record_awkward(2)

    rows = list(await AuditEvent.select().order_by(AuditEvent.seq))
    assert [row["seq"] for row in rows] == list(range(1, 3 * len(AWKWARD) + 1))
    assert [row["action"] for row in rows] == [text[:64] for text in AWKWARD] * 3
    for row in rows:
        assert audit._row_hash(row) == row["hash"], row["seq"]
    assert (await audit.verify()).checked == len(rows)
    assert (await audit.verify()).ok


@pytest.mark.skipif(not ON_POSTGRES, reason="SQLite writes each statement in-process, at once")
async def test_postgres_sends_a_transactions_waiting_writes_in_one_statement(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sent: list[str] = []
    for name in ("execute", "executemany", "_execute"):
        original = getattr(asyncpg.Connection, name)

        def counted(self: Any, query: str, *args: Any, _original: Any = original, **kw: Any) -> Any:
            sent.append(" ".join(query.split())[:20])
            return _original(self, query, *args, **kw)

        monkeypatch.setattr(asyncpg.Connection, name, counted)
    async with transaction():
        await outbox.enqueue_many("test.job", [{"n": 1}, {"n": 2}], at_commit=True)
        await audit.record("test.first", Actor.system())
        await outbox.enqueue_many("test.job", [{"n": 3}], at_commit=True)
        await audit.record("test.second", Actor.system())
        assert sent == []  # nothing has gone yet
    monkeypatch.undo()

    # execute() with arguments runs _execute(): the one statement shows twice. It was all
    # the transaction had to send, so it went on its own: no BEGIN, no COMMIT.
    assert sent == ["WITH RECURSIVE part_"] * 2, sent
    assert await jobs() == ['{"n": 1}', '{"n": 2}', '{"n": 3}']
    actions = [row["action"] for row in await AuditEvent.select().order_by(AuditEvent.seq)]
    assert actions == ["test.first", "test.second"]
    assert (await audit.verify()).ok


async def abandoned() -> None:
    """Waiting writes in a transaction that is then rolled back."""
    async with transaction():
        await outbox.enqueue_many("test.job", [{"n": 1}], at_commit=True)
        await audit.record("test.lost", Actor.system())
        raise Rollback


async def test_waiting_writes_go_with_a_rolled_back_transaction() -> None:
    with pytest.raises(Rollback):
        await abandoned()
    await audit.record("test.kept", Actor.system())

    assert await jobs() == []
    rows = list(await AuditEvent.select().order_by(AuditEvent.seq))
    assert [(row["seq"], row["action"]) for row in rows] == [(1, "test.kept")]
    assert (await audit.verify()).ok


async def clashing() -> None:
    """A waiting insert whose id another insert of the same transaction took first."""
    async with transaction():
        [job_id] = await outbox.enqueue_many("test.job", [{"n": 1}], at_commit=True)
        await audit.record("test.lost", Actor.system())
        await OutboxJob.insert(OutboxJob(id=job_id, kind="test.clash"))
        # SQLite inserted the first at once, so it fails at the line above.
        assert ON_POSTGRES, "the clash should have been found"


async def test_a_failing_waiting_insert_fails_the_commit_and_keeps_nothing() -> None:
    with pytest.raises(Exception, match=r"(?i)unique|duplicate"):
        await clashing()
    assert await jobs() == []
    assert await AuditEvent.count() == 0
    # The connection went back to the pool without the trail's lock: the next append goes on.
    assert get_engine().current_transaction.get() is None
    await audit.record("test.next", Actor.system())
    assert [row["seq"] for row in await AuditEvent.select(AuditEvent.seq)] == [1]


async def test_more_waiting_values_than_one_statement_takes_all_arrive_in_order() -> None:
    # 14 values a job: 3 batches of 400 jobs are 16,800 values, over the 10,000 kept waiting.
    async with transaction():
        for batch in range(3):
            await outbox.enqueue_many(
                "test.job", [{"n": batch * 400 + n} for n in range(400)], at_commit=True
            )
        await audit.record("test.after", Actor.system())

    assert await jobs() == [f'{{"n": {n}}}' for n in range(1200)]
    assert await AuditEvent.count() == 1
    assert get_engine().current_transaction.get() is None
