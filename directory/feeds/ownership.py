"""Listings that come from a feed: only the fields feeds do not carry are changed here."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec

from directory import schemas
from directory.feeds.tables import FeedListing
from hub.errors import Invalid

# Ours alone: Open Referral UK has no referral routes, capacity or response target.
LOCAL_FIELDS = frozenset(
    {
        "referral_methods",
        "response_target_days",
        "capacity_status",
        "capacity_waitlist_weeks",
        "capacity_note",
        "capacity_updated_at",
        "verified_at",
        "verified_by_name",
        "updated_at",
    }
)


async def feed_of(service_id: UUID) -> dict[str, Any] | None:
    """The feed a listing came from (url, publisher's name), or None for a local listing."""
    row = (
        await FeedListing.select(
            FeedListing.feed.url.as_alias("url"),
            FeedListing.feed.publisher.name.as_alias("publisher_name"),  # type: ignore[union-attr]
        )
        .where(FeedListing.service == service_id)
        .first()
    )
    return dict(row) if row else None


async def refuse_feed_fields(before: schemas.ServiceRecord, after: schemas.ServiceRecord) -> None:
    """Refuse a local change to what the listing's feed keeps.

    Raises:
        Invalid: the listing comes from a feed and the change touches a field it carries.
    """
    old, new = msgspec.structs.asdict(before), msgspec.structs.asdict(after)
    changed = {name for name in new if old.get(name) != new[name]} - LOCAL_FIELDS
    if not changed:
        return
    feed = await feed_of(before.id)
    if feed is None:
        return
    msg = (
        f"This listing comes from {feed['publisher_name']}'s feed, which keeps it up to date: "
        "change it there. Here you can change how to refer, capacity and the response target."
    )
    raise Invalid(msg, {name: msg for name in sorted(changed)})
