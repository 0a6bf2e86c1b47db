"""The hub timetable: sessions written through the listing write path, read back as views.

A session is a directory listing plus a HubSession row, written in one transaction; nothing
about it is copied, so search, "open now" and the Open Referral API answer from the listing.
Hub workers manage every session; an organisation's admins manage their own organisation's.
"""

from __future__ import annotations

import uuid
from datetime import date, time
from typing import Any
from uuid import UUID

import msgspec

from directory import schemas
from directory.hours import LONDON
from directory.read import load_location, load_service, load_services
from directory.sessions import recurrence
from directory.sessions.schemas import CancelForm, HubSessionView, Place, SessionForm
from directory.sessions.tables import HubSession
from directory.store import upsert_service
from directory.tables import Location, TaxonomyTerm
from directory.taxonomy import NEED_TAXONOMY_ID
from hub import audit, clock
from hub.accounts import roles
from hub.accounts.schemas import Principal
from hub.db import transaction
from hub.errors import Invalid, NotFound
from hub.tables import Organisation

MAX_CAPACITY = 1000


def today() -> date:
    """Today in the UK."""
    return clock.now().astimezone(LONDON).date()


def may_manage(principal: Principal | None, organisation_id: UUID | None) -> bool:
    """Hub staff run the timetable; an organisation's admins keep their own sessions."""
    return roles.is_hub_worker(principal) or roles.administers(principal, organisation_id)


def may_add_sessions(principal: Principal | None) -> bool:
    """Hub staff and organisation admins may add sessions."""
    return roles.is_hub_worker(principal) or roles.is_admin(principal)


def _not_found() -> NotFound:
    return NotFound("No such session")


async def running_organisations(principal: Principal) -> list[tuple[UUID, str]]:
    """Organisations this person may name as running a session: all for the hub, else own."""
    query = Organisation.select(Organisation.id, Organisation.name).order_by(Organisation.name)
    if not (roles.is_hub_worker(principal) or roles.is_system_admin(principal)):
        query = query.where(Organisation.id == principal.organisation_id)
    return [(row["id"], row["name"]) for row in await query]


async def hub_places() -> list[Place]:
    """The hub organisation's places, where sessions run."""
    rows = await Location.select(
        Location.id,
        Location.name,
        Location.address_1,
        Location.city,
        Location.postal_code,
    ).where(Location.organisation.kind == "hub")
    return [
        Place(
            id=row["id"],
            name=row["name"] or row["address_1"],
            address=", ".join(p for p in (row["address_1"], row["city"], row["postal_code"]) if p),
        )
        for row in sorted(rows, key=lambda r: r["name"] or r["address_1"])
    ]


async def need_categories() -> list[tuple[str, str]]:
    """(code, name) of the need taxonomy, in its order."""
    rows = (
        await TaxonomyTerm.select(TaxonomyTerm.code, TaxonomyTerm.name)
        .where(TaxonomyTerm.taxonomy == NEED_TAXONOMY_ID)
        .order_by(TaxonomyTerm.position)
    )
    return [(row["code"], row["name"]) for row in rows]


def _clock_time(value: str) -> time | None:
    text = value.strip().replace(".", ":")
    try:
        hours, minutes = text.split(":")
        return time(int(hours), int(minutes))
    except ValueError:
        return None


class _Checked(msgspec.Struct, kw_only=True):
    title: str
    description: str
    organisation_id: UUID
    organisation_name: str
    term: schemas.Term
    location_id: UUID
    room: str
    recurrence: str
    first_date: date
    last_date: date | None
    starts_at: time
    ends_at: time
    capacity: int | None
    booking_needed: bool


