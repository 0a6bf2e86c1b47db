"""Signposting pages: the worker's list, add/remove (htmx or plain), hand-over, print, the link."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Response, Template

from directory.listings.presentation import date_text
from directory.read import load_service
from directory.signposting import services
from directory.signposting.schemas import HandOver, ListChange, SignpostSheet
from hub.accounts.guards import requires_staff
from hub.errors import Invalid, NotFound
from hub.settings import get_settings
from hub.web.forms import read_form
from hub.web.responses import form_error_page, page, see_other

AnyRequest = Request[Any, Any, Any]
LIST_PATH = "/directory/list"


def safe_next(target: str) -> str:
    """Where to go back to: only a path on this site (never `//host` or `/\\host`)."""
    if (
        target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
        and not any(ord(char) < 32 or ord(char) == 127 for char in target)
    ):
        return target
    return LIST_PATH


def _wants_fragment(request: AnyRequest) -> bool:
    """htmx asked (and not for a boosted page load): answer with the swapped-in form only."""
    return (
        request.headers.get("hx-request") == "true" and request.headers.get("hx-boosted") != "true"
    )


def _service_id(form: ListChange) -> UUID:
    try:
        return UUID(form.service_id)
    except ValueError:
        msg = "No such service"
        raise NotFound(msg) from None


def share_url(sheet: SignpostSheet) -> str:
    """The full short link to give the visitor."""
    return f"{get_settings().base_url}/s/{sheet.token}"


def feedback_url(sheet: SignpostSheet) -> str:
    """Where the visitor can say how the hand-over went, anonymously (reports/ keeps it)."""
    return f"{get_settings().base_url}/feedback/signposting/{sheet.token}"


class SignpostController(Controller):
    """A staff member's current list for the visitor in front of them."""

    path = LIST_PATH
    guards = [requires_staff]

    async def _toggled(
        self, request: AnyRequest, form: ListChange, service_id: UUID, on_list: bool, count: int
    ) -> Response[Any]:
        if not _wants_fragment(request):
            return see_other(safe_next(form.next))
        record = await load_service(service_id)
        return page(
            "directory/signpost_toggle_fragment.html",
            service_id=service_id,
            service_name=record.name if record else "",
            on_list=on_list,
            next=safe_next(form.next),
            count=count,
        )

    @post("/add", name="signposting.add")
    async def add(self, request: AnyRequest) -> Response[Any]:
        """Put a service on the list; back to where the worker was (or the new button)."""
        form = await read_form(request, ListChange)
        service_id = _service_id(form)
        count = await services.add_service(request.user, service_id)
        return await self._toggled(request, form, service_id, True, count)

    @post("/remove", name="signposting.remove")
    async def remove(self, request: AnyRequest) -> Response[Any]:
        """Take a service off the list."""
        form = await read_form(request, ListChange)
        service_id = _service_id(form)
        count = await services.remove_service(request.user, service_id)
        return await self._toggled(request, form, service_id, False, count)

    @get("/", name="signposting.list")
    async def current(self, request: AnyRequest) -> Template:
        """The list so far, with print and share."""
        return page(
            "directory/signpost_list.html", sheet=await services.current_sheet(request.user)
        )

    @post("/hand-over", name="signposting.hand_over")
    async def hand_over(self, request: AnyRequest) -> Response[Any]:
        """Hand the list over (counted once); then the print sheet or the link to give."""
        form = await read_form(request, HandOver)
        try:
            list_id = await services.hand_over(request.user)
        except Invalid as exc:
            return form_error_page(
                "directory/signpost_list.html",
                exc,
                sheet=await services.current_sheet(request.user),
            )
        view = "link" if form.mode == "link" else "print"
        return see_other(f"{LIST_PATH}/{list_id}/{view}")

    @get("/{list_id:uuid}/print", name="signposting.print")
    async def print_sheet(self, request: AnyRequest, list_id: FromPath[UUID]) -> Response[Any]:
        """The print-friendly sheet of a handed-over list (the worker's own only)."""
        sheet = await services.own_sheet(request.user, list_id)
        if not sheet.handed_over:
            return Redirect(path=LIST_PATH)
        return page(
            "directory/signpost_print.html",
            sheet=sheet,
            share_url=share_url(sheet),
            feedback_url=feedback_url(sheet),
            expires=date_text(sheet.expires_at),
        )

    @get("/{list_id:uuid}/link", name="signposting.link")
    async def link(self, request: AnyRequest, list_id: FromPath[UUID]) -> Response[Any]:
        """The short link to give the visitor, and until when it works."""
        sheet = await services.own_sheet(request.user, list_id)
        if not sheet.handed_over:
            return Redirect(path=LIST_PATH)
        return page(
            "directory/signpost_link.html",
            sheet=sheet,
            share_url=share_url(sheet),
            expires=date_text(sheet.expires_at),
        )

    @post("/{list_id:uuid}/end-link", name="signposting.end_link")
    async def end_link(self, request: AnyRequest, list_id: FromPath[UUID]) -> Response[Any]:
        """End the list's link now (the worker's own lists only)."""
        await services.end_own_link(request.user, list_id)
        return see_other(f"{LIST_PATH}/{list_id}/link")


class SharedListController(Controller):
    """The short link: the same list for anyone, without signing in, for 30 days."""

    path = "/s"

    @get("/{token:str}", name="signposting.shared")
    async def shared(self, token: FromPath[str]) -> Template:
        """The visitor's list, or a kind page once it has expired."""
        try:
            sheet = await services.public_sheet(token)
        except services.LinkExpired as exc:
            return page("directory/signpost_expired.html", status_code=410, message=str(exc))
        return page(
            "directory/signpost_public.html", sheet=sheet, expires=date_text(sheet.expires_at)
        )

    @post("/{token:str}/end", name="signposting.shared_end")
    async def end(self, token: FromPath[str]) -> Response[Any]:
        """The visitor stops their link working (a lost phone, a shared screen)."""
        await services.end_shared_link(token)
        return see_other(f"/s/{token}")
