"""Meeting pages: arrange, the meeting itself (answer, move, cancel), record it, the minutes;
and the client's meetings in the portal."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from consent.controllers.common import submitted
from consent.vocabulary import CATEGORIES
from hub.accounts.guards import requires_client, requires_staff
from hub.errors import Invalid
from hub.web.responses import see_other
from plans import meeting_answers, meeting_record, meetings
from plans.access import plan_access
from plans.area_words import words_field
from plans.care_team import team_organisations
from plans.controllers import AnyRequest, read, render, render_errors
from plans.meeting_answers import ANSWERS, AnswerForm
from plans.meeting_record import ACTION_ROWS, RecordForm
from plans.meeting_views import meeting_view, meetings_of
from plans.meetings import ArrangeForm, organisation_names
from plans.reviews import client_field, worker_field
from plans.tables import Goal, Meeting

ARRANGE = "plans/meeting_arrange.html"
MEETING = "plans/meeting.html"
RECORD = "plans/meeting_record.html"
MINUTES = "plans/meeting_minutes.html"
LIST = "plans/meetings.html"
PORTAL_LIST = "plans/portal_meetings.html"
PORTAL_MEETING = "plans/portal_meeting.html"


async def _arrange_page(
    request: AnyRequest, client_id: UUID, values: dict[str, Any], error: Invalid | None
) -> Template:
    start = await meetings.arrange_start(request.user, client_id)
    context: dict[str, Any] = {"start": start, "values": values, "client_id": client_id}
    return render_errors(ARRANGE, error, **context) if error else render(ARRANGE, **context)


async def _record_choices(meeting_id: UUID) -> dict[str, Any]:
    meeting = (
        await Meeting.select(Meeting.plan, Meeting.client).where(Meeting.id == meeting_id).first()
    )
    if meeting is None:
        return {}
    goals = await Goal.select(Goal.id, Goal.words).where(
        (Goal.plan == meeting["plan"]) & (Goal.status != "closed")
    )
    organisations = await organisation_names(list(await team_organisations(meeting["client"])))
    return {
        "goals": [(str(g["id"]), g["words"]) for g in goals],
        "organisations": sorted(
            ((str(k), v) for k, v in organisations.items()), key=lambda c: c[1]
        ),
        "action_rows": ACTION_ROWS,
        "categories": list(CATEGORIES.items()),
        "client_field": client_field,
        "worker_field": worker_field,
        "words_field": words_field,
    }


async def _record_page(
    request: AnyRequest, meeting_id: UUID, values: dict[str, Any], error: Invalid | None
) -> Template:
    await meeting_record.meeting_for_recording(request.user, meeting_id)
    view = await meeting_view(request.user, meeting_id)
    context = {"meeting": view, "values": values, **await _record_choices(meeting_id)}
    return render_errors(RECORD, error, **context) if error else render(RECORD, **context)


class MeetingController(Controller):
    """Staff pages for meetings."""

    path = "/plans"
    guards = [requires_staff]

    @get("/{client_id:uuid}/meetings", name="plans.meetings")
    async def list_meetings(self, request: AnyRequest, client_id: FromPath[UUID]) -> Template:
        """The client's meetings, for the care team."""
        access = await plan_access(request.user, client_id)
        found = await meetings_of(client_id)
        may_arrange = await meetings.may_arrange_any(access)
        return render(LIST, client_id=client_id, meetings=found, may_arrange=may_arrange)

    @get("/{client_id:uuid}/meetings/new", name="plans.meeting_new")
    async def arrange_page(self, request: AnyRequest, client_id: FromPath[UUID]) -> Template:
        """The form to arrange a meeting."""
        return await _arrange_page(request, client_id, {"minutes_long": "60"}, None)

    @post("/{client_id:uuid}/meetings/new", name="plans.meeting_arrange")
    async def arrange(self, request: AnyRequest, client_id: FromPath[UUID]) -> Response[Any]:
        """Arrange the meeting and invite everyone; or the form again with what is wrong."""
        try:
            form = await read(request, ArrangeForm)
            meeting_id = await meetings.arrange(request.user, client_id, form)
        except Invalid as exc:
            values = await submitted(request, lists=("staff_ids",))
            return await _arrange_page(request, client_id, values, exc)
        return see_other(f"/plans/meetings/{meeting_id}?done=arranged")

    @get("/meetings/{meeting_id:uuid}", name="plans.meeting")
    async def meeting(
        self, request: AnyRequest, meeting_id: FromPath[UUID], done: FromQuery[str] = ""
    ) -> Template:
        """The meeting as this worker may see it, with their answer form."""
        view = await meeting_view(request.user, meeting_id)
        return render(MEETING, meeting=view, answers=list(ANSWERS.items()), values={}, done=done)

    @post("/meetings/{meeting_id:uuid}/answer", name="plans.meeting_answer")
    async def answer(self, request: AnyRequest, meeting_id: FromPath[UUID]) -> Response[Any]:
        """Say whether one is coming."""
        try:
            form = await read(request, AnswerForm)
            await meeting_answers.answer(request.user, meeting_id, form)
        except Invalid as exc:
            view = await meeting_view(request.user, meeting_id)
            values = await submitted(request)
            return render_errors(
                MEETING, exc, meeting=view, answers=list(ANSWERS.items()), values=values, done=""
            )
        return see_other(f"/plans/meetings/{meeting_id}?done=answered")

    @get("/meetings/{meeting_id:uuid}/move", name="plans.meeting_move_page")
    async def move_page(self, request: AnyRequest, meeting_id: FromPath[UUID]) -> Template:
        """The form to move the meeting."""
        view = await meeting_view(request.user, meeting_id)
        local = view.starts_at
        values = {
            "starts_on-day": local.day,
            "starts_on-month": local.month,
            "starts_on-year": local.year,
            "starts_time": view.when.rsplit(" at ", 1)[-1],
            "minutes_long": str(view.minutes_long),
            "place": view.place,
            "video_link": view.video_link,
            "agenda": view.agenda,
        }
        return render("plans/meeting_move.html", meeting=view, values=values)

    @post("/meetings/{meeting_id:uuid}/move", name="plans.meeting_move")
    async def move(self, request: AnyRequest, meeting_id: FromPath[UUID]) -> Response[Any]:
        """Move the meeting; every invitee gets the new time."""
        try:
            form = await read(request, ArrangeForm)
            await meetings.move(request.user, meeting_id, form)
        except Invalid as exc:
            view = await meeting_view(request.user, meeting_id)
            return render_errors(
                "plans/meeting_move.html", exc, meeting=view, values=await submitted(request)
            )
        return see_other(f"/plans/meetings/{meeting_id}?done=moved")

    @post("/meetings/{meeting_id:uuid}/cancel", name="plans.meeting_cancel")
    async def cancel(self, request: AnyRequest, meeting_id: FromPath[UUID]) -> Response[Any]:
        """Cancel the meeting; every invitee is told."""
        await meetings.cancel(request.user, meeting_id)
        return see_other(f"/plans/meetings/{meeting_id}?done=cancelled")

    @get("/meetings/{meeting_id:uuid}/record", name="plans.meeting_record_page")
    async def record_page(self, request: AnyRequest, meeting_id: FromPath[UUID]) -> Template:
        """The form to record the meeting."""
        return await _record_page(request, meeting_id, {}, None)

    @post("/meetings/{meeting_id:uuid}/record", name="plans.meeting_record")
    async def record(self, request: AnyRequest, meeting_id: FromPath[UUID]) -> Response[Any]:
        """Record attendance, notes, decisions and agreed actions."""
        try:
            form = await read(request, RecordForm)
            await meeting_record.record(request.user, meeting_id, form)
        except Invalid as exc:
            values = await submitted(request, lists=("attended",))
            return await _record_page(request, meeting_id, values, exc)
        return see_other(f"/plans/meetings/{meeting_id}?done=recorded")

    @get("/meetings/{meeting_id:uuid}/minutes", name="plans.meeting_minutes")
    async def minutes(self, request: AnyRequest, meeting_id: FromPath[UUID]) -> Template:
        """The minutes, print-friendly, as this worker's organisation may see them."""
        view = await meeting_view(request.user, meeting_id)
        return render(MINUTES, meeting=view)


