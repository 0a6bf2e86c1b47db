"""Possible duplicates waiting for an admin: one entry in search, the other collapsed into it.

While a duplicate flag is open, the flagged listing (the one that arrived second) is left out
of search and shown as "also listed by ..." on the listing it duplicates, so a worker never
sees one service twice. Only while that other listing is active: if it leaves search, the
flagged one comes back. Merging hides the flagged listing for good; keeping them apart shows
both again.
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

import msgspec

from directory.feeds.tables import DuplicateFlag, Feed, FeedListing
from directory.tables import Service

OPEN = "open"


class AlsoListed(msgspec.Struct, frozen=True):
    """A listing collapsed into another: its id, its organisation and the feed it came from."""

    service_id: UUID
    organisation_name: str
    feed_publisher: str = ""

    @property
    def text(self) -> str:
        """e.g. "Citizens Advice (from Northshire Council's feed)"."""
        if self.feed_publisher and self.feed_publisher != self.organisation_name:
            return f"{self.organisation_name} (from {self.feed_publisher}'s feed)"
        return self.organisation_name


async def collapsed_into(service_ids: Sequence[UUID]) -> dict[UUID, UUID]:
    """Which of these listings are collapsed, and into which (active) listing."""
    wanted = list(dict.fromkeys(service_ids))
    if not wanted:
        return {}
    rows = await DuplicateFlag.select(DuplicateFlag.service, DuplicateFlag.other).where(
        (DuplicateFlag.status == OPEN)
        & DuplicateFlag.service.is_in(wanted)
        & (DuplicateFlag.other.status == "active")
    )
    return {row["service"]: row["other"] for row in rows}


async def depending_on(service_ids: Sequence[UUID]) -> list[UUID]:
    """Listings collapsed into these: whether they are shown depends on these being active."""
    wanted = list(dict.fromkeys(service_ids))
    if not wanted:
        return []
    rows = await DuplicateFlag.select(DuplicateFlag.service).where(
        (DuplicateFlag.status == OPEN) & DuplicateFlag.other.is_in(wanted)
    )
    return list(dict.fromkeys(row["service"] for row in rows))


def has_also_listed(service: str) -> str:
    """SQL that is true when listings are collapsed into the one whose id is `service` (an
    SQL expression): what `also_listed` would find, asked beside another read so a page only
    calls it for the listings that have some."""
    return (
        "EXISTS (SELECT 1 FROM duplicate_flag f JOIN service c ON c.id = f.service "
        f"WHERE f.other = {service} AND f.status = '{OPEN}' AND c.status = 'active')"
    )


async def also_listed(service_ids: Sequence[UUID]) -> dict[UUID, list[AlsoListed]]:
    """For each of these listings, the listings collapsed into it (most often none)."""
    wanted = list(dict.fromkeys(service_ids))
    if not wanted:
        return {}
    flags = await DuplicateFlag.select(DuplicateFlag.other, DuplicateFlag.service).where(
        (DuplicateFlag.status == OPEN)
        & DuplicateFlag.other.is_in(wanted)
        & (DuplicateFlag.service.status == "active")
    )
    if not flags:
        return {}
    collapsed = [row["service"] for row in flags]
    owners = await Service.select(
        Service.id, Service.organisation.name.as_alias("organisation_name")
    ).where(Service.id.is_in(collapsed))
    names = {row["id"]: row["organisation_name"] or "" for row in owners}
    links = await FeedListing.select(FeedListing.service, FeedListing.feed).where(
        FeedListing.service.is_in(collapsed)
    )
    feeds = list({row["feed"] for row in links})
    publishers = {
        row["id"]: row["publisher"] or ""
        for row in await Feed.select(Feed.id, Feed.publisher.name.as_alias("publisher")).where(
            Feed.id.is_in(feeds or [UUID(int=0)])
        )
    }
    via = {row["service"]: publishers.get(row["feed"], "") for row in links}
    found: dict[UUID, list[AlsoListed]] = {}
    for row in flags:
        found.setdefault(row["other"], []).append(
            AlsoListed(
                service_id=row["service"],
                organisation_name=names.get(row["service"], ""),
                feed_publisher=via.get(row["service"], ""),
            )
        )
    return found
