"""What each listing form shows before anything is typed: the listing's current values."""

from __future__ import annotations

from typing import Any

from directory import schemas
from directory.listings import hours_form
from directory.listings.formdata import typed_values
from directory.listings.schemas import HoursForm, HoursRow, PhoneRow, PhonesForm
from directory.listings.validation import MAX_PHONES
from directory.taxonomy import NEED_TAXONOMY_ID


def _number(value: int | None) -> str:
    return "" if value is None else str(value)


def details(record: schemas.ServiceRecord) -> dict[str, Any]:
    """The details form."""
    return {
        "name": record.name,
        "description": record.description,
        "eligibility_description": record.eligibility_description,
        "minimum_age": _number(record.minimum_age),
        "maximum_age": _number(record.maximum_age),
        "is_free": record.is_free,
        "fees_description": record.fees_description,
        "url": record.url,
        "email": record.email,
        "status": record.status,
    }


def referral(record: schemas.ServiceRecord) -> dict[str, Any]:
    """The how-to-refer form."""
    return {
        "referral_methods": list(record.referral_methods),
        "referral_instructions": record.referral_instructions,
        "response_target_days": _number(record.response_target_days),
    }


def capacity(record: schemas.ServiceRecord) -> dict[str, Any]:
    """The capacity form."""
    return {
        "capacity_status": record.capacity_status,
        "capacity_waitlist_weeks": _number(record.capacity_waitlist_weeks),
        "capacity_note": record.capacity_note,
    }


def categories(record: schemas.ServiceRecord) -> dict[str, Any]:
    """The needs form."""
    return {
        "categories": [t.code for t in record.terms if t.taxonomy_id == NEED_TAXONOMY_ID],
    }


def languages(record: schemas.ServiceRecord) -> dict[str, Any]:
    """The languages form."""
    return {"languages": [language.code for language in record.languages]}


def phones(record: schemas.ServiceRecord) -> tuple[PhonesForm, dict[str, Any]]:
    """The phones form: each number, then a blank row for another."""
    rows = [PhoneRow(number=p.number, description=p.description) for p in record.phones]
    if len(rows) < MAX_PHONES:
        rows.append(PhoneRow())
    form = PhonesForm(phones=rows)
    return form, typed_values(form)


def location(record: schemas.ServiceRecord) -> dict[str, Any]:
    """The place form, from the listing's main place."""
    if not record.locations:
        return {}
    place = record.locations[0]
    return {
        "location_name": place.name,
        "address_1": place.address_1,
        "address_2": place.address_2,
        "city": place.city,
        "postal_code": place.postal_code,
        "latitude": "" if place.latitude is None else str(place.latitude),
        "longitude": "" if place.longitude is None else str(place.longitude),
        "transportation": place.transportation,
        "accessibility": place.accessibility[0].description if place.accessibility else "",
    }


def hours(record: schemas.ServiceRecord) -> HoursForm:
    """The hours form: the service's own rules, else its place's, else an empty week."""
    schedules = record.schedules or [s for loc in record.locations for s in loc.schedules]
    rows = hours_form.rows_from_schedules(schedules) if schedules else hours_form.blank_week()
    if schedules:
        rows.append(HoursRow())
    return HoursForm(rows=rows)


def dated_hours(record: schemas.ServiceRecord) -> bool:
    """True when some current rule only applies between dates (the form cannot show that)."""
    return any(s.valid_from or s.valid_to for s in record.schedules)
