"""Staff pages for consent: record it, print the receipt, change it, record a withdrawal."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from consent import consents, record, validation
from consent.controllers.common import AnyRequest, render, render_errors, submitted, values_of
from consent.schemas import ConsentForm, ConsentView, StaffWithdrawal
from consent.vocabulary import CATEGORIES, CURRENT_NOTICE, local_date
from hub import clock
from hub.accounts.guards import requires_staff
from hub.errors import Invalid
from hub.web.forms import read_form
from hub.web.responses import see_other

LISTS = ("organisation_ids", "categories", "purposes")


def _blank_form() -> ConsentForm:
    start, end = validation.default_period(local_date(clock.now()))
    return ConsentForm(
        valid_from=start, valid_to=end, notice_version=CURRENT_NOTICE, given_by="client"
    )


def _form_from(consent: ConsentView) -> ConsentForm:
    today = local_date(clock.now())
    return ConsentForm(
        organisation_ids=[str(org) for org in consent.organisation_ids],
        categories=list(consent.categories),
        purposes=list(consent.purposes),
        valid_from=max(today, consent.valid_from),
        valid_to=max(consent.valid_to, today),
        notice_version=CURRENT_NOTICE,
    )


class StaffConsentController(Controller):
    """Consent pages for workers of an organisation that may act for the client."""

    guards = [requires_staff]

    async def _form_page(
        self, request: AnyRequest, client_id: UUID, values: dict[str, Any], **context: Any
    ) -> dict[str, Any]:
        _, identity = await record.identity_for(request.user, client_id, act=True)
        return {
            "identity": identity,
            "client_id": client_id,
            "organisations": await validation.organisation_choices(),
            "values": values,
            **context,
        }

    @get("/clients/{client_id:uuid}/consents/new", name="consents.new")
    async def new_consent(
        self,
        request: AnyRequest,
        client_id: FromPath[UUID],
        organisation: FromQuery[str] = "",
        category: FromQuery[list[str] | None] = None,
    ) -> Template:
        """The record-consent form, with today and twelve months filled in; `organisation` and
        each `category` (from a referral that needs consent) come ticked."""
        form = _blank_form()
        form.organisation_ids = [organisation.strip()] if organisation.strip() else []
        form.categories = [code for code in CATEGORIES if code in (category or [])]
        context = await self._form_page(request, client_id, values_of(form))
        return render("consent/consent_form.html", replacing=None, **context)

    @post("/clients/{client_id:uuid}/consents/new", name="consents.create")
    async def create_consent(self, request: AnyRequest, client_id: FromPath[UUID]) -> Response[Any]:
        """Record the consent and go to its receipt."""
        try:
            form = await read_form(request, ConsentForm)
            consent_id = await consents.give_consent(request.user, client_id, form)
        except Invalid as exc:
            values = await submitted(request, LISTS)
            context = await self._form_page(request, client_id, values)
            return render_errors("consent/consent_form.html", exc, replacing=None, **context)
        return see_other(f"/consents/{consent_id}/receipt")

    @get("/consents/{consent_id:uuid}/receipt", name="consents.receipt")
    async def receipt(self, request: AnyRequest, consent_id: FromPath[UUID]) -> Template:
        """The print-friendly receipt for the client."""
        receipt = await consents.staff_receipt(request.user, consent_id)
        return render("consent/receipt.html", receipt=receipt, portal=False)

    @get("/consents/{consent_id:uuid}/change", name="consents.change")
    async def change_form(self, request: AnyRequest, consent_id: FromPath[UUID]) -> Template:
        """The consent form filled in from the current version."""
        consent = await consents.consent_for_change(request.user, consent_id)
        context = await self._form_page(
            request, consent.client_id, values_of(_form_from(consent)), replacing=consent
        )
        return render("consent/consent_form.html", **context)

    @post("/consents/{consent_id:uuid}/change", name="consents.change_submit")
    async def change(self, request: AnyRequest, consent_id: FromPath[UUID]) -> Response[Any]:
        """A new version; the old one is withdrawn in the same step."""
        consent = await consents.consent_for_change(request.user, consent_id)
        try:
            form = await read_form(request, ConsentForm)
            new_id = await consents.change_consent(request.user, consent_id, form)
        except Invalid as exc:
            values = await submitted(request, LISTS)
            context = await self._form_page(request, consent.client_id, values, replacing=consent)
            return render_errors("consent/consent_form.html", exc, **context)
        return see_other(f"/consents/{new_id}/receipt")

    @get("/consents/{consent_id:uuid}/withdraw", name="consents.withdraw")
    async def withdraw_form(self, request: AnyRequest, consent_id: FromPath[UUID]) -> Template:
        """Confirm that the client withdrew this consent."""
        consent = await consents.consent_for_withdrawal(request.user, consent_id)
        return render(
            "consent/withdraw.html", consent=consent, values={}, ways=consents.WITHDRAWAL_WAYS
        )

    @post("/consents/{consent_id:uuid}/withdraw", name="consents.withdraw_submit")
    async def withdraw(self, request: AnyRequest, consent_id: FromPath[UUID]) -> Response[Any]:
        """It stops now: the next request anyone makes no longer sees what it shared."""
        form = await read_form(request, StaffWithdrawal)
        try:
            client_id = await consents.withdraw_by_staff(request.user, consent_id, form)
        except Invalid as exc:
            consent = await consents.consent_for_withdrawal(request.user, consent_id)
            return render_errors(
                "consent/withdraw.html",
                exc,
                consent=consent,
                values=values_of(form),
                ways=consents.WITHDRAWAL_WAYS,
            )
        # The worker may have seen the client only through this consent: go to the list.
        return see_other(f"/clients?withdrawn={client_id}")
