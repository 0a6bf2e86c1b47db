"""The background pull: every hour the worker pulls the feeds that are due."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from directory.feeds.services import pull_due_feeds
from hub import outbox

FEEDS_JOB = "directory.feeds_pull"
CHECK_EVERY = timedelta(hours=1)


async def ensure_feeds_job() -> bool:
    """Queue the pull unless one is already waiting; True when this call queued it."""
    return await outbox.ensure_scheduled(FEEDS_JOB)


async def feeds_pull_job(payload: dict[str, Any]) -> None:
    """Outbox handler: pull what is due, then queue the next check (once)."""
    _ = payload
    try:
        await pull_due_feeds()
    finally:
        await outbox.ensure_scheduled(FEEDS_JOB, after=CHECK_EVERY)
