"""Pages where staff register a client's identity and give them a portal invitation code."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Template

from hub.accounts import clients
from hub.accounts.guards import requires_staff
from hub.accounts.schemas import ClientCreate
from hub.errors import Invalid
from hub.web.forms import read_form
from hub.web.responses import form_error_page, page, see_other

AnyRequest = Request[Any, Any, Any]


class ClientController(Controller):
    """Clients registered by the signed-in worker's organisation."""

    path = "/clients"
    guards = [requires_staff]

    @get("/", name="clients.list")
    async def list_clients(self, request: AnyRequest) -> Template:
        """Clients this organisation registered."""
        return page("hub/clients.html", clients=await clients.list_registered_clients(request.user))

    @get("/new", name="clients.new")
    async def new_client(self) -> Template:
        """The register-a-client form."""
        return page("hub/client_new.html", values={})

    @post("/new", name="clients.create")
    async def create_client(self, request: AnyRequest) -> Response[Any]:
        """Register the client."""
        try:
            form = await read_form(request, ClientCreate)
            client = await clients.register_client(request.user, form)
        except Invalid as exc:
            submitted = await request.form()
            return form_error_page("hub/client_new.html", exc, values=dict(submitted))
        return see_other(f"/clients/{client.id}")

    @get("/{client_id:uuid}", name="clients.detail")
    async def client_detail(self, request: AnyRequest, client_id: FromPath[UUID]) -> Template:
        """A registered client's identity and portal status."""
        client = await clients.get_registered_client(request.user, client_id)
        return page("hub/client_detail.html", client=client, code=None)

    @post("/{client_id:uuid}/invitation", name="clients.invite")
    async def invite(self, request: AnyRequest, client_id: FromPath[UUID]) -> Template:
        """Make a one-time portal invitation code and show it once."""
        try:
            code = await clients.create_invitation(request.user, client_id)
        except Invalid as exc:
            client = await clients.get_registered_client(request.user, client_id)
            return form_error_page("hub/client_detail.html", exc, client=client, code=None)
        client = await clients.get_registered_client(request.user, client_id)
        return page("hub/client_detail.html", client=client, code=code)
