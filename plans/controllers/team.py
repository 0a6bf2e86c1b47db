"""Staff care-team page: who is on the team and why, adding and removing named workers, and
recording the client's choice of lead professional."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec
from litestar import Controller, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from consent.controllers.common import submitted
from hub.accounts.guards import requires_staff
from hub.errors import Invalid
from hub.web.responses import see_other
from plans import care_team, lead, pages
from plans.controllers import AnyRequest, read, render, render_errors
from plans.schemas import LeadChoiceForm

TEMPLATE = "plans/team.html"


class MemberForm(msgspec.Struct, kw_only=True):
    """Form: a worker of one's own organisation to name on the team."""

    member_staff_id: str = ""


def _staff_id(form: MemberForm) -> UUID:
    try:
        return UUID(form.member_staff_id.strip())
    except ValueError:
        msg = "Choose someone from your own organisation"
        raise Invalid(msg, {"member_staff_id": msg}) from None


async def _again(request: AnyRequest, client_id: UUID, error: Invalid) -> Template:
    page = await pages.team_page(request.user, client_id)
    values = await submitted(request)
    return render_errors(TEMPLATE, error, page=page, client_id=client_id, values=values, done="")


class CareTeamController(Controller):
    """The care team, for workers whose organisation is on it."""

    path = "/plans/{client_id:uuid}/team"
    guards = [requires_staff]

    @get("/", name="plans.team")
    async def team(
        self, request: AnyRequest, client_id: FromPath[UUID], done: FromQuery[str] = ""
    ) -> Template:
        """Organisations and workers on the team, the lead and every earlier choice."""
        page = await pages.team_page(request.user, client_id)
        return render(TEMPLATE, page=page, client_id=client_id, values={}, done=done)

    @post("/members", name="plans.add_member")
    async def add_member(self, request: AnyRequest, client_id: FromPath[UUID]) -> Response[Any]:
        """Name yourself or a colleague on the team."""
        try:
            form = await read(request, MemberForm)
            await care_team.add_member(request.user, client_id, _staff_id(form))
        except Invalid as exc:
            errors = exc.errors
            if "staff_id" in errors:
                errors = {"member_staff_id": errors["staff_id"]}
            return await _again(request, client_id, Invalid(str(exc), errors))
        return see_other(f"/plans/{client_id}/team?done=added")

    @post("/members/{member_id:uuid}/remove", name="plans.remove_member")
    async def remove_member(
        self, request: AnyRequest, client_id: FromPath[UUID], member_id: FromPath[UUID]
    ) -> Response[Any]:
        """Take a named worker of your own organisation off the team."""
        await care_team.remove_member(request.user, client_id, member_id)
        return see_other(f"/plans/{client_id}/team?done=removed")

    @post("/lead", name="plans.record_lead")
    async def record_lead(self, request: AnyRequest, client_id: FromPath[UUID]) -> Response[Any]:
        """Record the lead professional the client chose, and how they told us."""
        try:
            form = await read(request, LeadChoiceForm)
            await lead.choose_lead(request.user, client_id, form)
        except Invalid as exc:
            return await _again(request, client_id, exc)
        return see_other(f"/plans/{client_id}/team?done=lead")
