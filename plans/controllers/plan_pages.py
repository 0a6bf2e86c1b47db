"""Staff plan pages: the plan as the reader may see it, and the forms that shape it."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from consent.controllers.common import submitted
from hub.accounts.guards import requires_staff
from hub.errors import Invalid
from hub.web.responses import see_other
from plans import content, pages
from plans.attendance.services import plan_activity
from plans.controllers import AnyRequest, read, render, render_errors, suffixed
from plans.schemas import ActionForm, ActionUpdate, GoalForm, ProfileForm

TEMPLATE = "plans/plan.html"


async def _again(request: AnyRequest, client_id: UUID, error: Invalid) -> Template:
    """The plan page again, with the failed form's errors and what was typed."""
    page = await pages.plan_page(request.user, client_id)
    values = await submitted(request)
    activity = await plan_activity(request.user, client_id)
    return render_errors(TEMPLATE, error, page=page, values=values, done="", activity=activity)


class PlanController(Controller):
    """The integrated plan for staff on the client's care team."""

    path = "/plans"
    guards = [requires_staff]

    @get("/{client_id:uuid}", name="plans.plan")
    async def plan(
        self, request: AnyRequest, client_id: FromPath[UUID], done: FromQuery[str] = ""
    ) -> Template:
        """The plan: all of it for the lead and consented organisations, else own actions."""
        page = await pages.plan_page(request.user, client_id)
        activity = await plan_activity(request.user, client_id)
        return render(TEMPLATE, page=page, values={}, done=done, activity=activity)

    @post("/{client_id:uuid}/profile", name="plans.profile")
    async def profile(self, request: AnyRequest, client_id: FromPath[UUID]) -> Response[Any]:
        """Save the client's strengths and what gets in the way."""
        try:
            form = await read(request, ProfileForm)
            await content.update_profile(request.user, client_id, form)
        except Invalid as exc:
            return await _again(request, client_id, exc)
        return see_other(f"/plans/{client_id}?done=profile")

    @post("/{client_id:uuid}/goals", name="plans.add_goal")
    async def add_goal(self, request: AnyRequest, client_id: FromPath[UUID]) -> Response[Any]:
        """Suggest a goal in the client's words: it stays proposed until the client agrees."""
        try:
            form = await read(request, GoalForm)
            await content.add_goal(request.user, client_id, form)
        except Invalid as exc:
            return await _again(request, client_id, exc)
        return see_other(f"/plans/{client_id}?done=goal")

    @post("/{client_id:uuid}/goals/{goal_id:uuid}/agree", name="plans.agree_goal")
    async def agree_goal(
        self, request: AnyRequest, client_id: FromPath[UUID], goal_id: FromPath[UUID]
    ) -> Response[Any]:
        """Record that the client agreed a proposed goal."""
        await content.agree_goal(request.user, client_id, goal_id)
        return see_other(f"/plans/{client_id}?done=agreed")

    @post("/{client_id:uuid}/actions", name="plans.add_action")
    async def add_action(self, request: AnyRequest, client_id: FromPath[UUID]) -> Response[Any]:
        """Add an action towards a goal, owned by an organisation on the team."""
        try:
            form = await read(request, ActionForm)
            await content.add_action(request.user, client_id, form)
        except Invalid as exc:
            return await _again(request, client_id, exc)
        return see_other(f"/plans/{client_id}?done=action")

    @post("/{client_id:uuid}/actions/{action_id:uuid}", name="plans.update_action")
    async def update_action(
        self, request: AnyRequest, client_id: FromPath[UUID], action_id: FromPath[UUID]
    ) -> Response[Any]:
        """Change an action's status or due date (its own organisation, or the lead)."""
        try:
            form = await read(request, ActionUpdate)
            await content.update_action(request.user, client_id, action_id, form)
        except Invalid as exc:
            return await _again(request, client_id, suffixed(exc, str(action_id)))
        return see_other(f"/plans/{client_id}?done=updated")
