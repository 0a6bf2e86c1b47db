"""Transactional outbox: jobs written with the change that causes them, run by a worker."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from piccolo.query.functions.aggregate import Count

from hub import clock
from hub.db import insert_many, lock, locked, named_lock, transaction
from hub.ids import time_ordered_id
from hub.tables import OutboxJob

log = logging.getLogger(__name__)

Handler = Callable[[dict[str, Any]], Awaitable[None]]

LEASE = timedelta(minutes=5)
BACKOFF_BASE_SECONDS = 10
BACKOFF_CAP_SECONDS = 3600


@dataclass(frozen=True)
class Job:
    """A claimed job, ready to run."""

    id: uuid.UUID
    kind: str
    payload: dict[str, Any]
    attempts: int
    max_attempts: int


async def enqueue(
    kind: str,
    payload: Mapping[str, Any],
    *,
    run_after: datetime | None = None,
    max_attempts: int = 8,
) -> uuid.UUID:
    """Write a job; call inside the transaction of the change that causes it."""
    [job_id] = await enqueue_many(kind, [payload], run_after=run_after, max_attempts=max_attempts)
    return job_id


_SCHEDULE = named_lock("hub.outbox.schedule")


async def ensure_scheduled(kind: str, after: timedelta | None = None) -> bool:
    """Queue the recurring job `kind` unless one is already waiting (once, however many ask).

    Args:
        kind: the job's kind; its payload is empty.
        after: run it that long from now (the next run, from a handler); at once when None.

    Returns:
        True when this call queued it.
    """
    async with transaction():
        await lock(_SCHEDULE, kind)
        waiting = await OutboxJob.exists().where(
            (OutboxJob.kind == kind) & (OutboxJob.status == "pending")
        )
        if waiting:
            return False
        await enqueue(kind, {}, run_after=clock.now() + after if after is not None else None)
    return True


async def enqueue_many(
    kind: str,
    payloads: Sequence[Mapping[str, Any]],
    *,
    run_after: datetime | None = None,
    max_attempts: int = 8,
    at_commit: bool = False,
) -> list[uuid.UUID]:
    """Write several jobs of one kind in one statement (e.g. one e-mail per recipient).

    `at_commit`: the caller reads none of them back in its transaction (`hub.db.insert_many`).
    """
    if not payloads:
        return []
    now = clock.now()
    ids = [time_ordered_id() for _ in payloads]
    rows = [
        (
            *(job_id, kind, json.dumps(dict(payload), sort_keys=True), "pending", 0, max_attempts),
            *(run_after or now, None, "", "", now, None),
        )
        for job_id, payload in zip(ids, payloads, strict=True)
    ]
    async with transaction():
        # Straight to the driver: an OutboxJob object per job cost more than the write.
        await insert_many(OutboxJob._meta.tablename, _JOB_COLUMNS, rows, at_commit=at_commit)
    return ids


_JOB_COLUMNS = (
    *("id", "kind", "payload", "status", "attempts", "max_attempts", "run_after"),
    *("locked_until", "locked_by", "last_error", "created_at", "finished_at"),
)


def backoff(attempts: int) -> timedelta:
    """How long to wait before the next try after `attempts` failed tries."""
    seconds = min(BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0), BACKOFF_CAP_SECONDS)
    return timedelta(seconds=seconds)


async def claim(worker_id: str, limit: int = 10, lease: timedelta = LEASE) -> list[Job]:
    """Take up to `limit` due jobs (and jobs whose worker died mid-run) for this worker."""
    now = clock.now()
    async with transaction():
        # A job whose worker keeps dying with it (lease expired, tries used up) stops here.
        await OutboxJob.update(
            {
                OutboxJob.status: "failed",
                OutboxJob.finished_at: now,
                OutboxJob.locked_until: None,
                OutboxJob.last_error: "worker stopped while running it; no tries left",
            }
        ).where(
            (OutboxJob.status == "running")
            & (OutboxJob.locked_until < now)
            & (OutboxJob.attempts >= OutboxJob.max_attempts)
        )
        due = (OutboxJob.status == "pending") & (OutboxJob.run_after <= now)
        expired = (OutboxJob.status == "running") & (OutboxJob.locked_until < now)
        # Jobs another worker is claiming right now are passed over, not waited for.
        rows = await locked(
            OutboxJob.select(OutboxJob.id)
            .where(due | expired)
            .order_by(OutboxJob.run_after)
            .limit(limit),
            skip_locked=True,
        )
        ids = [row["id"] for row in rows]
        if not ids:
            return []
        await OutboxJob.update(
            {
                OutboxJob.status: "running",
                OutboxJob.locked_until: now + lease,
                OutboxJob.locked_by: worker_id,
                OutboxJob.attempts: OutboxJob.attempts + 1,
            }
        ).where(OutboxJob.id.is_in(ids))
        claimed = await OutboxJob.select().where(OutboxJob.id.is_in(ids))
    return [
        Job(
            id=row["id"],
            kind=row["kind"],
            payload=json.loads(row["payload"]),
            attempts=row["attempts"],
            max_attempts=row["max_attempts"],
        )
        for row in claimed
    ]


async def _finish(job: Job, worker_id: str, error: str | None) -> None:
    now = clock.now()
    mine = (OutboxJob.id == job.id) & (OutboxJob.locked_by == worker_id)
    if error is None:
        values: dict[Any, Any] = {OutboxJob.status: "done", OutboxJob.finished_at: now}
    elif job.attempts >= job.max_attempts:
        values = {OutboxJob.status: "failed", OutboxJob.finished_at: now}
    else:
        values = {OutboxJob.status: "pending", OutboxJob.run_after: now + backoff(job.attempts)}
    values[OutboxJob.locked_until] = None
    if error is not None:
        values[OutboxJob.last_error] = error[:2000]
    async with transaction():
        await OutboxJob.update(values).where(mine)


async def run_job(job: Job, handlers: Mapping[str, Handler], worker_id: str) -> bool:
    """Run one claimed job; record success, or the failure and when to try again."""
    handler = handlers.get(job.kind)
    try:
        if handler is None:
            msg = f"no handler for job kind {job.kind!r}"
            raise LookupError(msg)
        await handler(job.payload)
    except Exception as exc:  # noqa: BLE001 - every failure is recorded on the job
        log.warning("outbox job %s (%s) failed: %s", job.id, job.kind, exc)
        await _finish(job, worker_id, f"{type(exc).__name__}: {exc}")
        return False
    await _finish(job, worker_id, None)
    return True


def new_worker_id() -> str:
    """A name for this worker that is unique across hosts and processes."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


async def run_once(handlers: Mapping[str, Handler], worker_id: str, limit: int = 10) -> int:
    """Claim and run one batch of due jobs; returns how many were run."""
    jobs = await claim(worker_id, limit=limit)
    for job in jobs:
        await run_job(job, handlers, worker_id)
    return len(jobs)


async def run_forever(
    handlers: Mapping[str, Handler], stop: asyncio.Event, poll_seconds: float = 2.0
) -> None:
    """Drain the outbox until `stop` is set, sleeping `poll_seconds` when there is nothing."""
    worker_id = new_worker_id()
    while not stop.is_set():
        try:
            ran = await run_once(handlers, worker_id)
        except Exception:
            log.exception("outbox worker loop failed; trying again")
            ran = 0
        if ran:
            continue
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=poll_seconds)


async def counts() -> dict[str, int]:
    """How many jobs are in each status (for the admin page and health)."""
    rows = await OutboxJob.select(OutboxJob.status, Count(alias="count")).group_by(OutboxJob.status)
    return {row["status"]: row["count"] for row in rows}
