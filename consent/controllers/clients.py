"""Staff pages for the client record: the list and search, registering, a record, entries."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from consent import portal_accounts, record, rectification
from consent.controllers.common import AnyRequest, render, render_errors, submitted, values_of
from consent.record import PossibleDuplicates
from consent.schemas import ClientRegistration, ClientSearch, EntryCreate
from hub.accounts.guards import requires_staff
from hub.errors import Invalid
from hub.web.forms import read_form
from hub.web.responses import client_address, see_other


class ClientController(Controller):
    """Clients the sharing policy lets the signed-in worker see."""

    path = "/clients"
    guards = [requires_staff]

    @get("/", name="clients.list")
    async def list_clients(self, request: AnyRequest, withdrawn: FromQuery[str] = "") -> Template:
        """Every client shared with this organisation (a search is posted: names stay out of
        addresses, browser history and logs)."""
        clients = await record.list_clients(request.user, "")
        return render("consent/clients.html", clients=clients, query="", withdrawn=bool(withdrawn))

    @post("/", name="clients.search", status_code=200)
    async def search_clients(self, request: AnyRequest) -> Template:
        """The names this organisation may see that match the posted search."""
        form = await read_form(request, ClientSearch)
        query = form.q.strip()[:100]
        clients = await record.list_clients(request.user, query)
        return render("consent/clients.html", clients=clients, query=query, withdrawn=False)

    @get("/new", name="clients.new")
    async def new_client(self) -> Template:
        """The register-a-client form."""
        return render("consent/client_new.html", values={}, candidates=[])

    @post("/new", name="clients.create")
    async def create_client(self, request: AnyRequest) -> Response[Any]:
        """Register the client, unless possible duplicates must be looked at first."""
        try:
            form = await read_form(request, ClientRegistration)
            client_id = await record.register_client(request.user, form)
        except PossibleDuplicates as exc:
            return render(
                "consent/client_new.html", values=values_of(form), candidates=exc.candidates
            )
        except Invalid as exc:
            return render_errors(
                "consent/client_new.html", exc, values=await submitted(request), candidates=[]
            )
        return see_other(f"/clients/{client_id}")

    @get("/{client_id:uuid}", name="clients.detail")
    async def client_detail(self, request: AnyRequest, client_id: FromPath[UUID]) -> Template:
        """The record, as far as it is shared, and plainly what is not."""
        client = await record.get_record(request.user, client_id)
        earlier = await rectification.earlier_wordings(client)
        return render("consent/client_detail.html", record=client, code=None, earlier=earlier)

    @get("/{client_id:uuid}/entries/new", name="clients.entry_new")
    async def new_entry(self, request: AnyRequest, client_id: FromPath[UUID]) -> Template:
        """The form for recording something in one category."""
        _, identity = await record.identity_for(request.user, client_id, act=True)
        return render("consent/entry_new.html", client_id=client_id, identity=identity, values={})

    @post("/{client_id:uuid}/entries/new", name="clients.entry_create")
    async def create_entry(self, request: AnyRequest, client_id: FromPath[UUID]) -> Response[Any]:
        """Record it."""
        form = await read_form(request, EntryCreate)
        try:
            await record.add_entry(request.user, client_id, form)
        except Invalid as exc:
            _, identity = await record.identity_for(request.user, client_id, act=True)
            return render_errors(
                "consent/entry_new.html",
                exc,
                client_id=client_id,
                identity=identity,
                values=values_of(form),
            )
        return see_other(f"/clients/{client_id}")

    @post("/{client_id:uuid}/portal/disable", name="clients.portal_disable")
    async def disable_portal(self, request: AnyRequest, client_id: FromPath[UUID]) -> Response[Any]:
        """Turn the client's portal account off; their portal sessions end at once."""
        await portal_accounts.disable(request.user, client_id, client_address(request))
        return see_other(f"/clients/{client_id}")

    @post("/{client_id:uuid}/portal/reset", name="clients.portal_reset")
    async def reset_portal(self, request: AnyRequest, client_id: FromPath[UUID]) -> Response[Any]:
        """Remove the client's portal account for a fresh start with a new invitation."""
        await portal_accounts.reset(request.user, client_id, client_address(request))
        return see_other(f"/clients/{client_id}")

    @post("/{client_id:uuid}/invitation", name="clients.invite")
    async def invite(self, request: AnyRequest, client_id: FromPath[UUID]) -> Template:
        """Make a one-time portal invitation code and show it once."""
        try:
            code = await record.create_invitation(request.user, client_id)
        except Invalid as exc:
            client = await record.get_record(request.user, client_id)
            earlier = await rectification.earlier_wordings(client)
            return render_errors(
                "consent/client_detail.html", exc, record=client, code=None, earlier=earlier
            )
        client = await record.get_record(request.user, client_id)
        earlier = await rectification.earlier_wordings(client)
        return render("consent/client_detail.html", record=client, code=code, earlier=earlier)
