"""The client's own plan in the portal: read it, add and agree goals, choose the lead
professional, let the lead's organisation see the plan, and a copy to print.

Portal URLs never carry a client id: every page is the signed-in client's own.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec
from litestar import Controller, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from consent import portal as consent_portal
from consent.controllers.common import submitted
from hub.accounts.guards import requires_client
from hub.errors import Invalid
from hub.web.responses import see_other
from plans import content, lead, pages
from plans.controllers import AnyRequest, read, render, render_errors
from plans.schemas import GoalForm, LeadChoiceForm

PLAN = "plans/portal_plan.html"
CHOOSE = "plans/portal_lead.html"


class ShareAnswer(msgspec.Struct, kw_only=True):
    """Form: may the lead's organisation see my plan?"""

    answer: str = ""


class PortalPlanController(Controller):
    """The signed-in client's plan."""

    path = "/portal/plan"
    guards = [requires_client]

    @get("/", name="portal.plan")
    async def plan(self, request: AnyRequest, done: FromQuery[str] = "") -> Template:
        """My plan in plain words."""
        page = await pages.portal_plan(request.user)
        return render(PLAN, page=page, values={}, done=done)

    @post("/goals", name="portal.add_goal")
    async def add_goal(self, request: AnyRequest) -> Response[Any]:
        """Add a goal in my own words: it is agreed straight away."""
        try:
            form = await read(request, GoalForm)
            await content.add_goal(request.user, request.user.id, form)
        except Invalid as exc:
            page = await pages.portal_plan(request.user)
            values = await submitted(request)
            return render_errors(PLAN, exc, page=page, values=values, done="")
        return see_other("/portal/plan?done=goal")

    @post("/goals/{goal_id:uuid}/agree", name="portal.agree_goal")
    async def agree_goal(self, request: AnyRequest, goal_id: FromPath[UUID]) -> Response[Any]:
        """I agree a goal my lead professional suggested."""
        await content.agree_goal(request.user, request.user.id, goal_id)
        return see_other("/portal/plan?done=agreed")

    @get("/lead", name="portal.lead")
    async def choose_page(self, request: AnyRequest) -> Template:
        """What a lead professional does, and the people I can choose from."""
        page = await pages.portal_plan(request.user)
        return render(CHOOSE, page=page, values={})

    @post("/lead", name="portal.choose_lead")
    async def choose(self, request: AnyRequest) -> Response[Any]:
        """Choose (or change) my lead professional."""
        try:
            form = await read(request, LeadChoiceForm)
            form.how, form.how_note = "portal", ""
            outcome = await lead.choose_lead(request.user, request.user.id, form)
        except Invalid as exc:
            page = await pages.portal_plan(request.user)
            values = await submitted(request)
            return render_errors(CHOOSE, exc, page=page, values=values)
        if outcome.needs_plan_consent:
            return see_other("/portal/plan/share")
        return see_other("/portal/plan?done=lead")

    @get("/share", name="portal.share_plan")
    async def share_page(self, request: AnyRequest) -> Response[Any]:
        """Can my lead professional's organisation see my plan?"""
        chosen = await pages.lead_to_share_with(request.user)
        if chosen is None:
            return see_other("/portal/plan")
        return render("plans/portal_share.html", lead=chosen)

    @post("/share", name="portal.share_plan_submit")
    async def share(self, request: AnyRequest) -> Response[Any]:
        """Yes: a consent naming only that organisation, only the plan (else nothing)."""
        form = await read(request, ShareAnswer)
        chosen = await pages.lead_to_share_with(request.user)
        if form.answer != "yes" or chosen is None:
            return see_other("/portal/plan?done=lead")
        await consent_portal.share_plan_with(request.user, chosen.organisation_id)
        return see_other("/portal/plan?done=shared")

    @get("/copy", name="portal.plan_copy")
    async def copy(self, request: AnyRequest) -> Template:
        """My copy of my plan, to print or keep."""
        page = await pages.portal_plan(request.user)
        return render("plans/portal_copy.html", page=page, today=content.today())
