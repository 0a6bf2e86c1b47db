"""Household pages: start a household around a client, link members, shared goals, and the
household plan view."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec
from litestar import Controller, Response, get, post
from litestar.params import FromPath
from litestar.response import Template

from consent.controllers.common import submitted
from hub.accounts.guards import requires_staff
from hub.errors import Invalid
from hub.web.responses import see_other
from plans import households
from plans.access import plan_access
from plans.controllers import AnyRequest, read, render, render_errors
from plans.households import RELATIONSHIPS, MemberForm, SharedGoalForm

PAGE = "plans/household.html"
START = "plans/household_new.html"


class HouseholdName(msgspec.Struct, kw_only=True):
    """Form: a new household's name."""

    name: str = ""


async def _page(
    request: AnyRequest, household_id: UUID, values: dict[str, Any], error: Invalid | None
) -> Template:
    view = await households.household_view(request.user, household_id)
    context: dict[str, Any] = {
        "household": view,
        "candidates": await households.candidates(request.user, household_id),
        "relationships": list(RELATIONSHIPS.items()),
        "members": [
            (str(part.client_id), part.plan.client_name or "A member")
            for part in view.members
            if part.plan
        ],
        "values": values,
    }
    return render_errors(PAGE, error, **context) if error else render(PAGE, **context)


class HouseholdController(Controller):
    """The household a client belongs to."""

    path = "/plans"
    guards = [requires_staff]

    @get("/{client_id:uuid}/household", name="plans.household_for")
    async def household_for(self, request: AnyRequest, client_id: FromPath[UUID]) -> Response[Any]:
        """The client's household, or the form to start one."""
        await plan_access(request.user, client_id)
        found = await households.household_of(client_id)
        if found is not None:
            return see_other(f"/plans/households/{found}")
        return render(START, client_id=client_id, values={})

    @post("/{client_id:uuid}/household", name="plans.household_create")
    async def create(self, request: AnyRequest, client_id: FromPath[UUID]) -> Response[Any]:
        """Start a household around the client."""
        try:
            form = await read(request, HouseholdName)
            found = await households.create(request.user, client_id, form.name)
        except Invalid as exc:
            return render_errors(START, exc, client_id=client_id, values=await submitted(request))
        return see_other(f"/plans/households/{found}")

    @get("/households/{household_id:uuid}", name="plans.household")
    async def household(self, request: AnyRequest, household_id: FromPath[UUID]) -> Template:
        """The household plan view."""
        return await _page(request, household_id, {}, None)

    @post("/households/{household_id:uuid}/members", name="plans.household_member")
    async def add_member(self, request: AnyRequest, household_id: FromPath[UUID]) -> Response[Any]:
        """Link a client into the household."""
        try:
            form = await read(request, MemberForm)
            await households.add_member(request.user, household_id, form)
        except Invalid as exc:
            return await _page(request, household_id, await submitted(request), exc)
        return see_other(f"/plans/households/{household_id}")

    @post("/households/{household_id:uuid}/goals", name="plans.household_goal")
    async def add_goal(self, request: AnyRequest, household_id: FromPath[UUID]) -> Response[Any]:
        """A goal several members share."""
        try:
            form = await read(request, SharedGoalForm)
            await households.add_shared_goal(request.user, household_id, form)
        except Invalid as exc:
            values = await submitted(request, lists=("client_ids",))
            return await _page(request, household_id, values, exc)
        return see_other(f"/plans/households/{household_id}")
