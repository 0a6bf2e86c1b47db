"""Sending a referral: pick the client, say why, choose what to share, send (or learn what
consent is missing, with nothing sent)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Response, get, post
from litestar.params import FromQuery
from litestar.response import Template

from consent.controllers.common import values_of
from hub.accounts.guards import requires_staff
from hub.accounts.schemas import Principal
from hub.errors import Invalid
from hub.web.forms import read_form
from hub.web.responses import see_other
from referrals.controllers.choices import chosen_client, client_choices, referrable_listing
from referrals.controllers.common import AnyRequest, render, render_errors
from referrals.schemas import ReferralForm
from referrals.sending import ConsentMissing, send_referral

FORM = "referrals/new.html"


async def _form_page(
    principal: Principal,
    service_value: str,
    client_value: str,
    values: dict[str, Any] | None = None,
    error: Invalid | None = None,
) -> Template:
    """The send form (or, without a client yet, the choose-a-client step); errors if given."""
    try:
        listing = await referrable_listing(principal, service_value)
    except Invalid as exc:
        return render("referrals/cannot_refer.html", status_code=422, message=str(exc))
    client = await chosen_client(principal, client_value, listing)
    if values is None:
        values = {"urgency": "routine", "categories": client.covered if client else []}
        if client is not None:
            # What the client asked for when registered, so the worker need not ask again.
            values["contact_how"] = client.contact_how
            values["contact_when"] = client.contact_when
    context: dict[str, Any] = {
        "listing": listing,
        "client": client,
        "choices": [] if client else await client_choices(principal),
        "values": values,
        "missing": None,
        "consent_link": "",
    }
    if isinstance(error, ConsentMissing):
        context["missing"] = error
        context["consent_link"] = error.consent_url
    if error is not None:
        return render_errors(FORM, error, **context)
    return render(FORM, **context)


class ReferralSendController(Controller):
    """Refer a client to another organisation's service, under the client's consent."""

    path = "/referrals"
    guards = [requires_staff]

    @get("/new", name="referrals.new")
    async def new_referral(
        self, request: AnyRequest, service: FromQuery[str] = "", client: FromQuery[str] = ""
    ) -> Template:
        """The form: first the client, then why, what they want, how to reach them, what to send."""
        return await _form_page(request.user, service, client)

    @post("/new", name="referrals.create")
    async def create_referral(self, request: AnyRequest) -> Response[Any]:
        """Send it and show it; or the form again saying what is wrong (nothing sent)."""
        form = await read_form(request, ReferralForm)
        try:
            referral_id = await send_referral(request.user, form)
        except Invalid as exc:
            client_value = "" if "client_id" in exc.errors else form.client_id
            return await _form_page(
                request.user, form.service_id, client_value, values_of(form), exc
            )
        return see_other(f"/referrals/{referral_id}")
