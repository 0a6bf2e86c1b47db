"""Listings a feed no longer has: remembered as seen, hidden when gone, held when too many go."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec

from directory.feeds.schemas import PullResult
from directory.feeds.tables import FeedListing
from directory.read import load_service
from directory.store import upsert_service
from hub import clock
from hub.audit import Actor
from hub.db import transaction

HOLD_SHARE = 0.2  # more than this share of a feed's listings gone at once: ask an admin
CHUNK = 500


async def record_seen(feed_id: UUID, seen: dict[str, UUID], at: datetime) -> None:
    """Remember each listing the pull took, under its id in the feed, as seen `at`."""
    existing = await FeedListing.select(FeedListing.service).where(FeedListing.feed == feed_id)
    known = {row["service"] for row in existing}
    new = [(key, service) for key, service in seen.items() if service not in known]
    services = list(seen.values())
    async with transaction():
        for start in range(0, len(new), CHUNK):
            await FeedListing.insert(
                *(
                    FeedListing(
                        id=uuid.uuid4(), feed=feed_id, service=service, key=key, last_seen_at=at
                    )
                    for key, service in new[start : start + CHUNK]
                )
            )
        for start in range(0, len(services), CHUNK):
            await FeedListing.update(
                {FeedListing.last_seen_at: at, FeedListing.missing_since: None}
            ).where(
                (FeedListing.feed == feed_id)
                & FeedListing.service.is_in(services[start : start + CHUNK])
            )


async def _present(feed_id: UUID) -> list[dict[str, Any]]:
    """The feed's listings not already hidden as gone."""
    return list(
        await FeedListing.select(
            FeedListing.id, FeedListing.service, FeedListing.key, FeedListing.last_seen_at
        ).where((FeedListing.feed == feed_id) & FeedListing.missing_since.is_null())
    )


async def _hide(feed_id: UUID, rows: list[dict[str, Any]]) -> int:
    """Mark these listings inactive (out of search, history kept) and remember since when."""
    hidden = 0
    for row in rows:
        async with transaction():
            record = await load_service(row["service"])
            if record is not None and record.status == "active":
                await upsert_service(
                    msgspec.structs.replace(record, status="inactive"),
                    actor=Actor.system(),
                    summary="No longer in its feed: marked inactive",
                )
                hidden += 1
            await FeedListing.update({FeedListing.missing_since: clock.now()}).where(
                FeedListing.id == row["id"]
            )
    return hidden


async def settle(
    feed_id: UUID, started: datetime, keys: set[str], counts: dict[str, int]
) -> PullResult:
    """After a pull that read the whole feed: hide what it dropped, or hold if too much went."""
    present = await _present(feed_id)
    gone = [row for row in present if row["key"] not in keys]
    if len(gone) >= 2 and len(gone) > HOLD_SHARE * len(present):
        message = (
            f"{len(gone)} of {len(present)} listings vanished from the feed at once; none was "
            "hidden. Check the feed, then confirm to hide them."
        )
        return PullResult("held", message, {**counts, "missing": len(gone)})
    hidden = await _hide(feed_id, gone)
    return PullResult(
        "ok",
        f"Pulled; {hidden} listings no longer in the feed hidden",
        {**counts, "hidden": hidden},
    )


async def hide_missing(feed_id: UUID, started: datetime) -> int:
    """Hide the listings the pull that began `started` did not see (an admin confirmed)."""
    present = await _present(feed_id)
    return await _hide(feed_id, [row for row in present if row["last_seen_at"] < started])
