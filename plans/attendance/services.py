"""Registers: ticking people in on the day, correcting afterwards, and what a client attended.

Only the hub's staff and the staff of the organisation running a session keep its register;
anyone else is refused and the refusal is audited. A registered client is found among the
clients the worker may see (consent.record.list_clients) and ticked in only when the sharing
policy lets the worker act for them. Every change is one transaction with its audit event.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any
from uuid import UUID

from consent import access_log, policy, record
from consent.schemas import ClientListItem
from consent.vocabulary import IDENTITY, MENTAL_HEALTH, SUBSTANCE_USE
from directory.sessions import recurrence
from directory.sessions.schemas import HubSessionView
from directory.sessions.services import get_session, list_sessions
from hub import audit, clock
from hub.accounts import roles
from hub.accounts.schemas import Principal
from hub.db import transaction
from hub.errors import Forbidden, Invalid, NotFound, Refused
from plans.access import plan_access
from plans.attendance.schemas import (
    AGE_BANDS,
    AttendedSession,
    CorrectionForm,
    Register,
    RegisterLine,
    VisitorsForm,
)
from plans.attendance.tables import Attendance, Booking

MAX_VISITORS = 200
# A session about a sensitive need tells its reader the client has that need.
SENSITIVE_NEEDS = {"substance-use": SUBSTANCE_USE, "mental-health": MENTAL_HEALTH}


def may_keep_register(principal: Principal | None, session: HubSessionView) -> bool:
    """The hub's staff, and the staff of the organisation that runs the session (not tokens)."""
    if principal is None or principal.is_api:
        return False
    return roles.is_hub_worker(principal) or roles.acts_for(principal, session.organisation_id)


async def register_session(principal: Principal, session_id: UUID, on_date: date) -> HubSessionView:
    """The session, if this person keeps its register and it runs that day.

    Raises:
        NotFound: no such session.
        Forbidden: they are not hub staff nor staff of the running organisation (audited).
        Refused: that date is cancelled, or the session does not run that day.
    """
    session = await get_session(session_id)
    if not may_keep_register(principal, session):
        await audit.record(
            "attendance.refused",
            principal.actor,
            subject_type="hub_session",
            subject_id=str(session_id),
            detail={"on_date": on_date.isoformat()},
        )
        msg = "Only the hub's staff and the staff of the organisation running it keep this register"
        raise Forbidden(msg)
    if on_date in session.cancelled:
        msg = (
            f"{session.title} was cancelled on {on_date:%A %-d %B %Y}, so it has no register. "
            "Put the date back on from the session's page if it did run."
        )
        raise Refused(msg)
    if not recurrence.runs_on(session.recurrence, session.first_date, session.last_date, on_date):
        raise Refused(_not_that_day(session, on_date))
    return session


def _not_that_day(session: HubSessionView, on_date: date) -> str:
    """Why there is no register that day, and when there is one."""
    when = recurrence.describe(session.recurrence, session.first_date)
    msg = f"{session.title} does not run on {on_date:%A %-d %B %Y}: "
    msg += f"it runs {when[0].lower()}{when[1:]}."
    coming = recurrence.next_date(
        session.recurrence, session.first_date, session.last_date, on_date, session.cancelled
    )
    if coming is not None:
        msg += f" Its next date is {coming:%A %-d %B %Y}."
    return msg


async def _lines(session_id: UUID, on_date: date) -> list[dict[str, Any]]:
    return (
        await Attendance.select()
        .where(
            (Attendance.session == session_id)
            & (Attendance.on_date == on_date)
            & Attendance.removed_at.is_null()
        )
        .order_by(Attendance.recorded_at)
    )


async def get_register(principal: Principal, session_id: UUID, on_date: date) -> Register:
    """The register as this worker may see it: names only of clients the policy shows them."""
    session = await register_session(principal, session_id, on_date)
    rows = await _lines(session_id, on_date)
    client_ids = [row["client"] for row in rows if row["client"]]
    shown: dict[UUID, str] = {}
    if client_ids:
        decisions = await policy.visible_clients(principal, among=client_ids)
        known = await record.identities([d.client_id for d in decisions if d.identity_visible])
        shown = {cid: identity.full_name for cid, identity in known.items()}
        await access_log.record_reads(
            principal, {cid: [IDENTITY] for cid in shown}, context="register"
        )
    booked = await Booking.count().where(
        (Booking.session == session_id)
        & (Booking.on_date == on_date)
        & Booking.cancelled_at.is_null()
    )
    lines = [
        RegisterLine(
            id=row["id"],
            is_client=row["client"] is not None,
            name=shown.get(row["client"], "") if row["client"] else "",
            visitors=row["visitors"],
            age_band=AGE_BANDS.get(row["age_band"], ""),
            first_visit=row["first_visit"],
        )
        for row in rows
    ]
    return Register(
        session_id=session_id,
        title=session.title,
        on_date=on_date,
        lines=lines,
        total=sum(line.visitors for line in lines),
        capacity=session.capacity,
        booked=int(booked),
    )


def _count(text: str, field: str, *, least: int) -> int:
    try:
        value = int(text.strip())
    except ValueError:
        value = -1
    if not least <= value <= MAX_VISITORS:
        msg = f"Enter a number from {least} to {MAX_VISITORS}"
        raise Invalid(msg, {field: msg})
    return value