async def _check(principal: Principal, form: SessionForm) -> _Checked:
    """The form's values, or Invalid with a message per field."""
    errors: dict[str, str] = {}
    title = form.title.strip()
    if not title:
        errors["title"] = "Enter the session's title, for example SMART Recovery group"
    elif len(title) > 300:
        errors["title"] = "Title must be 300 characters or fewer"
    organisations = dict(await running_organisations(principal))
    organisation_id = _uuid(form.organisation_id)
    if organisation_id not in organisations:
        errors["organisation_id"] = "Choose the organisation that runs it"
    term_row = (
        await TaxonomyTerm.select(
            TaxonomyTerm.id,
            TaxonomyTerm.code,
            TaxonomyTerm.name,
            TaxonomyTerm.taxonomy.as_alias("taxonomy_id"),
        )
        .where((TaxonomyTerm.taxonomy == NEED_TAXONOMY_ID) & (TaxonomyTerm.code == form.category))
        .first()
    )
    if term_row is None:
        errors["category"] = "Choose what need it meets"
    places = {place.id for place in await hub_places()}
    location_id = _uuid(form.location_id)
    if location_id not in places:
        errors["location_id"] = "Choose the place at the hub where it runs"
    if form.recurrence not in recurrence.RECURRENCES:
        errors["recurrence"] = "Choose how often it runs"
    if form.first_date is None:
        errors["first_date"] = "Enter the date of the first session"
    if form.last_date and form.first_date and form.last_date < form.first_date:
        errors["last_date"] = "The last session must be on or after the first"
    starts_at, ends_at = _clock_time(form.starts_at), _clock_time(form.ends_at)
    if starts_at is None:
        errors["starts_at"] = "Enter the start time as hours and minutes, for example 18:30"
    if ends_at is None:
        errors["ends_at"] = "Enter the end time as hours and minutes, for example 20:00"
    elif starts_at is not None and ends_at <= starts_at:
        errors["ends_at"] = "The end time must be after the start time"
    capacity: int | None = None
    if form.capacity.strip():
        try:
            capacity = int(form.capacity.strip())
        except ValueError:
            capacity = 0
        if not 1 <= capacity <= MAX_CAPACITY:
            errors["capacity"] = (
                f"Enter a number of places from 1 to {MAX_CAPACITY}, or leave it blank"
            )
    if form.booking_needed and capacity is None:
        errors.setdefault("capacity", "Enter how many places can be booked")
    if errors:
        msg = "Check the session's details"
        raise Invalid(msg, errors)
    assert organisation_id
    assert location_id
    assert term_row
    assert form.first_date
    assert starts_at is not None
    assert ends_at is not None
    return _Checked(
        title=title,
        description=form.description.strip(),
        organisation_id=organisation_id,
        organisation_name=organisations[organisation_id],
        term=msgspec.convert(term_row, schemas.Term),
        location_id=location_id,
        room=form.room.strip()[:200],
        recurrence=form.recurrence,
        first_date=form.first_date,
        last_date=None if form.recurrence == "one_off" else form.last_date,
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=capacity,
        booking_needed=form.booking_needed,
    )


def _uuid(value: str) -> UUID | None:
    try:
        return UUID(value)
    except ValueError:
        return None


def _exceptions(
    checked: _Checked, cancelled: list[schemas.ScheduleException]
) -> list[schemas.ScheduleException]:
    """Cancelled dates still on the timetable, plus a fortnightly session's off weeks."""
    kept = [
        item
        for item in cancelled
        if recurrence.runs_on(
            checked.recurrence, checked.first_date, checked.last_date, item.on_date
        )
    ]
    if checked.recurrence == "fortnightly":
        kept += [
            schemas.ScheduleException(
                id=uuid.uuid4(), on_date=day, closed=True, description=recurrence.OFF_WEEK_NOTE
            )
            for day in recurrence.off_weeks(checked.first_date, checked.last_date, today())
        ]
    return sorted(kept, key=lambda item: item.on_date)


