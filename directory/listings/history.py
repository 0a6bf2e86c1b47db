"""A listing's kept changes in plain words: who changed what, when, from what to what."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any
from uuid import UUID

import msgspec

from directory import schemas
from directory.hours import describe_rules
from directory.listings.access import may_see_history, not_found
from directory.listings.presentation import describe_exception, long_date, moment_text
from directory.listings.schemas import SERVICE_STATUSES, ChangeLine, HistoryEntry
from directory.read import load_service
from directory.tables import ServiceChange
from hub.accounts.schemas import Principal

FIELD_LABELS = {
    "name": "Name",
    "alternate_name": "Other name",
    "description": "What it does",
    "url": "Website",
    "email": "E-mail",
    "status": "Status",
    "fees_description": "What it costs",
    "is_free": "Free",
    "eligibility_description": "Who it is for",
    "minimum_age": "Youngest age",
    "maximum_age": "Oldest age",
    "referral_methods": "How to refer",
    "referral_instructions": "Referral instructions",
    "capacity_status": "Capacity",
    "capacity_waitlist_weeks": "Waiting list (weeks)",
    "capacity_note": "Capacity note",
    "capacity_updated_at": "Capacity last updated",
    "response_target_days": "Response target (working days)",
    "assured_date": "Last checked",
    "verified_at": "Checked at",
    "locations": "Place",
    "contacts": "Contacts",
    "phones": "Phone numbers",
    "service_areas": "Areas served",
    "languages": "Languages",
    "cost_options": "Costs",
    "terms": "Needs it helps with",
    "schedules": "Opening hours",
    "exceptions": "Changes to opening hours on dates",
}
NOTHING = "(nothing)"


def _list_words(field: str, value: list[Any]) -> str:
    if field == "schedules":
        rules = msgspec.convert(value, list[schemas.Schedule])
        return "; ".join(describe_rules(tuple(rule.rule() for rule in rules)))
    if field == "exceptions":
        items = msgspec.convert(value, list[schemas.ScheduleException])
        return "; ".join(describe_exception(item) for item in items)
    if field == "locations":
        places = msgspec.convert(value, list[schemas.Location])
        return "; ".join(place.address or place.name for place in places)
    if field == "referral_methods":
        return ", ".join(schemas.REFERRAL_METHODS.get(m, m) for m in value)
    if field == "phones":
        return ", ".join(
            f"{p['number']} ({p['description']})" if p.get("description") else p["number"]
            for p in value
        )
    if field in {"terms", "languages", "service_areas", "contacts"}:
        return ", ".join(str(item.get("name") or item.get("code") or "") for item in value)
    if field == "cost_options":
        return ", ".join(
            str(item.get("option") or item.get("amount_description")) for item in value
        )
    return ", ".join(str(item) for item in value)


def describe_value(field: str, value: Any) -> str:
    """One field's stored value as a person would say it."""
    if value is None or value in ("", []):
        return NOTHING
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return _list_words(field, value) or NOTHING
    if field == "status":
        return SERVICE_STATUSES.get(value, str(value))
    if field == "capacity_status":
        return schemas.CAPACITY_STATUSES.get(value, str(value))
    if field == "assured_date":
        return long_date(date.fromisoformat(value))
    if field in {"verified_at", "capacity_updated_at"}:
        return moment_text(datetime.fromisoformat(value))
    return str(value)


def describe_changes(changes: dict[str, list[Any]]) -> list[ChangeLine]:
    """Each changed field, in the order the listing page shows them."""
    order = list(FIELD_LABELS)
    lines = [
        ChangeLine(
            field=FIELD_LABELS.get(name, name.replace("_", " ").capitalize()),
            before=describe_value(name, before),
            after=describe_value(name, after),
        )
        for name, (before, after) in sorted(
            changes.items(), key=lambda item: order.index(item[0]) if item[0] in order else 99
        )
    ]
    # A new listing lists every field; those still empty say nothing worth reading.
    return [line for line in lines if line.before != line.after]


async def service_history(
    principal: Principal, service_id: UUID
) -> tuple[schemas.ServiceRecord, list[HistoryEntry]]:
    """The listing and every kept change to it, newest first, for those who may see them.

    Raises:
        NotFound: no such service, or the principal may not see its history.
    """
    record = await load_service(service_id)
    if record is None or not may_see_history(principal, record.organisation_id):
        raise not_found()
    rows = (
        await ServiceChange.select(
            ServiceChange.changed_at,
            ServiceChange.changed_by.name.as_alias("changed_by_name"),
            ServiceChange.summary,
            ServiceChange.changes,
        )
        .where(ServiceChange.service_id == service_id)
        .order_by(ServiceChange.changed_at, ascending=False)
        .order_by(ServiceChange._meta.primary_key, ascending=False)
    )
    entries = [
        HistoryEntry(
            changed_at=row["changed_at"],
            changed_by=row["changed_by_name"] or "Wraparound (import or system)",
            summary=row["summary"],
            lines=describe_changes(json.loads(row["changes"] or "{}")),
        )
        for row in rows
    ]
    return record, entries
