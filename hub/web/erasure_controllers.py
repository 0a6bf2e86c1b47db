"""Retention and erasure pages: the schedule and the queue for approvers; a client's request."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from hub import erasure, retention
from hub.accounts.guards import requires_client, requires_staff
from hub.errors import Invalid, NotFound
from hub.web.forms import read_form
from hub.web.notification_controllers import when
from hub.web.responses import form_error_page, page, see_other

AnyRequest = Request[Any, Any, Any]
PATH = "/admin/retention"


class KeepForm(msgspec.Struct, kw_only=True):
    """Form: why the records are kept (declining an erasure)."""

    note: str = ""


class AskForm(msgspec.Struct, kw_only=True):
    """Form: the client's own words on why they want their records erased (optional)."""

    why: str = ""


async def _queue_page(request: AnyRequest, done: str = "", **extra: Any) -> Template:
    items = await erasure.pending(request.user)
    return page(
        "hub/retention.html",
        schedule=retention.schedule(),
        items=items,
        when=when,
        done=done,
        status_code=extra.pop("status_code", 200),
        **extra,
    )


class RetentionController(Controller):
    """For system admins and the hub's data-protection lead."""

    path = PATH
    guards = [requires_staff]

    @get("/", name="retention.page")
    async def schedule(self, request: AnyRequest, done: FromQuery[str] = "") -> Template:
        """How long each kind of record is kept, and the erasures waiting for a decision."""
        if not await erasure.may_see_erasures(request.user):
            msg = "No such page"
            raise NotFound(msg)
        return await _queue_page(request, done)

    @post("/{request_id:uuid}/erase", name="retention.erase")
    async def erase(self, request: AnyRequest, request_id: FromPath[UUID]) -> Response[Any]:
        """Confirm: the worker erases the client's records (within a minute or so)."""
        await erasure.confirm(request.user, request_id)
        return see_other(f"{PATH}?done=approved")

    @post("/{request_id:uuid}/keep", name="retention.keep")
    async def keep(self, request: AnyRequest, request_id: FromPath[UUID]) -> Response[Any]:
        """Decline: keep the records, saying why."""
        form = await read_form(request, KeepForm)
        try:
            await erasure.decline(request.user, request_id, form.note)
        except Invalid as exc:
            items = await erasure.pending(request.user)
            return form_error_page(
                "hub/retention.html", exc, schedule=retention.schedule(), items=items,
                when=when, done="", values={"note": form.note}, failed=request_id,
            )  # fmt: skip
        return see_other(f"{PATH}?done=kept")


class PortalErasureController(Controller):
    """A client asks for their records to be erased."""

    path = "/portal/erase"
    guards = [requires_client]

    @get("/", name="portal.erase")
    async def ask_page(self, request: AnyRequest, done: FromQuery[str] = "") -> Template:
        """What erasure means, and the request."""
        waiting = await erasure.client_request_open(request.user)
        answer = await erasure.last_answer(request.user)
        return page("hub/portal_erase.html", waiting=waiting, answer=answer, done=done, values={})

    @post("/", name="portal.erase_submit")
    async def ask(self, request: AnyRequest) -> Response[Any]:
        """Send the request to the hub's data-protection lead."""
        form = await read_form(request, AskForm)
        try:
            await erasure.ask_for_erasure(request.user, form.why)
        except Invalid as exc:
            return form_error_page(
                "hub/portal_erase.html",
                exc,
                waiting=False,
                answer="",
                done="",
                values={"why": form.why},
            )
        return see_other("/portal/erase?done=asked")
