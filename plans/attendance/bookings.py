"""A client books a place at a session that needs booking, from the portal.

Places are counted inside the booking's transaction under a lock per session and date, so two
clients taking the last place at once cannot both have it.
"""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

from directory.sessions.services import get_session, list_sessions, occurrences, today
from hub import audit, clock
from hub.accounts.schemas import Principal
from hub.db import lock, named_lock, transaction
from hub.errors import NotFound, Refused
from plans.attendance.schemas import BookingView
from plans.attendance.tables import Booking

AHEAD = timedelta(days=28)
_PLACES_LOCK = named_lock("plans.attendance.places")


async def _booked_counts(session_ids: list[UUID]) -> dict[tuple[UUID, date], int]:
    rows = await Booking.select(Booking.session, Booking.on_date).where(
        Booking.session.is_in(session_ids or [UUID(int=0)]) & Booking.cancelled_at.is_null()
    )
    counts: dict[tuple[UUID, date], int] = {}
    for row in rows:
        key = (row["session"], row["on_date"])
        counts[key] = counts.get(key, 0) + 1
    return counts


async def portal_bookings(client_id: UUID) -> list[BookingView]:
    """The next four weeks of sessions that need booking, each saying whether the client has a
    place and how many are left."""
    start = today()
    sessions = [s for s in await list_sessions() if s.booking_needed]
    counts = await _booked_counts([s.id for s in sessions])
    mine = {
        (row["session"], row["on_date"])
        for row in await Booking.select(Booking.session, Booking.on_date).where(
            (Booking.client == client_id) & Booking.cancelled_at.is_null()
        )
    }
    views = [
        BookingView(
            session_id=session.id,
            title=session.title,
            on_date=day,
            times=session.times,
            place=session.place + (f", {session.room}" if session.room else ""),
            booked=(session.id, day) in mine,
            places_left=None
            if session.capacity is None
            else max(session.capacity - counts.get((session.id, day), 0), 0),
        )
        for session in sessions
        for day in occurrences(session, start, start + AHEAD)
    ]
    return sorted(views, key=lambda view: (view.on_date, view.title))


async def book(principal: Principal, session_id: UUID, on_date: date) -> None:
    """Book the signed-in client a place.

    Raises:
        NotFound: no such session, or it does not run (or need booking) that day.
        Refused: the session is full.
    """
    session = await get_session(session_id)
    if (
        not session.booking_needed
        or on_date < today()
        or on_date not in occurrences(session, on_date, on_date)
    ):
        msg = "There is nothing to book on that date"
        raise NotFound(msg)
    async with transaction():
        await lock(_PLACES_LOCK, f"{session_id}/{on_date}")
        taken = await Booking.count().where(
            (Booking.session == session_id)
            & (Booking.on_date == on_date)
            & Booking.cancelled_at.is_null()
        )
        mine = await Booking.exists().where(
            (Booking.session == session_id)
            & (Booking.on_date == on_date)
            & (Booking.client == principal.id)
            & Booking.cancelled_at.is_null()
        )
        if mine:
            return
        if session.capacity is not None and taken >= session.capacity:
            msg = (
                f"{session.title} on {on_date:%-d %B} is full. Ask at the hub about a waiting list."
            )
            raise Refused(msg)
        booking = Booking(
            session=session_id, on_date=on_date, client=principal.id, booked_at=clock.now()
        )
        await Booking.insert(booking)
        await audit.record(
            "booking.made",
            principal.actor,
            subject_type="client",
            subject_id=str(principal.id),
            detail={"session": str(session_id), "on_date": on_date.isoformat()},
        )


async def cancel_booking(principal: Principal, session_id: UUID, on_date: date) -> None:
    """Give the place back."""
    async with transaction():
        changed = (
            await Booking.update({Booking.cancelled_at: clock.now()})
            .where(
                (Booking.session == session_id)
                & (Booking.on_date == on_date)
                & (Booking.client == principal.id)
                & Booking.cancelled_at.is_null()
            )
            .returning(Booking.id)
        )
        if changed:
            await audit.record(
                "booking.cancelled",
                principal.actor,
                subject_type="client",
                subject_id=str(principal.id),
                detail={"session": str(session_id), "on_date": on_date.isoformat()},
            )
