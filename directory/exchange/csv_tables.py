"""The HSDS CSV datapackage as Wraparound writes and reads it: tables, columns and types.

Columns are HSDS 3.0's. What HSDS lacks goes in `wraparound_*` columns of services.csv and in
wraparound_schedule_exceptions.csv; other HSDS readers ignore what they do not know.
"""

from __future__ import annotations

from typing import Any

from hub.csv_cells import safe_cell

WRAPAROUND_SERVICE_COLUMNS = {
    # column -> (key in the `wraparound` object, key inside `capacity` or "")
    "wraparound_referral_methods": ("referral_methods", ""),
    "wraparound_capacity_status": ("capacity", "status"),
    "wraparound_capacity_waitlist_weeks": ("capacity", "waitlist_weeks"),
    "wraparound_capacity_note": ("capacity", "note"),
    "wraparound_capacity_updated_at": ("capacity", "updated_at"),
    "wraparound_response_target_days": ("response_target_days", ""),
    "wraparound_is_free": ("is_free", ""),
    "wraparound_verified_at": ("verified_at", ""),
}
EXCEPTIONS_TABLE = "wraparound_schedule_exceptions"

# table -> [(column, Frictionless type)]
TABLES: dict[str, list[tuple[str, str]]] = {
    "organizations": [
        ("id", "string"), ("name", "string"), ("alternate_name", "string"),
        ("description", "string"), ("email", "string"), ("website", "string"),
        ("legal_status", "string"),
    ],
    "services": [
        ("id", "string"), ("organization_id", "string"), ("name", "string"),
        ("alternate_name", "string"), ("description", "string"), ("url", "string"),
        ("email", "string"), ("status", "string"), ("fees_description", "string"),
        ("eligibility_description", "string"), ("application_process", "string"),
        ("minimum_age", "number"), ("maximum_age", "number"), ("assured_date", "date"),
        ("last_modified", "datetime"),
        ("wraparound_referral_methods", "string"), ("wraparound_capacity_status", "string"),
        ("wraparound_capacity_waitlist_weeks", "integer"), ("wraparound_capacity_note", "string"),
        ("wraparound_capacity_updated_at", "datetime"),
        ("wraparound_response_target_days", "integer"), ("wraparound_is_free", "boolean"),
        ("wraparound_verified_at", "datetime"),
    ],
    "locations": [
        ("id", "string"), ("location_type", "string"), ("organization_id", "string"),
        ("name", "string"), ("description", "string"), ("transportation", "string"),
        ("latitude", "number"), ("longitude", "number"),
    ],
    "service_at_location": [
        ("id", "string"), ("service_id", "string"), ("location_id", "string"),
        ("description", "string"),
    ],
    "addresses": [
        ("id", "string"), ("location_id", "string"), ("address_1", "string"),
        ("address_2", "string"), ("city", "string"), ("region", "string"),
        ("state_province", "string"), ("postal_code", "string"), ("country", "string"),
        ("address_type", "string"),
    ],
    "phones": [
        ("id", "string"), ("service_id", "string"), ("location_id", "string"),
        ("number", "string"), ("extension", "number"), ("type", "string"),
        ("description", "string"),
    ],
    "schedules": [
        ("id", "string"), ("service_id", "string"), ("location_id", "string"),
        ("freq", "string"), ("interval", "number"), ("byday", "string"), ("opens_at", "time"),
        ("closes_at", "time"), ("valid_from", "date"), ("valid_to", "date"),
        ("description", "string"),
    ],
    "contacts": [
        ("id", "string"), ("service_id", "string"), ("name", "string"), ("title", "string"),
        ("department", "string"), ("email", "string"),
    ],
    "languages": [
        ("id", "string"), ("service_id", "string"), ("name", "string"), ("code", "string"),
    ],
    "cost_options": [
        ("id", "string"), ("service_id", "string"), ("option", "string"), ("amount", "number"),
        ("currency", "string"), ("amount_description", "string"),
    ],
    "service_areas": [
        ("id", "string"), ("service_id", "string"), ("name", "string"), ("description", "string"),
    ],
    "accessibility": [
        ("id", "string"), ("location_id", "string"), ("description", "string"),
        ("details", "string"), ("url", "string"),
    ],
    "attributes": [
        ("id", "string"), ("link_id", "string"), ("link_entity", "string"),
        ("taxonomy_term_id", "string"),
    ],
    "taxonomies": [
        ("id", "string"), ("name", "string"), ("description", "string"), ("uri", "string"),
        ("version", "string"),
    ],
    "taxonomy_terms": [
        ("id", "string"), ("code", "string"), ("name", "string"), ("description", "string"),
        ("parent_id", "string"), ("taxonomy", "string"), ("taxonomy_id", "string"),
    ],
    EXCEPTIONS_TABLE: [
        ("id", "string"), ("service_id", "string"), ("location_id", "string"), ("date", "date"),
        ("closed", "boolean"), ("opens_at", "time"), ("closes_at", "time"),
        ("description", "string"),
    ],
}  # fmt: skip


def file_name(table: str) -> str:
    """`phones` -> `phones.csv`."""
    return f"{table}.csv"


def cell(value: Any) -> str:
    """A value as CSV text: empty for none, true/false, lists comma-joined, floats exact, and
    formula-like text quoted (`hub.csv_cells`)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(str(item) for item in value)
    if isinstance(value, float):
        return repr(value)
    return safe_cell(str(value))
