"""Closing support: the closure meeting note and an outcome for each goal (the lead only)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Response, get, post
from litestar.params import FromPath
from litestar.response import Template

from consent.controllers.common import submitted
from hub.accounts.guards import requires_staff
from hub.errors import Invalid
from hub.web.responses import see_other
from plans import closing
from plans.controllers import AnyRequest, render, render_errors

FORM = "plans/close_form.html"


class ClosingController(Controller):
    """Close a client's support and record how each goal ended."""

    path = "/plans"
    guards = [requires_staff]

    @get("/{client_id:uuid}/close", name="plans.close")
    async def close_form(self, request: AnyRequest, client_id: FromPath[UUID]) -> Template:
        """The closing form: the goals to give outcomes to, and the meeting note."""
        plan = await closing.closure_start(request.user, client_id)
        return render(FORM, plan=plan, values={}, outcome_field=closing.outcome_field)

    @post("/{client_id:uuid}/close", name="plans.close_submit")
    async def close(self, request: AnyRequest, client_id: FromPath[UUID]) -> Response[Any]:
        """Close the plan and go back to it (now read-only); or the form again."""
        values = await submitted(request)
        try:
            await closing.close_plan(request.user, client_id, closing.close_form_from(values))
        except Invalid as exc:
            plan = await closing.closure_start(request.user, client_id)
            return render_errors(
                FORM, exc, plan=plan, values=values, outcome_field=closing.outcome_field
            )
        return see_other(f"/plans/{client_id}?done=closed")
