"""Editing listings: each form changes its part of the record, saved through the one write path.

Every edit loads the listing, replaces only what the form changed and calls `upsert_service`,
which keeps the history, the audit trail and the search index in the same transaction. The
listing row is locked first, so two admins saving different sections at once cannot undo each
other's work.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Sequence
from typing import Any
from uuid import UUID

import msgspec

from directory import schemas
from directory.feeds.ownership import refuse_feed_fields
from directory.hours import LONDON
from directory.listings import hours_form, validation
from directory.listings.access import editable_service, may_edit, not_found
from directory.listings.schemas import (
    LANGUAGES,
    CapacityForm,
    CategoriesForm,
    ExceptionForm,
    HoursRow,
    LanguagesForm,
    ListingSummary,
    LocationForm,
    PhoneRow,
    ReferralForm,
    ServiceDetailsForm,
)
from directory.search.sync import listing_changed
from directory.store import upsert_service
from directory.tables import Postcode, Service, ServiceAtLocation, TaxonomyTerm
from directory.taxonomy import NEED_TAXONOMY_ID
from hub import clock
from hub.accounts.schemas import Principal
from hub.db import locked, transaction
from hub.errors import Invalid
from hub.tables import Organisation

Change = Callable[[schemas.ServiceRecord], schemas.ServiceRecord]


def _raise_if(errors: dict[str, str]) -> None:
    if errors:
        raise Invalid(next(iter(errors.values())), errors)


def today() -> Any:
    """Today's date where the hub is."""
    return clock.now().astimezone(LONDON).date()


def same_items(old: Sequence[msgspec.Struct], new: Sequence[msgspec.Struct]) -> bool:
    """True when two lists hold the same things, ignoring ids and order."""

    def content(items: Sequence[msgspec.Struct]) -> list[str]:
        return sorted(
            json.dumps(
                {k: v for k, v in msgspec.to_builtins(item).items() if k != "id"}, sort_keys=True
            )
            for item in items
        )

    return content(old) == content(new)


async def _lock(service_id: UUID) -> None:
    """Hold the listing's row until the transaction ends (SQLite's write lock already does)."""
    await locked(Service.select(Service.id).where(Service.id == service_id))


async def _edit(
    principal: Principal, service_id: UUID, change: Change, summary: str
) -> schemas.ServiceRecord:
    """Load, change and save one listing in one transaction; nothing is saved if `change` raises."""
    async with transaction():
        await _lock(service_id)
        record = await editable_service(principal, service_id)
        updated = change(record)
        if updated != record:
            await refuse_feed_fields(record, updated)
            await upsert_service(
                updated, actor=principal.actor, changed_by=principal.id, summary=summary
            )
    return updated


async def organisation_listings(
    principal: Principal, organisation_id: UUID
) -> list[ListingSummary]:
    """An organisation's services with stale ones flagged, for someone who may edit them."""
    if not may_edit(principal, organisation_id):
        raise not_found()
    rows = (
        await Service.select(
            Service.id,
            Service.name,
            Service.organisation.name.as_alias("organisation_name"),
            Service.status,
            Service.verified_at,
            Service.updated_at,
        )
        .where(Service.organisation == organisation_id)
        .order_by(Service.name)
    )
    now = clock.now()
    return [
        ListingSummary(
            **row,
            stale=row["verified_at"] is None or now - row["verified_at"] > schemas.STALE_AFTER,
        )
        for row in rows
    ]


async def need_terms() -> list[schemas.Term]:
    """The need categories an admin may choose from, in their shipped order."""
    rows = (
        await TaxonomyTerm.select(
            TaxonomyTerm.id,
            TaxonomyTerm.code,
            TaxonomyTerm.name,
            TaxonomyTerm.taxonomy.as_alias("taxonomy_id"),
        )
        .where(TaxonomyTerm.taxonomy == NEED_TAXONOMY_ID)
        .order_by(TaxonomyTerm.position)
        .order_by(TaxonomyTerm.name)
    )
    return msgspec.convert(rows, list[schemas.Term])