async def add_visitors(
    principal: Principal, session_id: UUID, on_date: date, form: VisitorsForm
) -> None:
    """Tick in anonymous visitors: a number, with an optional age band and first-visit flag."""
    await register_session(principal, session_id, on_date)
    visitors = _count(form.visitors, "visitors", least=1)
    if form.age_band not in AGE_BANDS:
        msg = "Choose an age band, or Not asked"
        raise Invalid(msg, {"age_band": msg})
    line = Attendance(
        session=session_id,
        on_date=on_date,
        visitors=visitors,
        age_band=form.age_band,
        first_visit=form.first_visit,
        organisation=principal.organisation_id,
        recorded_by=principal.id,
        recorded_at=clock.now(),
    )
    async with transaction():
        await Attendance.insert(line)
        await audit.record(
            "attendance.visitors_added",
            principal.actor,
            subject_type="hub_session",
            subject_id=str(session_id),
            detail={"on_date": on_date.isoformat(), "visitors": visitors, "line": str(line.id)},
        )


async def find_clients(
    principal: Principal, session_id: UUID, on_date: date, name: str
) -> list[ClientListItem]:
    """Clients this worker may see whose name matches (never anyone the policy hides)."""
    await register_session(principal, session_id, on_date)
    if len(name.strip()) < 2:
        msg = "Enter at least two letters of the client's name"
        raise Invalid(msg, {"name": msg})
    return [item for item in await record.list_clients(principal, name) if item.identity]


async def tick_in(principal: Principal, session_id: UUID, on_date: date, client_id: UUID) -> None:
    """Tick a registered client in (once per date); their first ever session is marked so.

    Raises:
        NotFound: the worker may not act for this client (audited by the policy).
    """
    await register_session(principal, session_id, on_date)
    await policy.check(principal, client_id, act=True)
    async with transaction():
        already = await Attendance.exists().where(
            (Attendance.session == session_id)
            & (Attendance.on_date == on_date)
            & (Attendance.client == client_id)
            & Attendance.removed_at.is_null()
        )
        if already:
            return
        been_before = await Attendance.exists().where(
            (Attendance.client == client_id) & Attendance.removed_at.is_null()
        )
        line = Attendance(
            session=session_id,
            on_date=on_date,
            client=client_id,
            visitors=1,
            first_visit=not been_before,
            organisation=principal.organisation_id,
            recorded_by=principal.id,
            recorded_at=clock.now(),
        )
        await Attendance.insert(line)
        await audit.record(
            "attendance.client_ticked_in",
            principal.actor,
            subject_type="client",
            subject_id=str(client_id),
            detail={"session": str(session_id), "on_date": on_date.isoformat()},
        )


async def correct(
    principal: Principal, session_id: UUID, on_date: date, line_id: UUID, form: CorrectionForm
) -> None:
    """Correct a line afterwards: a new number of visitors, or 0 to take it off the register."""
    await register_session(principal, session_id, on_date)
    visitors = _count(form.visitors, f"visitors-{line_id}", least=0)
    async with transaction():
        row = (
            await Attendance.select()
            .where(
                (Attendance.id == line_id)
                & (Attendance.session == session_id)
                & (Attendance.on_date == on_date)
                & Attendance.removed_at.is_null()
            )
            .first()
        )
        if row is None:
            msg = "No such line on this register"
            raise NotFound(msg)
        if row["client"] is not None and visitors > 1:
            msg = "A client's line counts one person: enter 1, or 0 to take them off"
            raise Invalid(msg, {f"visitors-{line_id}": msg})
        if visitors == 0:
            await Attendance.update({Attendance.removed_at: clock.now()}).where(
                Attendance.id == line_id
            )
        else:
            await Attendance.update({Attendance.visitors: visitors}).where(Attendance.id == line_id)
        await audit.record(
            "attendance.corrected",
            principal.actor,
            subject_type="hub_session",
            subject_id=str(session_id),
            detail={
                "on_date": on_date.isoformat(),
                "line": str(line_id),
                "before": row["visitors"],
                "after": visitors,
            },
        )


async def sessions_attended(client_id: UUID) -> list[AttendedSession]:
    """The hub sessions a client came to, most recent first (no policy check: callers check).

    For the plan's activity and the connections map (plans/): the session, how many times, when
    last.
    """
    rows = await Attendance.select(Attendance.session, Attendance.on_date).where(
        (Attendance.client == client_id) & Attendance.removed_at.is_null()
    )
    dates: dict[UUID, list[date]] = defaultdict(list)
    for row in rows:
        dates[row["session"]].append(row["on_date"])
    if not dates:
        return []
    sessions = {s.id: s for s in await list_sessions() if s.id in dates}
    found = [
        AttendedSession(
            session_id=session_id,
            title=sessions[session_id].title,
            organisation_name=sessions[session_id].organisation_name,
            category_code=sessions[session_id].category_code,
            times=len(days),
            last_on=max(days),
        )
        for session_id, days in dates.items()
        if session_id in sessions
    ]
    return sorted(found, key=lambda item: item.last_on, reverse=True)


async def plan_activity(principal: Principal, client_id: UUID) -> list[AttendedSession]:
    """Sessions attended, as the plan's reader may see them: the client all; staff only under
    the plan consent, and a session about a sensitive need only when consent names that need.
    """
    access = await plan_access(principal, client_id)
    if access.is_client:
        return await sessions_attended(client_id)
    if not access.sees_all or access.decision is None:
        return []
    consented = access.decision.consented
    return [
        item
        for item in await sessions_attended(client_id)
        if item.category_code not in SENSITIVE_NEEDS
        or SENSITIVE_NEEDS[item.category_code] in consented
    ]
