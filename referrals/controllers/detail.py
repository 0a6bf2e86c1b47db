"""One referral: read it, move it (accept, decline, complete...), write in its thread."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec
from litestar import Controller, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from hub.accounts.guards import requires_staff
from hub.accounts.schemas import Principal
from hub.errors import Invalid, Refused
from hub.web.forms import form_values, read_form
from hub.web.responses import see_other
from referrals.controllers.common import AnyRequest, render
from referrals.lifecycle import ACTIONS
from referrals.moves import move
from referrals.schemas import MessageForm, MoveForm
from referrals.thread import post_message
from referrals.views import get_referral

PAGE = "referrals/detail.html"
DONE = {"moved": "The referral has been updated.", "message": "Your message has been added."}


async def _page(
    principal: Principal, referral_id: UUID, status_code: int = 200, **context: Any
) -> Template:
    """The referral as this reader may see it, with whatever the last action left to say."""
    view = await get_referral(principal, referral_id)
    context.setdefault("values", {})
    context.setdefault("open_move", "")
    return render(PAGE, status_code=status_code, view=view, **context)


async def _read(request: AnyRequest, struct_type: type[Any]) -> Any:
    """The posted form; one that cannot even be read (a forged version) is Invalid."""
    try:
        return await read_form(request, struct_type)
    except msgspec.ValidationError:
        msg = "This form could not be read. Reload the page and try again."
        raise Invalid(msg, {}) from None


async def _conflict_page(
    principal: Principal, referral_id: UUID, error: Refused, seen_version: int
) -> Template:
    """The referral as it is now (409), saying who changed it if it moved since the page loaded."""
    view = await get_referral(principal, referral_id)
    changed_by = ""
    if seen_version and seen_version != view.version and view.events:
        changed_by = view.events[-1].who or "someone else"
    return render(
        PAGE,
        status_code=409,
        view=view,
        conflict=str(error),
        conflict_title=error.title,
        changed_by=changed_by,
        values={},
        open_move="",
    )


class ReferralController(Controller):
    """A referral page for both sides; the services decide how much each may see and do."""

    path = "/referrals"
    guards = [requires_staff]

    @get("/{referral_id:uuid}", name="referrals.detail")
    async def show(
        self, request: AnyRequest, referral_id: FromPath[UUID], done: FromQuery[str] = ""
    ) -> Template:
        """Status, dates and, where consent allows, the client, the reasons, thread and moves."""
        return await _page(request.user, referral_id, done=DONE.get(done, ""))

    @post("/{referral_id:uuid}/move", name="referrals.move")
    async def move_referral(
        self, request: AnyRequest, referral_id: FromPath[UUID]
    ) -> Response[Any]:
        """Make one move; a stale page loses cleanly (409) and a missing reason is asked for."""
        form: MoveForm = await _read(request, MoveForm)
        try:
            await move(request.user, referral_id, form)
        except Refused as exc:
            return await _conflict_page(request.user, referral_id, exc, form.version)
        except Invalid as exc:
            action = form.action if form.action in ACTIONS else "move"
            return await _page(
                request.user,
                referral_id,
                422,
                errors={f"{action}-{field}": text for field, text in exc.errors.items()},
                error_message=str(exc),
                values=form_values(form),
                open_move=action,
            )
        return see_other(f"/referrals/{referral_id}?done=moved")

    @post("/{referral_id:uuid}/messages", name="referrals.message")
    async def add_message(self, request: AnyRequest, referral_id: FromPath[UUID]) -> Response[Any]:
        """Add to the thread; the other side is told (the words name no one)."""
        form: MessageForm = await _read(request, MessageForm)
        try:
            await post_message(request.user, referral_id, form)
        except Refused as exc:
            return await _page(
                request.user, referral_id, 409, conflict=str(exc), conflict_title=exc.title
            )
        except Invalid as exc:
            return await _page(
                request.user,
                referral_id,
                422,
                errors=exc.errors,
                error_message=str(exc),
                values=form_values(form),
            )
        return see_other(f"/referrals/{referral_id}?done=message#thread")