async def _record(
    checked: _Checked,
    service_id: UUID,
    before: schemas.ServiceRecord | None,
    row: dict[str, Any] | None,
) -> schemas.ServiceRecord:
    place = await load_location(checked.location_id)
    if place is None:
        raise _not_found()
    rule = recurrence.rule_fields(checked.recurrence, checked.first_date, checked.last_date)
    schedule_id = before.schedules[0].id if before and before.schedules else uuid.uuid4()
    schedule = schemas.Schedule(
        id=schedule_id,
        opens_at=checked.starts_at,
        closes_at=checked.ends_at,
        description="Hub session",
        **rule,  # type: ignore[arg-type]
    )
    cancelled = []
    if before is not None and row is not None:
        cancelled = [
            item
            for item in before.exceptions
            if item.closed
            and recurrence.runs_on(
                row["recurrence"], row["first_date"], row["last_date"], item.on_date
            )
        ]
    now = clock.now()
    fields: dict[str, Any] = {
        "organisation_id": checked.organisation_id,
        "organisation_name": checked.organisation_name,
        "name": checked.title,
        "description": checked.description,
        "status": "active",
        "referral_methods": ["self"] if checked.booking_needed else ["drop_in"],
        "referral_instructions": (
            "Book a place in your portal, or ask at the hub's front desk."
            if checked.booking_needed
            else "Just come along: no booking needed."
        ),
        "capacity_status": "accepting",
        "capacity_note": f"{checked.capacity} places" if checked.capacity else "",
        "capacity_updated_at": now,
        "verified_at": now,
        "assured_date": today(),
        "locations": [place],
        "terms": [checked.term],
        "schedules": [schedule],
        "exceptions": _exceptions(checked, cancelled),
    }
    if before is None:
        return schemas.ServiceRecord(id=service_id, **fields)
    return msgspec.structs.replace(before, **fields)


def _row_values(checked: _Checked) -> dict[Any, Any]:
    return {
        HubSession.recurrence: checked.recurrence,
        HubSession.first_date: checked.first_date,
        HubSession.last_date: checked.last_date,
        HubSession.room: checked.room,
        HubSession.capacity: checked.capacity,
        HubSession.booking_needed: checked.booking_needed,
    }


async def create_session(principal: Principal, form: SessionForm) -> UUID:
    """Add a session to the timetable (and to the directory); returns its id.

    Raises:
        NotFound: this person may not add sessions.
        Invalid: a field is missing or wrong.
    """
    if not may_add_sessions(principal):
        raise _not_found()
    checked = await _check(principal, form)
    service_id = uuid.uuid4()
    record = await _record(checked, service_id, None, None)
    session = HubSession(
        service=service_id,
        created_by=principal.id,
        created_at=clock.now(),
        **{column._meta.name: value for column, value in _row_values(checked).items()},
    )
    async with transaction():
        await upsert_service(
            record, actor=principal.actor, changed_by=principal.id, summary="Hub session created"
        )
        await HubSession.insert(session)
        await audit.record(
            "hub_session.created",
            principal.actor,
            subject_type="hub_session",
            subject_id=str(session.id),
        )
    return session.id


async def _session_row(session_id: UUID) -> dict[str, Any]:
    row = await HubSession.select().where(HubSession.id == session_id).first()
    if row is None:
        raise _not_found()
    return row


async def managed_session(principal: Principal, session_id: UUID) -> HubSessionView:
    """The session, if this person may change it; otherwise NotFound (audited)."""
    session = await get_session(session_id)
    if not may_manage(principal, session.organisation_id):
        await audit.record(
            "hub_session.refused",
            principal.actor,
            subject_type="hub_session",
            subject_id=str(session_id),
        )
        raise _not_found()
    return session


async def update_session(principal: Principal, session_id: UUID, form: SessionForm) -> None:
    """Change a session (and its listing) in one transaction."""
    current = await managed_session(principal, session_id)
    checked = await _check(principal, form)
    async with transaction():
        row = await _session_row(session_id)
        before = await load_service(current.service_id)
        record = await _record(checked, current.service_id, before, row)
        await upsert_service(
            record, actor=principal.actor, changed_by=principal.id, summary="Hub session changed"
        )
        await HubSession.update(_row_values(checked)).where(HubSession.id == session_id)
        await audit.record(
            "hub_session.changed",
            principal.actor,
            subject_type="hub_session",
            subject_id=str(session_id),
        )