async def create_service(
    principal: Principal, organisation_id: UUID, form: ServiceDetailsForm
) -> UUID:
    """Add a listing to an organisation the principal may edit; it counts as checked today."""
    if not may_edit(principal, organisation_id):
        raise not_found()
    values, errors = validation.check_details(form)
    _raise_if(errors)
    organisation = (
        await Organisation.select(Organisation.name)
        .where(Organisation.id == organisation_id)
        .first()
    )
    if organisation is None:
        raise not_found()
    now = clock.now()
    record = schemas.ServiceRecord(
        id=uuid.uuid4(),
        organisation_id=organisation_id,
        organisation_name=organisation["name"],
        capacity_updated_at=now,
        verified_at=now,
        assured_date=today(),
        **values,
    )
    async with transaction():
        await upsert_service(
            record, actor=principal.actor, changed_by=principal.id, summary="Listing created"
        )
        await Service.update({Service.verified_by: principal.id}).where(Service.id == record.id)
    return record.id


async def update_details(
    principal: Principal, service_id: UUID, form: ServiceDetailsForm
) -> schemas.ServiceRecord:
    """Name, description, who it is for, ages, costs, web address, e-mail and status."""
    values, errors = validation.check_details(form)
    _raise_if(errors)
    return await _edit(
        principal,
        service_id,
        lambda record: msgspec.structs.replace(record, **values),
        "Details changed",
    )


async def update_referral(
    principal: Principal, service_id: UUID, form: ReferralForm
) -> schemas.ServiceRecord:
    """How to refer and the response target."""
    values, errors = validation.check_referral(form)
    _raise_if(errors)
    return await _edit(
        principal,
        service_id,
        lambda record: msgspec.structs.replace(record, **values),
        "How to refer changed",
    )


async def update_capacity(
    principal: Principal, service_id: UUID, form: CapacityForm
) -> schemas.ServiceRecord:
    """Capacity; its "last updated" moves only when something about capacity changed."""
    values, errors = validation.check_capacity(form)
    _raise_if(errors)

    def change(record: schemas.ServiceRecord) -> schemas.ServiceRecord:
        updated = msgspec.structs.replace(record, **values)
        if updated == record:
            return record
        return msgspec.structs.replace(updated, capacity_updated_at=clock.now())

    return await _edit(principal, service_id, change, "Capacity changed")


async def update_categories(
    principal: Principal, service_id: UUID, form: CategoriesForm
) -> schemas.ServiceRecord:
    """The needs it helps with; terms from other taxonomies (imported feeds) are kept."""
    terms = {term.code: term for term in await need_terms()}
    chosen = [code for code in dict.fromkeys(form.categories) if code in terms]
    if not chosen or len(chosen) != len(set(form.categories)):
        _raise_if({"categories": "Choose at least one need the service helps with, from the list"})

    def change(record: schemas.ServiceRecord) -> schemas.ServiceRecord:
        others = [term for term in record.terms if term.taxonomy_id != NEED_TAXONOMY_ID]
        new_terms = sorted([*others, *(terms[code] for code in chosen)], key=lambda t: t.name)
        if {t.id for t in record.terms} == {t.id for t in new_terms}:
            return record
        return msgspec.structs.replace(record, terms=new_terms)

    return await _edit(principal, service_id, change, "Needs changed")


async def update_languages(
    principal: Principal, service_id: UUID, form: LanguagesForm
) -> schemas.ServiceRecord:
    """Languages offered; codes not on our list (from an imported feed) are kept."""
    unknown = set(form.languages) - set(LANGUAGES)
    _raise_if({"languages": "Choose languages from the list"} if unknown else {})

    def change(record: schemas.ServiceRecord) -> schemas.ServiceRecord:
        kept = [lang for lang in record.languages if lang.code not in LANGUAGES]
        by_code = {lang.code: lang for lang in record.languages}
        chosen = [
            by_code.get(code) or schemas.Language(id=uuid.uuid4(), code=code, name=name)
            for code, name in LANGUAGES.items()
            if code in form.languages
        ]
        new = [*kept, *chosen]
        return (
            record
            if same_items(record.languages, new)
            else msgspec.structs.replace(record, languages=new)
        )

    return await _edit(principal, service_id, change, "Languages changed")


async def update_phones(
    principal: Principal, service_id: UUID, rows: Sequence[PhoneRow]
) -> schemas.ServiceRecord:
    """The service's own phone numbers."""

    def change(record: schemas.ServiceRecord) -> schemas.ServiceRecord:
        phones, errors = validation.check_phones(rows, record.phones)
        _raise_if(errors)
        if same_items(record.phones, phones):
            return record
        return msgspec.structs.replace(record, phones=phones)

    return await _edit(principal, service_id, change, "Phone numbers changed")


