"""Rectification pages: the client asks for a correction; the recording organisation answers."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from consent import rectification
from consent.controllers.common import AnyRequest, render, render_errors, submitted
from consent.rectification import CorrectionAsk
from hub.accounts.guards import requires_client, requires_staff
from hub.errors import Invalid
from hub.web.forms import read_form
from hub.web.responses import see_other


class PortalCorrectionController(Controller):
    """The client's own entries, and their requests to correct them."""

    path = "/portal/corrections"
    guards = [requires_client]

    @get("/", name="portal.corrections")
    async def entries(self, request: AnyRequest, done: FromQuery[str] = "") -> Template:
        """What is recorded about me, with a way to ask for a correction."""
        return render(
            "consent/portal_corrections.html",
            entries=await rectification.own_entries(request.user),
            requests=await rectification.own_requests(request.user),
            done=done,
        )

    @get("/{entry_id:uuid}", name="portal.correction_ask")
    async def ask_page(self, request: AnyRequest, entry_id: FromPath[UUID]) -> Template:
        """What is wrong, and what should it say?"""
        entry = await rectification.own_entry(request.user, entry_id)
        return render("consent/portal_correction_ask.html", entry=entry, values={})

    @post("/{entry_id:uuid}", name="portal.correction_ask_submit")
    async def ask(self, request: AnyRequest, entry_id: FromPath[UUID]) -> Response[Any]:
        """Send the request to the organisation that recorded it."""
        form = await read_form(request, CorrectionAsk)
        try:
            await rectification.ask(request.user, entry_id, form)
        except Invalid as exc:
            entry = await rectification.own_entry(request.user, entry_id)
            values = {"what_is_wrong": form.what_is_wrong, "should_say": form.should_say}
            return render_errors(
                "consent/portal_correction_ask.html", exc, entry=entry, values=values
            )
        return see_other("/portal/corrections?done=asked")


class CorrectionController(Controller):
    """The recording organisation's queue of correction requests, and each request."""

    path = "/corrections"
    guards = [requires_staff]

    @get("/", name="corrections.queue")
    async def queue(self, request: AnyRequest, status: FromQuery[str] = "open") -> Template:
        """Requests about entries my organisation recorded."""
        status = status if status in rectification.STATUS_WORDS else rectification.OPEN
        return render(
            "consent/corrections.html",
            items=await rectification.queue(request.user, status),
            status=status,
            words=rectification.STATUS_WORDS,
        )

    @get("/{request_id:uuid}", name="corrections.detail")
    async def detail(self, request: AnyRequest, request_id: FromPath[UUID]) -> Template:
        """The entry, what the client says, and the two answers."""
        view = await rectification.detail(request.user, request_id)
        return render("consent/correction.html", view=view, values={})

    @post("/{request_id:uuid}/correct", name="corrections.correct")
    async def correct(self, request: AnyRequest, request_id: FromPath[UUID]) -> Response[Any]:
        """Change the entry (the earlier wording is kept)."""
        values = await submitted(request)
        try:
            await rectification.correct(request.user, request_id, values)
        except Invalid as exc:
            view = await rectification.detail(request.user, request_id)
            return render_errors("consent/correction.html", exc, view=view, values=values)
        return see_other("/corrections?status=corrected")

    @post("/{request_id:uuid}/decline", name="corrections.decline")
    async def decline(self, request: AnyRequest, request_id: FromPath[UUID]) -> Response[Any]:
        """Leave the entry as it is, saying why."""
        values = await submitted(request)
        try:
            await rectification.decline(request.user, request_id, str(values.get("reason", "")))
        except Invalid as exc:
            view = await rectification.detail(request.user, request_id)
            return render_errors("consent/correction.html", exc, view=view, values=values)
        return see_other("/corrections?status=declined")
