"""Structs in and out of the hub timetable."""

from __future__ import annotations

from datetime import date, time
from uuid import UUID

import msgspec


class SessionForm(msgspec.Struct, kw_only=True):
    """Form: a new or changed session."""

    title: str = ""
    description: str = ""
    organisation_id: str = ""
    category: str = ""
    location_id: str = ""
    room: str = ""
    recurrence: str = "weekly"
    first_date: date | None = None
    last_date: date | None = None
    starts_at: str = ""
    ends_at: str = ""
    capacity: str = ""
    booking_needed: bool = False


class CancelForm(msgspec.Struct, kw_only=True):
    """Form: a date the session will not run (or will run again)."""

    on_date: date | None = None
    reason: str = ""


class Place(msgspec.Struct, frozen=True, kw_only=True):
    """One of the hub's places a session can be at."""

    id: UUID
    name: str
    address: str


class HubSessionView(msgspec.Struct, frozen=True, kw_only=True):
    """A session as pages and other features read it (from its listing and its own row)."""

    id: UUID
    service_id: UUID
    title: str
    description: str
    organisation_id: UUID
    organisation_name: str
    category_code: str
    category_name: str
    location_id: UUID | None
    place: str
    room: str
    recurrence: str
    recurrence_text: str
    first_date: date
    last_date: date | None
    starts_at: time
    ends_at: time
    capacity: int | None
    booking_needed: bool
    cancelled: list[date] = []
    """Dates it would have run on but will not (never the off weeks of a fortnightly one)."""

    @property
    def times(self) -> str:
        """ "19:00 to 20:30"."""
        return f"{self.starts_at:%H:%M} to {self.ends_at:%H:%M}"
