"""Organisation admins change where and when a listed service runs: phones, place, hours, dates."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Response, Template

from directory import schemas
from directory.hours import DAY_CODES, DAY_NAMES
from directory.listings import hours_form, prefill, services
from directory.listings.access import editable_service
from directory.listings.controllers import section_page
from directory.listings.formdata import read_listing_form, typed_values
from directory.listings.presentation import describe_exception
from directory.listings.schemas import ExceptionForm, HoursForm, HoursRow, LocationForm, PhonesForm
from hub.accounts.guards import requires_org_admin
from hub.errors import Invalid
from hub.web.forms import form_values, read_form
from hub.web.numbers import whole_number
from hub.web.responses import see_other

AnyRequest = Request[Any, Any, Any]
DAYS = dict(zip(DAY_CODES, DAY_NAMES, strict=True))


def _hours_context(record: schemas.ServiceRecord, form: HoursForm) -> dict[str, Any]:
    return {
        "rows": form.rows,
        "days": DAYS,
        "weeks": hours_form.WEEK_CHOICES,
        "max_rows": hours_form.MAX_ROWS,
        "overnight": hours_form.overnight_rows(form.rows),
        "dated_hours": prefill.dated_hours(record),
        "from_place": not record.schedules and any(loc.schedules for loc in record.locations),
    }


def _rows_after(form: HoursForm) -> list[HoursRow] | None:
    """The rows an add-row or remove-row button asks for; None when the form is being saved."""
    if form.action == "add-row":
        return [*form.rows, HoursRow()][: hours_form.MAX_ROWS]
    if form.action.startswith("remove-"):
        index = whole_number(form.action.removeprefix("remove-"), 0, hours_form.MAX_ROWS)
        if index is not None:
            return [row for number, row in enumerate(form.rows) if number != index]
    return None


class ListingPlaceController(Controller):
    """Phones, the main place, weekly and monthly hours, and dated exceptions."""

    path = "/directory/listings"
    guards = [requires_org_admin]

    @get("/{service_id:uuid}/phones", name="listings.phones")
    async def phones(self, request: AnyRequest, service_id: FromPath[UUID]) -> Template:
        """The phone numbers form."""
        record = await editable_service(request.user, service_id)
        form, values = prefill.phones(record)
        return await section_page(
            "directory/listing_phones_form.html", record, values, rows=form.phones
        )

    @post("/{service_id:uuid}/phones", name="listings.phones_save")
    async def save_phones(self, request: AnyRequest, service_id: FromPath[UUID]) -> Response[Any]:
        """Save the phone numbers."""
        form = await read_listing_form(request, PhonesForm)
        try:
            await services.update_phones(request.user, service_id, form.phones)
        except Invalid as exc:
            record = await editable_service(request.user, service_id)
            return await section_page(
                "directory/listing_phones_form.html",
                record,
                typed_values(form),
                exc,
                rows=form.phones,
            )
        return see_other(f"/directory/listings/{service_id}?saved=phones")

    @get("/{service_id:uuid}/location", name="listings.location")
    async def location(self, request: AnyRequest, service_id: FromPath[UUID]) -> Template:
        """The place form."""
        record = await editable_service(request.user, service_id)
        return await section_page(
            "directory/listing_location_form.html",
            record,
            prefill.location(record),
            shared_with=await services.other_services_at(record),
        )

    @post("/{service_id:uuid}/location", name="listings.location_save")
    async def save_location(self, request: AnyRequest, service_id: FromPath[UUID]) -> Response[Any]:
        """Save the place."""
        form = await read_listing_form(request, LocationForm)
        try:
            await services.update_location(request.user, service_id, form)
        except Invalid as exc:
            record = await editable_service(request.user, service_id)
            return await section_page(
                "directory/listing_location_form.html",
                record,
                typed_values(form),
                exc,
                shared_with=await services.other_services_at(record),
            )
        return see_other(f"/directory/listings/{service_id}?saved=location")

    @get("/{service_id:uuid}/hours", name="listings.hours")
    async def hours(self, request: AnyRequest, service_id: FromPath[UUID]) -> Template:
        """The opening hours form."""
        record = await editable_service(request.user, service_id)
        form = prefill.hours(record)
        return await section_page(
            "directory/listing_hours_form.html",
            record,
            typed_values(form),
            **_hours_context(record, form),
        )

    @post("/{service_id:uuid}/hours", name="listings.hours_save")
    async def save_hours(self, request: AnyRequest, service_id: FromPath[UUID]) -> Response[Any]:
        """Save the hours; or add or remove a row and show the form again, saving nothing."""
        form = await read_listing_form(request, HoursForm)
        rows = _rows_after(form)
        if rows is not None:
            record = await editable_service(request.user, service_id)
            form = HoursForm(rows=rows)
            return await section_page(
                "directory/listing_hours_form.html",
                record,
                typed_values(form),
                **_hours_context(record, form),
            )
        try:
            await services.update_hours(request.user, service_id, form.rows)
        except Invalid as exc:
            record = await editable_service(request.user, service_id)
            return await section_page(
                "directory/listing_hours_form.html",
                record,
                typed_values(form),
                exc,
                **_hours_context(record, form),
            )
        return see_other(f"/directory/listings/{service_id}?saved=hours")

    @get("/{service_id:uuid}/exceptions", name="listings.exceptions")
    async def exceptions(self, request: AnyRequest, service_id: FromPath[UUID]) -> Template:
        """Dates the usual hours do not hold, and the form to add one."""
        record = await editable_service(request.user, service_id)
        return await section_page(
            "directory/listing_exceptions.html",
            record,
            {"kind": "closed"},
            current=_current_exceptions(record),
        )

    @post("/{service_id:uuid}/exceptions", name="listings.exceptions_add")
    async def add_exception(self, request: AnyRequest, service_id: FromPath[UUID]) -> Response[Any]:
        """Add a dated exception."""
        form = await read_form(request, ExceptionForm)
        try:
            await services.add_exception(request.user, service_id, form)
        except Invalid as exc:
            record = await editable_service(request.user, service_id)
            return await section_page(
                "directory/listing_exceptions.html",
                record,
                form_values(form),
                exc,
                current=_current_exceptions(record),
            )
        return see_other(f"/directory/listings/{service_id}/exceptions")

    @post(
        "/{service_id:uuid}/exceptions/{exception_id:uuid}/remove",
        name="listings.exceptions_remove",
    )
    async def remove_exception(
        self, request: AnyRequest, service_id: FromPath[UUID], exception_id: FromPath[UUID]
    ) -> Response[Any]:
        """Take a dated exception off."""
        await services.remove_exception(request.user, service_id, exception_id)
        return see_other(f"/directory/listings/{service_id}/exceptions")


def _current_exceptions(record: schemas.ServiceRecord) -> list[tuple[UUID, str]]:
    """The listing's own dated exceptions from today, with words, for the remove buttons."""
    today = services.today()
    return [
        (item.id, describe_exception(item))
        for item in sorted(record.exceptions, key=lambda e: e.on_date)
        if item.on_date >= today
    ]