async def set_cancelled(
    principal: Principal, session_id: UUID, form: CancelForm, *, cancelled: bool
) -> None:
    """Cancel one date of a session (closed on its listing), or put it back on.

    Raises:
        Invalid: no date given, or the session does not run that day.
    """
    session = await managed_session(principal, session_id)
    day = form.on_date
    if day is None or not recurrence.runs_on(
        session.recurrence, session.first_date, session.last_date, day
    ):
        msg = "Enter a date the session runs on"
        raise Invalid(msg, {"on_date": msg})
    async with transaction():
        record = await load_service(session.service_id)
        assert record is not None
        others = [item for item in record.exceptions if item.on_date != day]
        if cancelled:
            note = recurrence.CANCELLED_NOTE + (
                f": {form.reason.strip()[:150]}" if form.reason.strip() else ""
            )
            others.append(schemas.ScheduleException(id=uuid.uuid4(), on_date=day, description=note))
        record = msgspec.structs.replace(record, exceptions=sorted(others, key=lambda e: e.on_date))
        await upsert_service(
            record,
            actor=principal.actor,
            changed_by=principal.id,
            summary="Session cancelled" if cancelled else "Session back on",
        )
        await audit.record(
            "hub_session.cancelled" if cancelled else "hub_session.reinstated",
            principal.actor,
            subject_type="hub_session",
            subject_id=str(session_id),
            detail={"on_date": day.isoformat()},
        )


def _view(row: dict[str, Any], record: schemas.ServiceRecord) -> HubSessionView:
    schedule = record.schedules[0] if record.schedules else None
    term = record.terms[0] if record.terms else None
    place = record.locations[0] if record.locations else None
    cancelled = sorted(
        item.on_date
        for item in record.exceptions
        if item.closed
        and recurrence.runs_on(row["recurrence"], row["first_date"], row["last_date"], item.on_date)
    )
    return HubSessionView(
        id=row["id"],
        service_id=record.id,
        title=record.name,
        description=record.description,
        organisation_id=record.organisation_id,
        organisation_name=record.organisation_name,
        category_code=term.code if term else "",
        category_name=term.name if term else "",
        location_id=place.id if place else None,
        place=(place.name or place.address) if place else "",
        room=row["room"],
        recurrence=row["recurrence"],
        recurrence_text=recurrence.describe(row["recurrence"], row["first_date"]),
        first_date=row["first_date"],
        last_date=row["last_date"],
        starts_at=schedule.opens_at if schedule else time(0),
        ends_at=schedule.closes_at if schedule else time(0),
        capacity=row["capacity"],
        booking_needed=row["booking_needed"],
        cancelled=cancelled,
    )


async def get_session(session_id: UUID) -> HubSessionView:
    """One session, or NotFound."""
    row = await _session_row(session_id)
    record = await load_service(row["service"])
    if record is None:
        raise _not_found()
    return _view(row, record)


async def list_sessions(organisation_id: UUID | None = None) -> list[HubSessionView]:
    """The timetable (one organisation's sessions only, when given), by title."""
    query = HubSession.select()
    if organisation_id is not None:
        query = query.where(HubSession.service.organisation == organisation_id)
    rows = {row["service"]: row for row in await query}
    records = await load_services(list(rows))
    views = [_view(rows[record.id], record) for record in records]
    return sorted(views, key=lambda view: (view.title.lower(), view.first_date))


def occurrences(session: HubSessionView, start: date, end: date) -> list[date]:
    """Dates in [start, end] the session runs on, cancelled ones left out."""
    return [
        day
        for day in recurrence.dates_between(
            session.recurrence, session.first_date, session.last_date, start, end
        )
        if day not in session.cancelled
    ]


def form_values(session: HubSessionView) -> dict[str, Any]:
    """A session as its edit form's values."""
    return {
        "title": session.title,
        "description": session.description,
        "organisation_id": str(session.organisation_id),
        "category": session.category_code,
        "location_id": str(session.location_id) if session.location_id else "",
        "room": session.room,
        "recurrence": session.recurrence,
        "first_date": session.first_date,
        "last_date": session.last_date,
        "starts_at": f"{session.starts_at:%H:%M}",
        "ends_at": f"{session.ends_at:%H:%M}",
        "capacity": str(session.capacity or ""),
        "booking_needed": session.booking_needed,
    }
