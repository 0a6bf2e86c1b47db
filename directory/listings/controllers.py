"""Organisation admins keep their listings true: list, add, check, and change each part.

Every page under /directory/listings/{id} loads the listing through `editable_service`, so
another organisation's id gets exactly the 404 a made-up id gets, for GET and POST alike.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Response, Template

from directory.feeds.ownership import feed_of
from directory.hours import describe_rules, describe_status
from directory.listings import prefill, services
from directory.listings.access import editable_service, may_edit, not_found
from directory.listings.formdata import read_listing_form, typed_values
from directory.listings.presentation import (
    ages_text,
    checked_words,
    describe_exception,
    moment_text,
    upcoming_exceptions,
)
from directory.listings.schemas import (
    LANGUAGES,
    SERVICE_STATUSES,
    CapacityForm,
    CategoriesForm,
    LanguagesForm,
    ReferralForm,
    ServiceDetailsForm,
)
from directory.listings.staleness import stale_count
from directory.schemas import CAPACITY_STATUSES, REFERRAL_METHODS
from hub import clock
from hub.accounts import roles
from hub.accounts.guards import requires_org_admin
from hub.accounts.staff import list_organisations
from hub.errors import Invalid
from hub.web.responses import form_error_page, page, see_other

AnyRequest = Request[Any, Any, Any]


def _organisation_choice(request: AnyRequest) -> UUID:
    """The organisation asked for (system admins pick one), else the admin's own."""
    asked = request.query_params.get("organisation", "")
    if asked:
        try:
            return UUID(asked)
        except ValueError:
            raise not_found() from None
    return request.user.organisation_id


async def section_page(
    template: str, record: Any, values: dict[str, Any], error: Invalid | None = None, **extra: Any
) -> Template:
    """A listing section's form, fresh or with the errors and what was typed."""
    context = {"record": record, "values": values, **extra}
    if error is not None:
        return form_error_page(template, error, **context)
    return page(template, **context)


