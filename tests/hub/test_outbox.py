"""Outbox: jobs commit with their cause, run once, retry with backoff and survive crashes."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest

from hub import clock, outbox
from hub.db import transaction
from hub.tables import OutboxJob


class Rollback(Exception):
    """Raised to abandon a transaction."""


class Recorder:
    """An outbox handler that notes every payload it is given, and can be told to fail."""

    def __init__(self, error: str = "") -> None:
        self.payloads: list[dict[str, Any]] = []
        self.error = error

    async def __call__(self, payload: dict[str, Any]) -> None:
        self.payloads.append(payload)
        if self.error:
            raise RuntimeError(self.error)


async def job_row(job_id: UUID) -> dict[str, Any]:
    """The job's row as stored."""
    row = await OutboxJob.select().where(OutboxJob.id == job_id).first()
    assert row is not None
    return row


async def test_a_job_enqueued_in_a_rolled_back_transaction_is_never_written() -> None:
    async def enqueue_then_roll_back() -> None:
        async with transaction():
            await outbox.enqueue("test.job", {"n": 1})
            raise Rollback

    with pytest.raises(Rollback):
        await enqueue_then_roll_back()
    assert await OutboxJob.count() == 0

    async with transaction():
        job_id = await outbox.enqueue("test.job", {"n": 2})
    row = await job_row(job_id)
    assert row["status"] == "pending"
    assert await OutboxJob.count() == 1


async def test_a_due_job_is_claimed_by_one_worker_only() -> None:
    clock.freeze()
    job_id = await outbox.enqueue("test.job", {"n": 1})

    first = await outbox.claim("worker-a")
    second = await outbox.claim("worker-b")

    assert [(job.id, job.payload, job.attempts) for job in first] == [(job_id, {"n": 1}, 1)]
    assert second == []
    row = await job_row(job_id)
    assert row["status"] == "running"
    assert row["locked_by"] == "worker-a"
    assert row["locked_until"] == clock.now() + outbox.LEASE


async def test_a_job_is_not_claimed_before_its_time() -> None:
    clock.freeze()
    await outbox.enqueue("test.job", {}, run_after=clock.now() + timedelta(minutes=10))

    assert await outbox.claim("worker-a") == []
    clock.advance(timedelta(minutes=10, seconds=1))
    assert len(await outbox.claim("worker-a")) == 1


async def test_a_successful_job_runs_once_and_is_done() -> None:
    clock.freeze()
    handler = Recorder()
    job_id = await outbox.enqueue("test.job", {"n": 7})

    assert await outbox.run_once({"test.job": handler}, "worker-a") == 1
    assert await outbox.run_once({"test.job": handler}, "worker-a") == 0

    assert handler.payloads == [{"n": 7}]
    row = await job_row(job_id)
    assert row["status"] == "done"
    assert row["finished_at"] == clock.now()
    assert row["locked_until"] is None
    assert await outbox.counts() == {"done": 1}


async def test_a_failing_job_is_retried_with_growing_backoff_then_failed() -> None:
    clock.freeze()
    handler = Recorder(error="the mail server said no")
    handlers = {"test.job": handler}
    job_id = await outbox.enqueue("test.job", {"n": 1}, max_attempts=3)

    for attempts in (1, 2):
        assert await outbox.run_once(handlers, "worker-a") == 1
        row = await job_row(job_id)
        assert row["status"] == "pending"
        assert row["attempts"] == attempts
        assert row["last_error"] == "RuntimeError: the mail server said no"
        assert row["run_after"] == clock.now() + outbox.backoff(attempts)
        assert row["locked_until"] is None
        assert row["finished_at"] is None
        # Not due again until the backoff has passed.
        clock.advance(outbox.backoff(attempts) - timedelta(seconds=1))
        assert await outbox.run_once(handlers, "worker-a") == 0
        clock.advance(timedelta(seconds=1))

    assert await outbox.run_once(handlers, "worker-a") == 1
    row = await job_row(job_id)
    assert row["status"] == "failed"
    assert row["attempts"] == 3
    assert row["finished_at"] == clock.now()

    clock.advance(timedelta(days=1))
    assert await outbox.run_once(handlers, "worker-a") == 0
    assert len(handler.payloads) == 3


def test_backoff_doubles_from_the_base_up_to_the_cap() -> None:
    waits = [outbox.backoff(attempts).total_seconds() for attempts in range(1, 20)]

    assert waits[0] == outbox.BACKOFF_BASE_SECONDS
    assert waits[1] == 2 * outbox.BACKOFF_BASE_SECONDS
    assert waits == sorted(waits)
    assert max(waits) == outbox.BACKOFF_CAP_SECONDS


async def test_a_job_with_no_handler_is_kept_with_the_reason() -> None:
    job_id = await outbox.enqueue("test.unknown", {})

    assert await outbox.run_once({}, "worker-a") == 1

    row = await job_row(job_id)
    assert row["status"] == "pending"
    assert "no handler for job kind 'test.unknown'" in row["last_error"]


async def test_a_crashed_workers_job_is_run_by_another_after_the_lease() -> None:
    clock.freeze()
    handler = Recorder()
    job_id = await outbox.enqueue("test.job", {"n": 1})
    [abandoned] = await outbox.claim("worker-that-crashed")

    clock.advance(outbox.LEASE)
    assert await outbox.run_once({"test.job": handler}, "worker-b") == 0
    clock.advance(timedelta(seconds=1))
    assert await outbox.run_once({"test.job": handler}, "worker-b") == 1

    assert handler.payloads == [{"n": 1}]
    row = await job_row(job_id)
    assert (row["status"], row["attempts"], row["locked_by"]) == ("done", 2, "worker-b")

    # Should the first worker come back to life and report a failure, it changes nothing.
    await outbox.run_job(abandoned, {"test.job": Recorder(error="late")}, "worker-that-crashed")
    row = await job_row(job_id)
    assert (row["status"], row["last_error"]) == ("done", "")


async def test_concurrent_claimers_never_get_the_same_job() -> None:
    job_ids = {await outbox.enqueue("test.job", {"n": n}) for n in range(30)}

    claimed: list[tuple[str, UUID]] = []
    while True:
        batches = await asyncio.gather(
            outbox.claim("worker-a", limit=4), outbox.claim("worker-b", limit=4)
        )
        if not any(batches):
            break
        for worker, jobs in zip(("worker-a", "worker-b"), batches, strict=True):
            claimed.extend((worker, job.id) for job in jobs)

    ids = [job_id for _, job_id in claimed]
    assert len(ids) == len(set(ids)) == 30
    assert set(ids) == job_ids
    for worker, job_id in claimed:
        assert (await job_row(job_id))["locked_by"] == worker


async def test_concurrent_workers_run_every_job_exactly_once() -> None:
    handler = Recorder()
    for n in range(30):
        await outbox.enqueue("test.job", {"n": n})

    while any(
        await asyncio.gather(
            outbox.run_once({"test.job": handler}, "worker-a", limit=5),
            outbox.run_once({"test.job": handler}, "worker-b", limit=5),
            outbox.run_once({"test.job": handler}, "worker-c", limit=5),
        )
    ):
        pass

    runs = Counter(payload["n"] for payload in handler.payloads)
    assert runs == Counter(range(30))
    assert await outbox.counts() == {"done": 30}
