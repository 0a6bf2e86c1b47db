"""Checking what an organisation admin typed into a listing form; no database, no HTTP."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from typing import Any

from directory import schemas
from directory.listings.schemas import (
    SERVICE_STATUSES,
    CapacityForm,
    LocationForm,
    PhoneRow,
    ReferralForm,
    ServiceDetailsForm,
)
from directory.schemas import CAPACITY_STATUSES, REFERRAL_METHODS
from hub.web.numbers import decimal_number, whole_number

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Only web addresses: a `javascript:` or `data:` link on the detail page would run script.
WEB_ADDRESS = re.compile(r"^https?://[^\s<>\"']+$", re.IGNORECASE)
PHONE = re.compile(r"^[0-9 +()\-]+$")
POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)\s*([0-9][A-Z]{2})$")
MAX_PHONES = 5


def _whole_number(
    text: str, field: str, label: str, low: int, high: int, errors: dict[str, str]
) -> int | None:
    if not text.strip():
        return None
    number = whole_number(text, low, high)
    if number is None:
        errors[field] = f"{label} must be a whole number from {low} to {high}"
    return number


def _too_long(value: str, limit: int, field: str, label: str, errors: dict[str, str]) -> None:
    if len(value) > limit:
        errors[field] = f"{label} must be {limit} characters or fewer"


def check_details(form: ServiceDetailsForm) -> tuple[dict[str, Any], dict[str, str]]:
    """The listing fields this form sets, cleaned, and field -> message for each problem."""
    errors: dict[str, str] = {}
    name = form.name.strip()
    if not name:
        errors["name"] = "Enter the service's name"
    _too_long(name, 300, "name", "The name", errors)
    if not form.description.strip():
        errors["description"] = "Say what the service does"
    _too_long(form.description, 5000, "description", "What it does", errors)
    _too_long(
        form.eligibility_description, 2000, "eligibility_description", "Who it is for", errors
    )
    minimum = _whole_number(form.minimum_age, "minimum_age", "Youngest age", 0, 120, errors)
    maximum = _whole_number(form.maximum_age, "maximum_age", "Oldest age", 0, 120, errors)
    if minimum is not None and maximum is not None and minimum > maximum:
        errors["maximum_age"] = "The oldest age must be the same as or more than the youngest"
    if not form.is_free and not form.fees_description.strip():
        errors["fees_description"] = "Say what it costs, or tick that it is free"
    _too_long(form.fees_description, 1000, "fees_description", "What it costs", errors)
    url = form.url.strip()
    if url and (not WEB_ADDRESS.match(url) or len(url) > 500):
        errors["url"] = "Enter a web address starting https://, like https://example.org"
    email = form.email.strip().lower()
    if email and (not EMAIL.match(email) or len(email) > 254):
        errors["email"] = "Enter an e-mail address in the correct format, like name@example.org"
    if form.status not in SERVICE_STATUSES:
        errors["status"] = "Choose whether the service is running"
    values: dict[str, Any] = {
        "name": name,
        "description": form.description.strip(),
        "eligibility_description": form.eligibility_description.strip(),
        "minimum_age": minimum,
        "maximum_age": maximum,
        "is_free": form.is_free,
        "fees_description": form.fees_description.strip(),
        "url": url,
        "email": email,
        "status": form.status,
    }
    return values, errors


def check_referral(form: ReferralForm) -> tuple[dict[str, Any], dict[str, str]]:
    """How to refer, cleaned, and any problems."""
    errors: dict[str, str] = {}
    methods = [method for method in REFERRAL_METHODS if method in form.referral_methods]
    if not methods or len(methods) != len(set(form.referral_methods)):
        errors["referral_methods"] = "Choose at least one way to refer, from the list"
    _too_long(form.referral_instructions, 2000, "referral_instructions", "How to refer", errors)
    days = _whole_number(
        form.response_target_days, "response_target_days", "The response target", 1, 60, errors
    )
    values: dict[str, Any] = {
        "referral_methods": methods,
        "referral_instructions": form.referral_instructions.strip(),
        "response_target_days": days,
    }
    return values, errors


def check_capacity(form: CapacityForm) -> tuple[dict[str, Any], dict[str, str]]:
    """Capacity, cleaned (weeks only kept for a waiting list), and any problems."""
    errors: dict[str, str] = {}
    if form.capacity_status not in CAPACITY_STATUSES:
        errors["capacity_status"] = "Choose whether the service is taking people on"
    weeks = None
    if form.capacity_status == "waitlist":
        weeks = _whole_number(
            form.capacity_waitlist_weeks,
            "capacity_waitlist_weeks",
            "The wait",
            1,
            104,
            errors,
        )
    _too_long(form.capacity_note, 500, "capacity_note", "The note", errors)
    values: dict[str, Any] = {
        "capacity_status": form.capacity_status,
        "capacity_waitlist_weeks": weeks,
        "capacity_note": form.capacity_note.strip(),
    }
    return values, errors


def check_phones(
    rows: Sequence[PhoneRow], existing: Sequence[schemas.Phone]
) -> tuple[list[schemas.Phone], dict[str, str]]:
    """Phone numbers typed (blank rows dropped), reusing ids in order, and any problems."""
    errors: dict[str, str] = {}
    phones: list[schemas.Phone] = []
    for index, row in enumerate(rows[:MAX_PHONES]):
        number = " ".join(row.number.split())
        if not number:
            if row.description.strip():
                errors[f"phones-{index}-number"] = f"Enter the number for phone {index + 1}"
            continue
        digits = sum(char.isdigit() for char in number)
        if not PHONE.match(number) or not 6 <= digits <= 15:
            errors[f"phones-{index}-number"] = (
                f"Enter phone {index + 1} as digits, like 01382 123456"
            )
        _too_long(row.description, 200, f"phones-{index}-description", "The note", errors)
        position = len(phones)
        phones.append(
            schemas.Phone(
                id=existing[position].id if position < len(existing) else uuid.uuid4(),
                number=number,
                description=row.description.strip(),
            )
        )
    return phones, errors


def normalise_postcode(text: str) -> str | None:
    """A postcode in standard form (DD2 3AA), or None when it is not shaped like one."""
    match = POSTCODE.match(text.strip().upper())
    return f"{match.group(1)} {match.group(2)}" if match else None


def _coordinate(text: str, field: str, label: str, limit: float, errors: dict[str, str]) -> float:
    value = decimal_number(text, -limit, limit)
    if value is None:
        errors[field] = f"{label} must be a number from -{limit:g} to {limit:g}"
        return limit + 1
    return value


def check_location(form: LocationForm) -> tuple[dict[str, Any], dict[str, str]]:
    """The place's fields, cleaned (postcode in standard form), and any problems."""
    errors: dict[str, str] = {}
    if not form.address_1.strip():
        errors["address_1"] = "Enter the first line of the address"
    postcode = ""
    if form.postal_code.strip():
        postcode = normalise_postcode(form.postal_code) or ""
        if not postcode:
            errors["postal_code"] = "Enter a real postcode, like DD2 3AA"
    latitude = longitude = None
    if form.latitude.strip() or form.longitude.strip():
        latitude = _coordinate(form.latitude, "latitude", "Latitude", 90, errors)
        longitude = _coordinate(form.longitude, "longitude", "Longitude", 180, errors)
    for field, limit, label in (
        ("location_name", 300, "The name of the place"),
        ("address_1", 300, "Address line 1"),
        ("address_2", 300, "Address line 2"),
        ("city", 100, "Town or city"),
        ("transportation", 2000, "How to get there"),
        ("accessibility", 2000, "Accessibility"),
    ):
        _too_long(getattr(form, field), limit, field, label, errors)
    values: dict[str, Any] = {
        "name": form.location_name.strip(),
        "address_1": form.address_1.strip(),
        "address_2": form.address_2.strip(),
        "city": form.city.strip(),
        "postal_code": postcode,
        "latitude": latitude,
        "longitude": longitude,
        "transportation": form.transportation.strip(),
    }
    return values, errors
