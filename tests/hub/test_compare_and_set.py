"""A compare-and-set left for the commit (`Prepared.must_change(..., at_commit=True)`).

On PostgreSQL it waits for the transaction's last statement, with the other waiting writes;
when it finds its row changed, nothing the transaction did is kept, whichever statements had
already gone. On SQLite it runs at once. Either way the caller sees NotLanded.
"""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import pytest

from hub import audit, clock, outbox
from hub.audit import Actor
from hub.db import NotLanded, get_engine, transaction
from hub.prepared import Prepared
from hub.tables import AuditEvent, OutboxJob
from tests.conftest import ON_POSTGRES

RENAME = Prepared(
    lambda new_kind, job_id, seen_kind: (
        OutboxJob.update({OutboxJob.kind: new_kind})
        .where((OutboxJob.id == job_id) & (OutboxJob.kind == seen_kind))
        .returning(OutboxJob.id)
    )
)


async def a_job(kind: str = "test.seen") -> Any:
    """A job whose kind the tests compare and set."""
    [job_id] = await outbox.enqueue_many(kind, [{"n": 0}])
    return job_id


async def kinds() -> list[str]:
    """Every job's kind."""
    return sorted(row["kind"] for row in await OutboxJob.select(OutboxJob.kind))


async def renamed(job_id: Any, seen: str, new: str, *, read_first: bool = False) -> None:
    """Rename the job if it still has the kind seen, with an audit entry and a new job."""
    async with transaction():
        if read_first:
            await OutboxJob.insert(OutboxJob(kind="test.at-once", created_at=clock.now()))
        await RENAME.must_change(new, job_id, seen, at_commit=True)
        await outbox.enqueue_many("test.follow-up", [{"n": 1}], at_commit=True)
        await audit.record("test.renamed", Actor.system(), subject_id=str(job_id))


async def test_a_compare_and_set_that_lands_keeps_every_write() -> None:
    job_id = await a_job()
    await renamed(job_id, "test.seen", "test.renamed")

    assert await kinds() == ["test.follow-up", "test.renamed"]
    assert [row["subject_id"] for row in await AuditEvent.select()] == [str(job_id)]
    assert (await audit.verify()).ok


@pytest.mark.parametrize("read_first", [False, True], ids=["all-waiting", "begun-earlier"])
async def test_a_compare_and_set_that_finds_its_row_changed_keeps_nothing(
    read_first: bool,
) -> None:
    job_id = await a_job("test.changed")
    with pytest.raises(NotLanded):
        await renamed(job_id, "test.seen", "test.renamed", read_first=read_first)

    assert await kinds() == ["test.changed"]  # neither the insert at once nor the waiting ones
    assert await AuditEvent.count() == 0
    assert get_engine().current_transaction.get() is None
    await audit.record("test.next", Actor.system())  # the trail's lock was let go
    assert [row["seq"] for row in await AuditEvent.select(AuditEvent.seq)] == [1]


async def test_of_two_compare_and_sets_at_once_exactly_one_lands() -> None:
    job_id = await a_job()
    results = await asyncio.gather(
        *(renamed(job_id, "test.seen", f"test.by-{n}") for n in range(4)),
        return_exceptions=True,
    )

    assert sum(result is None for result in results) == 1, results
    assert sum(isinstance(result, NotLanded) for result in results) == 3, results
    assert len([kind for kind in await kinds() if kind.startswith("test.by-")]) == 1
    assert await AuditEvent.count() == 1
    assert (await audit.verify()).ok


@pytest.mark.skipif(not ON_POSTGRES, reason="only PostgreSQL keeps a statement for the commit")
async def test_postgres_sends_begin_only_when_a_statement_goes_before_the_last(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    job_id = await a_job()
    sent: list[str] = []
    for name in ("execute", "_execute"):
        original = getattr(asyncpg.Connection, name)

        def counted(self: Any, query: str, *args: Any, _original: Any = original, **kw: Any) -> Any:
            sent.append(query.split()[0])
            return _original(self, query, *args, **kw)

        monkeypatch.setattr(asyncpg.Connection, name, counted)
    await renamed(job_id, "test.seen", "test.first")
    alone = list(sent)
    del sent[:]
    await renamed(job_id, "test.first", "test.second", read_first=True)
    monkeypatch.undo()

    # execute() with arguments runs _execute(): a statement with arguments shows twice.
    assert alone == ["WITH", "WITH"]
    assert sent == ["BEGIN", "INSERT", "WITH", "WITH", "COMMIT"]
    assert "test.second" in await kinds()
