"""Connections pages: the map with its list, what changed since the last review, and the forms
to add a connection, change how close it feels, or end it; the client's own map in the portal."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from consent.controllers.common import submitted
from hub.accounts.guards import requires_client, requires_staff
from hub.errors import Invalid
from hub.web.responses import see_other
from plans import connections
from plans.connections import CLOSENESS, KINDS, ConnectionForm
from plans.connections_map import connections_svg
from plans.controllers import AnyRequest, read, render, render_errors

PAGE = "plans/connections.html"
PORTAL = "plans/portal_connections.html"


async def _page(
    request: AnyRequest, client_id: UUID, values: dict[str, Any], error: Invalid | None, done: str
) -> Template:
    found = await connections.connections_for(request.user, client_id)
    context: dict[str, Any] = {
        "found": found,
        "map": connections_svg(found.items, "Client"),
        "kinds": list(KINDS.items()),
        "closeness": list(CLOSENESS.items()),
        "values": values,
        "done": done,
        "client_id": client_id,
    }
    return render_errors(PAGE, error, **context) if error else render(PAGE, **context)


class ConnectionsController(Controller):
    """The care team records the client's connections with them."""

    path = "/plans/{client_id:uuid}/connections"
    guards = [requires_staff]

    @get("/", name="plans.connections")
    async def page(
        self, request: AnyRequest, client_id: FromPath[UUID], done: FromQuery[str] = ""
    ) -> Template:
        """The connections map, the list and the forms."""
        return await _page(request, client_id, {}, None, done)

    @post("/", name="plans.connection_add")
    async def add(self, request: AnyRequest, client_id: FromPath[UUID]) -> Response[Any]:
        """Add a connection."""
        try:
            form = await read(request, ConnectionForm)
            await connections.add(request.user, client_id, form)
        except Invalid as exc:
            return await _page(request, client_id, await submitted(request), exc, "")
        return see_other(f"/plans/{client_id}/connections?done=added")

    @post("/{connection_id:uuid}", name="plans.connection_change")
    async def change(
        self, request: AnyRequest, client_id: FromPath[UUID], connection_id: FromPath[UUID]
    ) -> Response[Any]:
        """Change how close a connection feels, or whether the client wants more of it."""
        try:
            form = await read(request, ConnectionForm)
            await connections.change(request.user, client_id, connection_id, form)
        except Invalid as exc:
            return await _page(request, client_id, {}, exc, "")
        return see_other(f"/plans/{client_id}/connections?done=changed")

    @post("/{connection_id:uuid}/end", name="plans.connection_end")
    async def end(
        self, request: AnyRequest, client_id: FromPath[UUID], connection_id: FromPath[UUID]
    ) -> Response[Any]:
        """The client is no longer connected to it."""
        await connections.end(request.user, client_id, connection_id)
        return see_other(f"/plans/{client_id}/connections?done=ended")


class PortalConnectionsController(Controller):
    """The client's own connections map."""

    path = "/portal/connections"
    guards = [requires_client]

    @get("/", name="portal.connections")
    async def page(self, request: AnyRequest) -> Template:
        """My connections, as a picture and a list."""
        found = await connections.connections_for(request.user, request.user.id)
        return render(PORTAL, found=found, map=connections_svg(found.items, "You"))
