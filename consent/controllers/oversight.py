"""Break-glass pages, and the data-protection lead's review queue and access log."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Response, get, post
from litestar.params import FromPath
from litestar.response import Template

from consent import access_log, breakglass
from consent.controllers.common import AnyRequest, render, render_errors, values_of
from consent.schemas import BreakGlassRequest, ReviewForm
from hub.accounts.guards import requires_staff
from hub.errors import Invalid
from hub.web.forms import read_form
from hub.web.responses import see_other


class BreakGlassController(Controller):
    """Opening and closing a safeguarding override, and reviewing them."""

    guards = [requires_staff]

    @get("/clients/{client_id:uuid}/break-glass", name="break_glass.new")
    async def new(self, request: AnyRequest, client_id: FromPath[UUID]) -> Template:
        """The reason form, for staff of an organisation involved with the client (else 404)."""
        await breakglass.require_may_open(request.user, client_id)
        return render("consent/break_glass_new.html", client_id=client_id, values={})

    @post("/clients/{client_id:uuid}/break-glass", name="break_glass.open")
    async def open(self, request: AnyRequest, client_id: FromPath[UUID]) -> Response[Any]:
        """Open the override and go to the record."""
        form = await read_form(request, BreakGlassRequest)
        try:
            await breakglass.open_break_glass(request.user, client_id, form)
        except Invalid as exc:
            return render_errors(
                "consent/break_glass_new.html", exc, client_id=client_id, values=values_of(form)
            )
        return see_other(f"/clients/{client_id}")

    @post("/break-glass/{break_glass_id:uuid}/close", name="break_glass.close")
    async def close(self, request: AnyRequest, break_glass_id: FromPath[UUID]) -> Response[Any]:
        """End one's own override now."""
        await breakglass.close_break_glass(request.user, break_glass_id)
        return see_other("/clients")

    @get("/oversight/break-glass", name="oversight.break_glass")
    async def queue(self, request: AnyRequest) -> Template:
        """Overrides waiting for this person's review, and those already reviewed."""
        pending, history = await breakglass.review_queue(request.user)
        return render(
            "consent/reviews.html",
            pending=pending,
            history=history,
            outcomes=breakglass.OUTCOMES,
            errors_for=None,
            values={},
        )

    @post("/oversight/break-glass/{break_glass_id:uuid}/review", name="oversight.review")
    async def review(self, request: AnyRequest, break_glass_id: FromPath[UUID]) -> Response[Any]:
        """Sign off or flag one override in one of the reviewer's roles."""
        form = await read_form(request, ReviewForm)
        try:
            await breakglass.review(request.user, break_glass_id, form)
        except Invalid as exc:
            pending, history = await breakglass.review_queue(request.user)
            return render_errors(
                "consent/reviews.html",
                exc,
                pending=pending,
                history=history,
                outcomes=breakglass.OUTCOMES,
                errors_for=(break_glass_id, form.role),
                values=values_of(form),
            )
        return see_other("/oversight/break-glass")

    @get("/oversight/access-log", name="oversight.access_log")
    async def staff_reads(self, request: AnyRequest) -> Template:
        """Reads of client data by this organisation's staff, for its data-protection lead."""
        reads = await access_log.for_own_organisation(request.user)
        return render("consent/staff_reads.html", reads=reads)
