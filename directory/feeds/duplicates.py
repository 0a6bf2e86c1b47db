"""Possible duplicates: one service arriving from two feeds, or from a feed and a local listing.

Two active listings are flagged for an admin when their names match once normalised (case,
punctuation, "&") and they share a postcode, a phone number or a web address, also normalised.
Listings of one feed are not compared with each other. A pair is flagged once: an admin merges
it (the newer listing is hidden, and later pulls leave it hidden) or keeps the two apart.
Until then search shows one entry: the flagged listing is collapsed into the other
(directory.search.collapsed), which says who else lists it.
"""

from __future__ import annotations

import re
import uuid
from typing import Any
from uuid import UUID

import msgspec

from directory import schemas
from directory.feeds.tables import DuplicateFlag, FeedListing
from directory.read import load_services
from directory.search.sync import listing_changed
from directory.store import upsert_service
from directory.tables import Service
from hub import clock
from hub.audit import Actor
from hub.db import transaction
from hub.errors import Invalid, NotFound

CHUNK = 500
_NOT_WORDS = re.compile(r"[^a-z0-9]+")


def name_key(name: str) -> str:
    """ "St. Mary's Food-Bank & Pantry" -> "st mary s food bank and pantry"."""
    return _NOT_WORDS.sub(" ", name.casefold().replace("&", " and ")).strip()


def phone_key(number: str) -> str:
    """The number's last ten digits, +44 written as 0 (01382 123456 = +44 1382 123456)."""
    digits = re.sub(r"\D", "", number)
    if digits.startswith("44"):
        digits = "0" + digits[2:]
    return digits[-10:]


def web_key(url: str) -> str:
    """The address without scheme, `www.`, case or trailing slash."""
    bare = re.sub(r"^[a-z][a-z0-9+.-]*://", "", url.strip().casefold())
    return bare.removeprefix("www.").rstrip("/")


def _keys(record: schemas.ServiceRecord) -> dict[str, str]:
    """Key -> the reason a shared key gives, for what makes two listings one service."""
    keys: dict[str, str] = {}
    for place in record.locations:
        if place.postal_code.strip():
            keys["postcode:" + re.sub(r"\s", "", place.postal_code.upper())] = "postcode"
    for phone in [*record.phones, *(p for place in record.locations for p in place.phones)]:
        if len(phone_key(phone.number)) >= 9:
            keys["phone:" + phone_key(phone.number)] = "phone number"
    if record.url.strip():
        keys["web:" + web_key(record.url)] = "web address"
    return keys


async def _records(ids: list[UUID]) -> list[schemas.ServiceRecord]:
    found: list[schemas.ServiceRecord] = []
    for start in range(0, len(ids), CHUNK):
        found += await load_services(ids[start : start + CHUNK])
    return found


async def flag_duplicates(service_ids: list[UUID]) -> int:
    """Flag each of these listings that looks like another active one; how many flags.

    Names are compared first (one read of every active listing's name); only listings whose
    name another shares are loaded whole.
    """
    wanted = set(service_ids)
    rows = await Service.select(Service.id, Service.name).where(Service.status == "active")
    by_name: dict[str, list[UUID]] = {}
    for row in rows:
        by_name.setdefault(name_key(row["name"]), []).append(row["id"])
    groups = [ids for ids in by_name.values() if len(ids) > 1 and wanted.intersection(ids)]
    if not groups:
        return 0
    involved = list({service for ids in groups for service in ids})
    records = {record.id: record for record in await _records(involved)}
    feeds = {
        row["service"]: row["feed"]
        for row in await FeedListing.select(FeedListing.service, FeedListing.feed).where(
            FeedListing.service.is_in(involved)
        )
    }
    flagged = await DuplicateFlag.select(DuplicateFlag.service, DuplicateFlag.other)
    pairs = {frozenset((row["service"], row["other"])) for row in flagged}
    new: list[DuplicateFlag] = []
    for ids in groups:
        for service in (i for i in ids if i in wanted and i in records):
            keys = _keys(records[service])
            for other in (i for i in ids if i != service and i in records):
                pair = frozenset((service, other))
                same_feed = feeds.get(service) is not None and feeds.get(service) == feeds.get(
                    other
                )
                shared = [keys[key] for key in _keys(records[other]) if key in keys]
                if same_feed or pair in pairs or not shared:
                    continue
                pairs.add(pair)
                new.append(
                    DuplicateFlag(
                        id=uuid.uuid4(),
                        service=service,
                        other=other,
                        reason=f"same name and {shared[0]}",
                        created_at=clock.now(),
                    )
                )
    if new:
        async with transaction():  # the flagged listings leave search as the flags appear
            await DuplicateFlag.insert(*new)
            await listing_changed([flag.service for flag in new])
    return len(new)


async def open_flags() -> list[dict[str, Any]]:
    """Flags waiting for an admin, with both listings' names."""
    return list(
        await DuplicateFlag.select(
            DuplicateFlag.id,
            DuplicateFlag.reason,
            DuplicateFlag.created_at,
            DuplicateFlag.service.id.as_alias("service_id"),
            DuplicateFlag.service.name.as_alias("service_name"),
            DuplicateFlag.other.id.as_alias("other_id"),
            DuplicateFlag.other.name.as_alias("other_name"),
        )
        .where(DuplicateFlag.status == "open")
        .order_by(DuplicateFlag.created_at)
    )


async def merged_services() -> set[UUID]:
    """Listings hidden as duplicates: pulls leave them hidden."""
    rows = await DuplicateFlag.select(DuplicateFlag.service).where(DuplicateFlag.status == "merged")
    return {row["service"] for row in rows}


async def decide(flag_id: UUID, decision: str) -> None:
    """Merge (hide the newer listing, history kept) or keep the two apart.

    Raises:
        NotFound: no such open flag.
        Invalid: not a decision.
    """
    if decision not in ("merged", "kept_apart"):
        msg = "Choose merge or keep apart"
        raise Invalid(msg)
    async with transaction():
        flag = (
            await DuplicateFlag.select(DuplicateFlag.service, DuplicateFlag.other)
            .where((DuplicateFlag.id == flag_id) & (DuplicateFlag.status == "open"))
            .first()
        )
        if flag is None:
            msg = "No such flag waiting"
            raise NotFound(msg)
        if decision == "merged":
            found = await load_services([flag["service"]])
            record = found[0] if found else None
            if record is not None and record.status == "active":
                await upsert_service(
                    msgspec.structs.replace(record, status="inactive"),
                    actor=Actor.system(),
                    summary="Hidden as a duplicate of another listing",
                )
        await DuplicateFlag.update(
            {DuplicateFlag.status: decision, DuplicateFlag.decided_at: clock.now()}
        ).where(DuplicateFlag.id == flag_id)
        if decision == "kept_apart":  # no longer collapsed: both are found again
            await listing_changed([flag["service"]])