class PortalMeetingController(Controller):
    """The client's meetings: see them, say whether they are coming, read the minutes."""

    path = "/portal/meetings"
    guards = [requires_client]

    @get("/", name="portal.meetings")
    async def list_meetings(self, request: AnyRequest) -> Template:
        """My meetings."""
        found = await meetings_of(request.user.id, for_client=True)
        return render(PORTAL_LIST, meetings=found)

    @get("/{meeting_id:uuid}", name="portal.meeting")
    async def meeting(
        self, request: AnyRequest, meeting_id: FromPath[UUID], done: FromQuery[str] = ""
    ) -> Template:
        """One meeting in plain words, with my answer."""
        view = await meeting_view(request.user, meeting_id)
        return render(PORTAL_MEETING, meeting=view, values={}, done=done)

    @post("/{meeting_id:uuid}/answer", name="portal.meeting_answer")
    async def answer(self, request: AnyRequest, meeting_id: FromPath[UUID]) -> Response[Any]:
        """Say whether I am coming."""
        try:
            form = await read(request, AnswerForm)
            await meeting_answers.answer(request.user, meeting_id, form)
        except Invalid as exc:
            view = await meeting_view(request.user, meeting_id)
            return render_errors(
                PORTAL_MEETING, exc, meeting=view, values=await submitted(request), done=""
            )
        return see_other(f"/portal/meetings/{meeting_id}?done=answered")
