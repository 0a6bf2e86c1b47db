"""The re-route page: send a declined, failed or overdue referral to a similar service instead."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Response, get, post
from litestar.params import FromPath
from litestar.response import Template

from hub.accounts.guards import requires_staff
from hub.errors import Invalid
from hub.web.forms import form_values, read_form
from hub.web.responses import see_other
from referrals import rerouting
from referrals.controllers.common import AnyRequest, render, render_errors
from referrals.schemas import RerouteForm
from referrals.sending import ConsentMissing

PAGE = "referrals/reroute.html"


class RerouteController(Controller):
    """For the sender only: the services decide who may see and do this."""

    path = "/referrals"
    guards = [requires_staff]

    @get("/{referral_id:uuid}/reroute", name="referrals.reroute_form")
    async def reroute_form(self, request: AnyRequest, referral_id: FromPath[UUID]) -> Template:
        """Why it can go elsewhere, the similar services accepting now, and a reason to give."""
        offer = await rerouting.reroute_offer(request.user, referral_id)
        return render(PAGE, offer=offer, values={})

    @post("/{referral_id:uuid}/reroute", name="referrals.reroute")
    async def reroute(self, request: AnyRequest, referral_id: FromPath[UUID]) -> Response[Any]:
        """Cancel the original (if still open) and send a copy to the chosen service."""
        form = await read_form(request, RerouteForm)
        try:
            new_id = await rerouting.reroute(request.user, referral_id, form)
        except ConsentMissing as missing:
            offer = await rerouting.reroute_offer(request.user, referral_id)
            error = Invalid(str(missing), {"service_id": str(missing)})
            return render_errors(
                PAGE, error, offer=offer, values=form_values(form), consent_url=missing.consent_url
            )
        except Invalid as exc:
            offer = await rerouting.reroute_offer(request.user, referral_id)
            return render_errors(PAGE, exc, offer=offer, values=form_values(form))
        return see_other(f"/referrals/{new_id}")