class ListingController(Controller):
    """An organisation's listings and the forms for what a listing says."""

    path = "/directory/listings"
    guards = [requires_org_admin]

    @get("/", name="listings.list")
    async def list_listings(self, request: AnyRequest) -> Template:
        """The organisation's listings, those not checked for six months flagged."""
        organisation_id = _organisation_choice(request)
        listings = await services.organisation_listings(request.user, organisation_id)
        organisations = await list_organisations() if roles.is_system_admin(request.user) else []
        return page(
            "directory/listing_list.html",
            listings=listings,
            stale=[listing for listing in listings if listing.stale],
            organisation_id=organisation_id,
            organisations=organisations,
            moment_text=moment_text,
        )

    @get("/attention", name="listings.attention")
    async def attention(self, request: AnyRequest) -> Template:
        """The home-page panel: how many of the organisation's listings need checking."""
        return page(
            "directory/listing_home_panel.html", stale_count=await stale_count(request.user)
        )

    @get("/new", name="listings.new")
    async def new_listing(self, request: AnyRequest) -> Template:
        """The add-a-service form."""
        organisation_id = _organisation_choice(request)
        if not may_edit(request.user, organisation_id):
            raise not_found()
        return page(
            "directory/listing_details_form.html",
            record=None,
            values={"status": "active", "is_free": True},
            statuses=SERVICE_STATUSES,
            organisation_id=organisation_id,
        )

    @post("/new", name="listings.create")
    async def create_listing(self, request: AnyRequest) -> Response[Any]:
        """Add the service, then show it with the rest to fill in."""
        organisation_id = _organisation_choice(request)
        form = await read_listing_form(request, ServiceDetailsForm)
        try:
            service_id = await services.create_service(request.user, organisation_id, form)
        except Invalid as exc:
            return await section_page(
                "directory/listing_details_form.html",
                None,
                typed_values(form),
                exc,
                statuses=SERVICE_STATUSES,
                organisation_id=organisation_id,
            )
        return see_other(f"/directory/listings/{service_id}?saved=created")

    @get("/{service_id:uuid}", name="listings.summary")
    async def summary(self, request: AnyRequest, service_id: FromPath[UUID]) -> Template:
        """The whole listing, part by part, each with a Change link; and Mark as checked."""
        record = await editable_service(request.user, service_id)
        now = clock.now()
        hours = record.hours()
        today = services.today()
        return page(
            "directory/listing_summary.html",
            record=record,
            stale=record.is_stale(now),
            checked_text=checked_words(record, record.is_stale(now)),
            ages=ages_text(record),
            status_text=SERVICE_STATUSES.get(record.status, record.status),
            open_status=describe_status(hours, now),
            hours_lines=describe_rules(hours.rules),
            exceptions=[describe_exception(e) for e in upcoming_exceptions(record, today)],
            moment_text=moment_text,
            feed=await feed_of(service_id),
            saved=request.query_params.get("saved", ""),
        )

    @post("/{service_id:uuid}/verify", name="listings.verify")
    async def verify(self, request: AnyRequest, service_id: FromPath[UUID]) -> Response[Any]:
        """Mark the listing as checked today by this admin."""
        await services.mark_checked(request.user, service_id)
        return see_other(f"/directory/listings/{service_id}?saved=checked")

    @get("/{service_id:uuid}/details", name="listings.details")
    async def details(self, request: AnyRequest, service_id: FromPath[UUID]) -> Template:
        """The details form."""
        record = await editable_service(request.user, service_id)
        return await section_page(
            "directory/listing_details_form.html",
            record,
            prefill.details(record),
            statuses=SERVICE_STATUSES,
        )

    @post("/{service_id:uuid}/details", name="listings.details_save")
    async def save_details(self, request: AnyRequest, service_id: FromPath[UUID]) -> Response[Any]:
        """Save the details."""
        form = await read_listing_form(request, ServiceDetailsForm)
        try:
            await services.update_details(request.user, service_id, form)
        except Invalid as exc:
            record = await editable_service(request.user, service_id)
            return await section_page(
                "directory/listing_details_form.html",
                record,
                typed_values(form),
                exc,
                statuses=SERVICE_STATUSES,
            )
        return see_other(f"/directory/listings/{service_id}?saved=details")

    @get("/{service_id:uuid}/referral", name="listings.referral")
    async def referral(self, request: AnyRequest, service_id: FromPath[UUID]) -> Template:
        """The how-to-refer form."""
        record = await editable_service(request.user, service_id)
        return await section_page(
            "directory/listing_referral_form.html",
            record,
            prefill.referral(record),
            methods=REFERRAL_METHODS,
        )

    @post("/{service_id:uuid}/referral", name="listings.referral_save")
    async def save_referral(self, request: AnyRequest, service_id: FromPath[UUID]) -> Response[Any]:
        """Save how to refer."""
        form = await read_listing_form(request, ReferralForm)
        try:
            await services.update_referral(request.user, service_id, form)
        except Invalid as exc:
            record = await editable_service(request.user, service_id)
            return await section_page(
                "directory/listing_referral_form.html",
                record,
                typed_values(form),
                exc,
                methods=REFERRAL_METHODS,
            )
        return see_other(f"/directory/listings/{service_id}?saved=referral")

    @get("/{service_id:uuid}/capacity", name="listings.capacity")
    async def capacity(self, request: AnyRequest, service_id: FromPath[UUID]) -> Template:
        """The capacity form."""
        record = await editable_service(request.user, service_id)
        return await section_page(
            "directory/listing_capacity_form.html",
            record,
            prefill.capacity(record),
            statuses=CAPACITY_STATUSES,
        )

    @post("/{service_id:uuid}/capacity", name="listings.capacity_save")
    async def save_capacity(self, request: AnyRequest, service_id: FromPath[UUID]) -> Response[Any]:
        """Save capacity."""
        form = await read_listing_form(request, CapacityForm)
        try:
            await services.update_capacity(request.user, service_id, form)
        except Invalid as exc:
            record = await editable_service(request.user, service_id)
            return await section_page(
                "directory/listing_capacity_form.html",
                record,
                typed_values(form),
                exc,
                statuses=CAPACITY_STATUSES,
            )
        return see_other(f"/directory/listings/{service_id}?saved=capacity")

    @get("/{service_id:uuid}/categories", name="listings.categories")
    async def categories(self, request: AnyRequest, service_id: FromPath[UUID]) -> Template:
        """The needs form."""
        record = await editable_service(request.user, service_id)
        return await section_page(
            "directory/listing_categories_form.html",
            record,
            prefill.categories(record),
            terms=await services.need_terms(),
        )

    @post("/{service_id:uuid}/categories", name="listings.categories_save")
    async def save_categories(
        self, request: AnyRequest, service_id: FromPath[UUID]
    ) -> Response[Any]:
        """Save the needs."""
        form = await read_listing_form(request, CategoriesForm)
        try:
            await services.update_categories(request.user, service_id, form)
        except Invalid as exc:
            record = await editable_service(request.user, service_id)
            return await section_page(
                "directory/listing_categories_form.html",
                record,
                typed_values(form),
                exc,
                terms=await services.need_terms(),
            )
        return see_other(f"/directory/listings/{service_id}?saved=categories")

    @get("/{service_id:uuid}/languages", name="listings.languages")
    async def languages(self, request: AnyRequest, service_id: FromPath[UUID]) -> Template:
        """The languages form."""
        record = await editable_service(request.user, service_id)
        return await section_page(
            "directory/listing_languages_form.html",
            record,
            prefill.languages(record),
            languages=LANGUAGES,
        )

    @post("/{service_id:uuid}/languages", name="listings.languages_save")
    async def save_languages(
        self, request: AnyRequest, service_id: FromPath[UUID]
    ) -> Response[Any]:
        """Save the languages."""
        form = await read_listing_form(request, LanguagesForm)
        try:
            await services.update_languages(request.user, service_id, form)
        except Invalid as exc:
            record = await editable_service(request.user, service_id)
            return await section_page(
                "directory/listing_languages_form.html",
                record,
                typed_values(form),
                exc,
                languages=LANGUAGES,
            )
        return see_other(f"/directory/listings/{service_id}?saved=languages")
