"""Timetable pages: the hub's sessions, adding and changing one, cancelling a date."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Response, Template

from directory.sessions import recurrence, services
from directory.sessions.schemas import CancelForm, SessionForm
from hub.accounts.guards import requires_staff
from hub.errors import Invalid
from hub.web.forms import read_form
from hub.web.responses import form_error_page, page, see_other

AnyRequest = Request[Any, Any, Any]
FORM = "directory/session_form.html"
UPCOMING = timedelta(days=56)


async def typed(request: AnyRequest) -> dict[str, Any]:
    """What the person typed, as posted, to refill the form after an error."""
    form = await request.form()
    return {key: form.get(key) for key in form}


async def _form_page(
    request: AnyRequest, values: dict[str, Any], error: Invalid | None = None, **extra: Any
) -> Template:
    context = {
        "values": values,
        "organisations": await services.running_organisations(request.user),
        "categories": await services.need_categories(),
        "places": await services.hub_places(),
        "recurrences": recurrence.RECURRENCES,
        **extra,
    }
    if error is not None:
        return form_error_page(FORM, error, **context)
    return page(FORM, **context)


async def _session_page(
    request: AnyRequest, session_id: UUID, error: Invalid | None = None
) -> Template:
    session = await services.get_session(session_id)
    today = services.today()
    context: dict[str, Any] = {
        "session": session,
        "upcoming": services.occurrences(session, today - timedelta(days=14), today + UPCOMING),
        "today": today,
        "may_manage": services.may_manage(request.user, session.organisation_id),
        "values": {},
    }
    if error is not None:
        return form_error_page("directory/session.html", error, **context)
    return page("directory/session.html", **context)


class HubSessionController(Controller):
    """The hub's timetable for staff; hub workers and organisation admins keep it."""

    path = "/sessions"
    guards = [requires_staff]

    @get("/", name="sessions.list")
    async def timetable(self, request: AnyRequest) -> Template:
        """Every session at the hub, with what runs next."""
        sessions = await services.list_sessions()
        today = services.today()
        next_dates = {
            s.id: next(iter(services.occurrences(s, today, today + timedelta(days=62))), None)
            for s in sessions
        }
        return page(
            "directory/sessions.html",
            sessions=sessions,
            next_dates=next_dates,
            may_add=services.may_add_sessions(request.user),
        )

    @get("/new", name="sessions.new")
    async def new(self, request: AnyRequest) -> Template:
        """The form for a new session."""
        return await _form_page(
            request, {"organisation_id": str(request.user.organisation_id), "recurrence": "weekly"}
        )

    @post("/new", name="sessions.create")
    async def create(self, request: AnyRequest) -> Response[Any]:
        """Add the session to the timetable and the directory."""
        try:
            form = await read_form(request, SessionForm)
            session_id = await services.create_session(request.user, form)
        except Invalid as exc:
            return await _form_page(request, await typed(request), exc)
        return see_other(f"/sessions/{session_id}")

    @get("/{session_id:uuid}", name="sessions.detail")
    async def detail(self, request: AnyRequest, session_id: FromPath[UUID]) -> Template:
        """The session: when and where, its coming dates with their registers."""
        return await _session_page(request, session_id)

    @get("/{session_id:uuid}/edit", name="sessions.edit")
    async def edit(self, request: AnyRequest, session_id: FromPath[UUID]) -> Template:
        """The form to change a session."""
        session = await services.managed_session(request.user, session_id)
        return await _form_page(request, services.form_values(session), session=session)

    @post("/{session_id:uuid}/edit", name="sessions.update")
    async def update(self, request: AnyRequest, session_id: FromPath[UUID]) -> Response[Any]:
        """Save the changed session."""
        session = await services.managed_session(request.user, session_id)
        try:
            form = await read_form(request, SessionForm)
            await services.update_session(request.user, session_id, form)
        except Invalid as exc:
            return await _form_page(request, await typed(request), exc, session=session)
        return see_other(f"/sessions/{session_id}")

    @post("/{session_id:uuid}/cancel", name="sessions.cancel")
    async def cancel(self, request: AnyRequest, session_id: FromPath[UUID]) -> Response[Any]:
        """Cancel one date (the listing shows it closed that day)."""
        return await self._set(request, session_id, cancelled=True)

    @post("/{session_id:uuid}/reinstate", name="sessions.reinstate")
    async def reinstate(self, request: AnyRequest, session_id: FromPath[UUID]) -> Response[Any]:
        """Put a cancelled date back on."""
        return await self._set(request, session_id, cancelled=False)

    async def _set(
        self, request: AnyRequest, session_id: UUID, *, cancelled: bool
    ) -> Response[Any]:
        try:
            form = await read_form(request, CancelForm)
            await services.set_cancelled(request.user, session_id, form, cancelled=cancelled)
        except Invalid as exc:
            return await _session_page(request, session_id, exc)
        return see_other(f"/sessions/{session_id}")
