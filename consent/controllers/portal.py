"""The client's portal pages: consents in plain words, receipts, withdraw, narrow, who looked."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from consent import portal
from consent.controllers.common import AnyRequest, render, render_errors, values_of
from consent.schemas import ConsentNarrowing
from hub.accounts.guards import requires_client
from hub.errors import Invalid
from hub.web.forms import read_form
from hub.web.responses import see_other


class PortalController(Controller):
    """Pages for a client signed in to the portal; only ever their own records."""

    path = "/portal"
    guards = [requires_client]

    @get("/consents", name="portal.consents")
    async def consents(self, request: AnyRequest, done: FromQuery[str] = "") -> Template:
        """Who may see what about me, and until when."""
        groups = await portal.own_consent_groups(request.user)
        return render("consent/portal_consents.html", groups=groups, done=done)

    @get("/consents/{consent_id:uuid}", name="portal.receipt")
    async def receipt(
        self, request: AnyRequest, consent_id: FromPath[UUID], done: FromQuery[str] = ""
    ) -> Template:
        """My copy of the receipt."""
        receipt = await portal.own_receipt(request.user, consent_id)
        return render("consent/receipt.html", receipt=receipt, portal=True, done=done)

    @get("/consents/{consent_id:uuid}/withdraw", name="portal.withdraw")
    async def withdraw_page(self, request: AnyRequest, consent_id: FromPath[UUID]) -> Template:
        """Are you sure? What stopping means."""
        consent = await portal.live_own_consent(request.user, consent_id)
        return render("consent/portal_withdraw.html", consent=consent)

    @post("/consents/{consent_id:uuid}/withdraw", name="portal.withdraw_submit")
    async def withdraw(self, request: AnyRequest, consent_id: FromPath[UUID]) -> Response[Any]:
        """Stop sharing now."""
        await portal.withdraw_own(request.user, consent_id)
        return see_other("/portal/consents?done=withdrawn")

    @get("/consents/{consent_id:uuid}/narrow", name="portal.narrow")
    async def narrow_page(self, request: AnyRequest, consent_id: FromPath[UUID]) -> Template:
        """Untick what I no longer want to share."""
        consent = await portal.live_own_consent(request.user, consent_id)
        values = {"organisation_ids": [str(o) for o in consent.organisation_ids]}
        values["categories"] = list(consent.categories)
        return render("consent/portal_narrow.html", consent=consent, values=values)

    @post("/consents/{consent_id:uuid}/narrow", name="portal.narrow_submit")
    async def narrow(self, request: AnyRequest, consent_id: FromPath[UUID]) -> Response[Any]:
        """Share less: a new, smaller consent replaces this one."""
        form = await read_form(request, ConsentNarrowing)
        try:
            new_id = await portal.narrow_own(request.user, consent_id, form)
        except Invalid as exc:
            consent = await portal.live_own_consent(request.user, consent_id)
            return render_errors(
                "consent/portal_narrow.html", exc, consent=consent, values=values_of(form)
            )
        return see_other(f"/portal/consents/{new_id}?done=narrowed")

    @get("/who-saw", name="portal.who_saw")
    async def who_saw(self, request: AnyRequest) -> Template:
        """Who saw my record."""
        lines = await portal.who_saw(request.user)
        return render("consent/portal_who_saw.html", lines=lines)