async def other_services_at(record: schemas.ServiceRecord) -> int:
    """How many other listings share this listing's main place (edits change theirs too)."""
    if not record.locations:
        return 0
    return int(
        await ServiceAtLocation.count().where(
            (ServiceAtLocation.location == record.locations[0].id)
            & (ServiceAtLocation.service != record.id)
        )
    )


async def update_location(
    principal: Principal, service_id: UUID, form: LocationForm
) -> schemas.ServiceRecord:
    """The main place: address, point (from the postcode when not given), access, directions."""
    values, errors = validation.check_location(form)
    _raise_if(errors)
    if values["latitude"] is None and values["postal_code"]:
        point = (
            await Postcode.select(Postcode.latitude, Postcode.longitude)
            .where(Postcode.postcode == str(values["postal_code"]).replace(" ", ""))
            .first()
        )
        if point is not None:
            values["latitude"], values["longitude"] = point["latitude"], point["longitude"]
    accessibility = form.accessibility.strip()

    def change(record: schemas.ServiceRecord) -> schemas.ServiceRecord:
        current = record.locations[0] if record.locations else None
        if current is None or current.organisation_id != record.organisation_id:
            # Never edit a place another organisation owns: this listing gets its own.
            current = schemas.Location(id=uuid.uuid4(), organisation_id=record.organisation_id)
        access = list(current.accessibility)
        if access:
            access[0] = msgspec.structs.replace(access[0], description=accessibility)
        elif accessibility:
            access = [schemas.Accessibility(id=uuid.uuid4(), description=accessibility)]
        place = msgspec.structs.replace(current, accessibility=access, **values)
        return msgspec.structs.replace(record, locations=[place, *record.locations[1:]])

    async with transaction():
        record = await _edit(principal, service_id, change, "Place changed")
        # Other listings at a shared place now have a new address or point: re-index them too.
        sharing = await ServiceAtLocation.select(ServiceAtLocation.service).where(
            (ServiceAtLocation.location == record.locations[0].id)
            & (ServiceAtLocation.service != service_id)
        )
        await listing_changed([row["service"] for row in sharing])
    return record


async def update_hours(
    principal: Principal, service_id: UUID, rows: Sequence[HoursRow]
) -> schemas.ServiceRecord:
    """Weekly and monthly opening hours (the service's own, replacing any it had)."""

    def change(record: schemas.ServiceRecord) -> schemas.ServiceRecord:
        schedules, errors = hours_form.schedules_from_rows(rows, record.schedules)
        _raise_if(errors)
        if not schedules and not record.schedules:
            _raise_if({"rows-0-opens-1": "Enter at least one opening time"})
        if same_items(record.schedules, schedules):
            return record
        return msgspec.structs.replace(record, schedules=schedules)

    return await _edit(principal, service_id, change, "Opening hours changed")


async def add_exception(
    principal: Principal, service_id: UUID, form: ExceptionForm
) -> schemas.ServiceRecord:
    """A date it is closed, or open at other times (bank holidays, one-off late openings)."""

    def change(record: schemas.ServiceRecord) -> schemas.ServiceRecord:
        exception, errors = hours_form.exception_from_form(form, today(), record.exceptions)
        _raise_if(errors)
        assert exception is not None
        exceptions = sorted([*record.exceptions, exception], key=lambda e: e.on_date)
        return msgspec.structs.replace(record, exceptions=exceptions)

    return await _edit(principal, service_id, change, "Change to opening hours on a date added")


async def remove_exception(
    principal: Principal, service_id: UUID, exception_id: UUID
) -> schemas.ServiceRecord:
    """Take a dated exception off the listing."""

    def change(record: schemas.ServiceRecord) -> schemas.ServiceRecord:
        kept = [item for item in record.exceptions if item.id != exception_id]
        if len(kept) == len(record.exceptions):
            raise not_found()
        return msgspec.structs.replace(record, exceptions=kept)

    return await _edit(principal, service_id, change, "Change to opening hours on a date removed")


async def mark_checked(principal: Principal, service_id: UUID) -> schemas.ServiceRecord:
    """Record that the listing was checked today, by this person; its staleness alert resets."""
    now = clock.now()
    async with transaction():
        record = await _edit(
            principal,
            service_id,
            lambda record: msgspec.structs.replace(
                record, verified_at=now, assured_date=today(), verified_by_name=principal.name
            ),
            "Marked as checked",
        )
        await Service.update(
            {Service.verified_by: principal.id, Service.staleness_notified_at: None}
        ).where(Service.id == service_id)
    return record
