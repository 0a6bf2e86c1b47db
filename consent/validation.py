"""Checking a staff member's consent form, and the choices it offers."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any
from uuid import UUID

import msgspec

from consent.rows import OrganisationNameRow
from consent.schemas import ConsentForm
from consent.vocabulary import AUTHORITIES, CATEGORIES, METHODS, NOTICE_VERSIONS, PURPOSES
from hub.errors import Invalid
from hub.tables import Organisation

STAFF_CAPACITY = ("has_capacity", "lacks_capacity")
GIVERS = {"client": "The client", "representative": "Someone with authority on their behalf"}
LONGEST = timedelta(days=3 * 366)


def default_period(today: date) -> tuple[date, date]:
    """From today for twelve months: the last day is the day before the same date next year."""
    try:
        next_year = today.replace(year=today.year + 1)
    except ValueError:  # 29 February
        next_year = today.replace(year=today.year + 1, day=28) + timedelta(days=1)
    return today, next_year - timedelta(days=1)


async def organisation_choices() -> list[tuple[UUID, str]]:
    """Every organisation in the network, by name (a consent names them one by one)."""
    rows = msgspec.convert(
        await Organisation.select(Organisation.id, Organisation.name).order_by(Organisation.name),
        list[OrganisationNameRow],
    )
    return [(row.id, row.name) for row in rows]


def _add(errors: dict[str, str], field: str, message: str) -> None:
    errors.setdefault(field, message)


async def validated(form: ConsentForm, today: date) -> dict[str, Any]:
    """The consent's column values from a staff form, or Invalid with every mistake."""
    errors: dict[str, str] = {}
    wanted: list[UUID] = []
    for text in form.organisation_ids:
        try:
            wanted.append(UUID(text))
        except ValueError:
            _add(errors, "organisation_ids", "Choose organisations from the list")
    named = await Organisation.select(Organisation.id, Organisation.name).where(
        Organisation.id.is_in(wanted or [uuid.uuid4()])
    )
    known = {row.id: row.name for row in msgspec.convert(named, list[OrganisationNameRow])}
    if not wanted:
        _add(errors, "organisation_ids", "Choose each organisation the client agrees to share with")
    elif set(wanted) - set(known):
        _add(errors, "organisation_ids", "Choose organisations from the list")
    if not form.categories or set(form.categories) - set(CATEGORIES):
        _add(errors, "categories", "Choose the information the client agrees to share")
    if not form.purposes or set(form.purposes) - set(PURPOSES):
        _add(errors, "purposes", "Choose what the information may be used for")
    start, end = default_period(form.valid_from or today)
    end = form.valid_to or end
    if start < today:
        _add(errors, "valid_from", "The start date must be today or later")
    if end < start:
        _add(errors, "valid_to", "The end date must be on or after the start date")
    elif end - start > LONGEST:
        _add(errors, "valid_to", "A consent can last 3 years at most: ask the client again then")
    if form.method not in METHODS:
        _add(errors, "method", "Choose how the client gave consent")
    if form.notice_version not in NOTICE_VERSIONS:
        _add(errors, "notice_version", "Choose the privacy notice the client was shown")
    if form.capacity not in STAFF_CAPACITY:
        _add(errors, "capacity", "Say whether the client has capacity to make this decision")
    if form.given_by not in GIVERS:
        _add(errors, "given_by", "Say who gave consent")
    elif form.capacity == "lacks_capacity" and form.given_by == "client":
        _add(
            errors,
            "given_by",
            "A client who lacks capacity for this decision cannot give consent themselves: "
            "record who gave it on their behalf",
        )
    if form.given_by == "representative":
        if not form.representative_name.strip():
            _add(errors, "representative_name", "Enter the name of the person who gave consent")
        if form.representative_authority not in AUTHORITIES:
            _add(errors, "representative_authority", "Choose their authority to decide")
        if not form.representative_evidence.strip():
            _add(errors, "representative_evidence", "Describe the evidence of their authority")
    for field in ("capacity_note", "representative_name", "representative_evidence"):
        if len(getattr(form, field)) > 1000:
            _add(errors, field, "Keep this to 1,000 characters or fewer")
    if errors:
        raise Invalid(next(iter(errors.values())), errors)
    ordered = sorted(set(wanted), key=lambda org: known[org])
    representative = form.given_by == "representative"
    return {
        "organisation_ids": [str(org) for org in ordered],
        "organisation_names": [known[org] for org in ordered],
        "categories": [code for code in CATEGORIES if code in form.categories],
        "purposes": [code for code in PURPOSES if code in form.purposes],
        "valid_from": start,
        "valid_to": end,
        "method": form.method,
        "notice_version": form.notice_version,
        "capacity": form.capacity,
        "capacity_note": form.capacity_note.strip(),
        "given_by": form.given_by,
        "representative_name": form.representative_name.strip() if representative else "",
        "representative_authority": form.representative_authority if representative else "",
        "representative_evidence": form.representative_evidence.strip() if representative else "",
    }
