"""Pages where organisation admins make and revoke their organisation's API tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Template

from hub.accounts import api_tokens
from hub.accounts.guards import requires_org_admin
from hub.errors import Invalid
from hub.web.forms import form_values, read_form
from hub.web.responses import form_error_page, page, see_other

AnyRequest = Request[Any, Any, Any]
LONDON = ZoneInfo("Europe/London")
LIST_URL = "/admin/api-tokens"


def when(value: datetime | None) -> str:
    """A time as UK staff read it, or "Never"."""
    if value is None:
        return "Never"
    local = value.astimezone(LONDON)
    return f"{local.day} {local:%B %Y} at {local:%H:%M}"


def _form_context() -> dict[str, Any]:
    return {"scopes": api_tokens.SCOPES, "docs_url": "/api/v1/docs"}


class ApiTokenController(Controller):
    """An organisation admin's API tokens: list, make (shown once), revoke."""

    path = LIST_URL
    guards = [requires_org_admin]

    @get("/", name="api_tokens.list")
    async def list_tokens(self, request: AnyRequest) -> Template:
        """The organisation's tokens, live and revoked."""
        tokens = await api_tokens.list_tokens(request.user)
        return page("hub/api_tokens.html", tokens=tokens, when=when, docs_url="/api/v1/docs")

    @get("/new", name="api_tokens.new")
    async def new_token(self) -> Template:
        """The make-a-token form."""
        return page("hub/api_token_new.html", values={}, **_form_context())

    @post("/new", name="api_tokens.create")
    async def create_token(self, request: AnyRequest) -> Template:
        """Make the token and show it this once."""
        form = await read_form(request, api_tokens.ApiTokenCreate)
        try:
            made = await api_tokens.create_token(request.user, form)
        except Invalid as exc:
            return form_error_page(
                "hub/api_token_new.html", exc, values=form_values(form), **_form_context()
            )
        return page("hub/api_token_created.html", made=made, **_form_context())

    @post("/{token_id:uuid}/take-over", name="api_tokens.take_over")
    async def take_over(self, request: AnyRequest, token_id: FromPath[UUID]) -> Response[Any]:
        """Answer for the token from now on: a suspended token works again."""
        await api_tokens.take_over(request.user, token_id)
        return see_other(LIST_URL)

    @post("/{token_id:uuid}/revoke", name="api_tokens.revoke")
    async def revoke_token(self, request: AnyRequest, token_id: FromPath[UUID]) -> Response[Any]:
        """Revoke the token: the next call made with it is refused."""
        await api_tokens.revoke_token(request.user, token_id)
        return see_other(LIST_URL)
