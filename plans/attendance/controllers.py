"""Register pages (phone-sized, for the worker at the door) and the client's bookings.

Client names are searched by POST so they never appear in a URL or a log line.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Response, Template

from hub.accounts.guards import requires_client, requires_staff
from hub.errors import Invalid, NotFound
from hub.web.forms import read_form
from hub.web.responses import form_error_page, page, see_other
from plans.attendance import bookings, services
from plans.attendance.schemas import (
    AGE_BANDS,
    BookingForm,
    CorrectionForm,
    FindClientForm,
    TickInForm,
    VisitorsForm,
)

AnyRequest = Request[Any, Any, Any]
REGISTER = "plans/register.html"


def _path(session_id: UUID, on_date: date) -> str:
    return f"/sessions/{session_id}/register/{on_date.isoformat()}"


async def _register_page(
    request: AnyRequest,
    session_id: UUID,
    on_date: date,
    error: Invalid | None = None,
    **extra: Any,
) -> Template:
    register = await services.get_register(request.user, session_id, on_date)
    context: dict[str, Any] = {
        "register": register,
        "path": _path(session_id, on_date),
        "age_bands": AGE_BANDS,
        "values": {},
        "matches": None,
        **extra,
    }
    if error is not None:
        return form_error_page(REGISTER, error, **context)
    return page(REGISTER, **context)


class RegisterController(Controller):
    """A session's register on one date."""

    path = "/sessions/{session_id:uuid}/register/{on_date:date}"
    guards = [requires_staff]

    @get("/", name="register.show")
    async def show(
        self, request: AnyRequest, session_id: FromPath[UUID], on_date: FromPath[date]
    ) -> Template:
        """Who has come so far, and the forms to tick people in."""
        return await _register_page(request, session_id, on_date)

    @post("/visitors", name="register.visitors")
    async def visitors(
        self, request: AnyRequest, session_id: FromPath[UUID], on_date: FromPath[date]
    ) -> Response[Any]:
        """Tick in anonymous visitors."""
        try:
            form = await read_form(request, VisitorsForm)
            await services.add_visitors(request.user, session_id, on_date, form)
        except Invalid as exc:
            return await _register_page(request, session_id, on_date, exc)
        return see_other(_path(session_id, on_date) + "#added")

    @post("/find", name="register.find")
    async def find(
        self, request: AnyRequest, session_id: FromPath[UUID], on_date: FromPath[date]
    ) -> Response[Any]:
        """Clients this worker may see whose names match."""
        form = await read_form(request, FindClientForm)
        try:
            matches = await services.find_clients(request.user, session_id, on_date, form.name)
        except Invalid as exc:
            return await _register_page(request, session_id, on_date, exc)
        return await _register_page(
            request, session_id, on_date, matches=matches, searched=form.name
        )

    @post("/clients", name="register.tick_in")
    async def tick_in(
        self, request: AnyRequest, session_id: FromPath[UUID], on_date: FromPath[date]
    ) -> Response[Any]:
        """Tick a registered client in."""
        form = await read_form(request, TickInForm)
        try:
            client_id = UUID(form.client_id)
        except ValueError:
            raise NotFound("No such client") from None
        await services.tick_in(request.user, session_id, on_date, client_id)
        return see_other(_path(session_id, on_date) + "#added")

    @post("/lines/{line_id:uuid}", name="register.correct")
    async def correct(
        self,
        request: AnyRequest,
        session_id: FromPath[UUID],
        on_date: FromPath[date],
        line_id: FromPath[UUID],
    ) -> Response[Any]:
        """Correct a line (0 takes it off)."""
        try:
            form = await read_form(request, CorrectionForm)
            await services.correct(request.user, session_id, on_date, line_id, form)
        except Invalid as exc:
            return await _register_page(request, session_id, on_date, exc)
        return see_other(_path(session_id, on_date))


class PortalSessionsController(Controller):
    """The client's hub sessions: what they booked and came to, and booking a place."""

    path = "/portal/sessions"
    guards = [requires_client]

    @get("/", name="portal.sessions")
    async def sessions(
        self,
        request: AnyRequest,
        done: FromQuery[str] = "",
        session: FromQuery[str] = "",
        on: FromQuery[str] = "",
    ) -> Template:
        """Sessions to book, my bookings and what I came to; says what was just booked."""
        bookable = await bookings.portal_bookings(request.user.id)
        just = next(
            (
                item
                for item in bookable
                if str(item.session_id) == session and item.on_date.isoformat() == on
            ),
            None,
        )
        return page(
            "plans/portal_sessions.html",
            bookable=bookable,
            attended=await services.sessions_attended(request.user.id),
            done=done if just is not None and done in ("booked", "given_up") else "",
            just=just,
        )

    @post("/{session_id:uuid}/book", name="portal.book")
    async def book(self, request: AnyRequest, session_id: FromPath[UUID]) -> Response[Any]:
        """Book a place on a date."""
        form = await read_form(request, BookingForm)
        on_date = _date(form.on_date)
        await bookings.book(request.user, session_id, on_date)
        return see_other(f"/portal/sessions?done=booked&session={session_id}&on={on_date}")

    @post("/{session_id:uuid}/cancel", name="portal.cancel_booking")
    async def cancel(self, request: AnyRequest, session_id: FromPath[UUID]) -> Response[Any]:
        """Give my place back."""
        form = await read_form(request, BookingForm)
        on_date = _date(form.on_date)
        await bookings.cancel_booking(request.user, session_id, on_date)
        return see_other(f"/portal/sessions?done=given_up&session={session_id}&on={on_date}")


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise NotFound("There is nothing to book on that date") from None
