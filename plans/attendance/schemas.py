"""Structs in and out of registers and bookings."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import msgspec

AGE_BANDS = {
    "": "Not asked",
    "under-18": "Under 18",
    "18-25": "18 to 25",
    "26-39": "26 to 39",
    "40-64": "40 to 64",
    "65-plus": "65 or over",
}


class VisitorsForm(msgspec.Struct, kw_only=True):
    """Form: anonymous visitors ticked in together."""

    visitors: str = "1"
    age_band: str = ""
    first_visit: bool = False


class FindClientForm(msgspec.Struct, kw_only=True):
    """Form: a name to look for among the clients this worker may see (posted, never in a URL)."""

    name: str = ""


class TickInForm(msgspec.Struct, kw_only=True):
    """Form: tick a registered client in."""

    client_id: str = ""


class CorrectionForm(msgspec.Struct, kw_only=True):
    """Form: correct a line of the register (a new count, or 0 to take it off)."""

    visitors: str = ""


class BookingForm(msgspec.Struct, kw_only=True):
    """Form: a client books (or gives up) a place on one date."""

    on_date: str = ""


class RegisterLine(msgspec.Struct, frozen=True, kw_only=True):
    """One line of a register as a worker sees it."""

    id: UUID
    is_client: bool
    name: str
    """The client's name when the worker may see it; else "" (anonymous or not shared)."""
    visitors: int
    age_band: str
    first_visit: bool


class Register(msgspec.Struct, frozen=True, kw_only=True):
    """A session's register on one date."""

    session_id: UUID
    title: str
    on_date: date
    lines: list[RegisterLine]
    total: int
    capacity: int | None
    booked: int


class AttendedSession(msgspec.Struct, frozen=True, kw_only=True):
    """A hub session a client came to: how often and when last (for the plan and the map)."""

    session_id: UUID
    title: str
    organisation_name: str
    category_code: str
    times: int
    last_on: date


class BookingView(msgspec.Struct, frozen=True, kw_only=True):
    """A client's booking, or a date they may book."""

    session_id: UUID
    title: str
    on_date: date
    times: str
    place: str
    booked: bool
    places_left: int | None
