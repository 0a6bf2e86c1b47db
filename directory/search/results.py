"""What each result on the search page shows, read in one query rather than whole listings.

A result shows a listing's name, organisation, summary, open or closed now and the next
change, capacity and how to refer. Loading whole listings for a page of twenty took a dozen
queries and was most of the page's time beyond the search itself; this reads the service
row, its organisation's name and the opening hours kept beside its search document (written
in the same transaction as every listing change, see database.py), in one statement.
A listing without a search document (the index behind) has its hours loaded whole instead.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

import msgspec

from directory.hours import OpeningHours
from directory.read import load_services
from directory.schemas import accepting, capacity_words, referral_words, stale
from directory.search.collapsed import has_also_listed
from directory.search.documents import decode_hours
from hub.db import is_sqlite, raw

_SELECT = (
    "SELECT s.id AS id, s.name AS name, s.organisation AS organisation_id, "
    "COALESCE(o.name, '') AS organisation_name, "
    "s.description AS description, s.referral_methods AS referral_methods, "
    "s.capacity_status AS capacity_status, "
    "s.capacity_waitlist_weeks AS capacity_waitlist_weeks, s.verified_at AS verified_at, "
    "d.hours AS hours, {also} AS has_also_listed "
    "FROM service s LEFT JOIN organisation o ON o.id = s.organisation "
    "LEFT JOIN directory_search_doc d ON d.service_id = {service_key} "
    "WHERE s.id IN ({marks})"
)
# SQLite compares the text document key with the UUID-typed id numerically unless told,
# and then cannot use the key's index (a scan of every document).
_SQLITE_KEY = "CAST(s.id AS TEXT)"


class ResultListing(msgspec.Struct, frozen=True, kw_only=True):
    """The part of a listing a search result shows (names as on `ServiceRecord`)."""

    id: UUID
    name: str
    organisation_id: UUID | None = None
    organisation_name: str
    description: str = ""
    referral_methods: tuple[str, ...] = ()
    capacity_status: str = "accepting"
    capacity_waitlist_weeks: int | None = None
    verified_at: datetime | None = None
    has_also_listed: bool = False
    """Possible duplicates are collapsed into it (`collapsed.also_listed` names them)."""

    @property
    def takes_network_referrals(self) -> bool:
        """True when partners can send it an e-referral through Wraparound."""
        return "network" in self.referral_methods

    @property
    def is_accepting(self) -> bool:
        """True when it is currently taking referrals (accepting or via assessment)."""
        return accepting(self.capacity_status)

    @property
    def capacity_text(self) -> str:
        """Capacity in words, e.g. "Waiting list (about 6 weeks)"."""
        return capacity_words(self.capacity_status, self.capacity_waitlist_weeks)

    @property
    def referral_text(self) -> str:
        """How to refer, in words."""
        return referral_words(self.referral_methods)

    def is_stale(self, now: datetime) -> bool:
        """True when not verified in the last six months (shown as "not recently checked")."""
        return stale(self.verified_at, now)


async def load_results(ids: Sequence[UUID]) -> dict[UUID, tuple[ResultListing, OpeningHours]]:
    """What the results show of these services, with their opening hours; missing ids left out."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return {}
    sql = _SELECT.format(
        service_key=_SQLITE_KEY if is_sqlite() else "s.id",
        marks=", ".join("{}" for _ in wanted),
        also=has_also_listed("s.id"),
    )
    rows = await raw(sql, *wanted)
    found: dict[UUID, tuple[ResultListing, OpeningHours]] = {}
    without_hours: list[UUID] = []
    for row in rows:
        listing = ResultListing(
            id=_uuid(row["id"]),
            name=row["name"],
            organisation_id=_uuid(row["organisation_id"]) if row["organisation_id"] else None,
            organisation_name=row["organisation_name"],
            description=row["description"],
            referral_methods=tuple(m for m in (row["referral_methods"] or "").split(",") if m),
            capacity_status=row["capacity_status"],
            capacity_waitlist_weeks=row["capacity_waitlist_weeks"],
            verified_at=row["verified_at"],
            has_also_listed=bool(row["has_also_listed"]),
        )
        if row["hours"] is None:
            without_hours.append(listing.id)
            found[listing.id] = (listing, OpeningHours())
        else:
            found[listing.id] = (listing, _hours(row["hours"]))
    for record in await load_services(without_hours):
        found[record.id] = (found[record.id][0], record.hours())
    return found


@functools.lru_cache(maxsize=4096)
def _hours(text: str | bytes) -> OpeningHours:
    """A search document's opening hours, decoded once per text: listings share timetables,
    and a shared one keeps its openings worked out (`OpeningHours` is immutable)."""
    return decode_hours(text)


def _uuid(value: UUID | str) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))
