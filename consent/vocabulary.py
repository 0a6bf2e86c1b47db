"""The fixed words of consent: data categories, purposes, methods, authorities, notices."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

# Consent dates are the hub's calendar days, so a consent "until 30 November" ends at
# midnight in the UK, whatever the server's own zone.
LONDON = ZoneInfo("Europe/London")

IDENTITY = "identity"
CONTACT = "contact"
NEEDS = "needs"
HOUSING = "housing"
HEALTH = "health"
MENTAL_HEALTH = "mental_health"
SUBSTANCE_USE = "substance_use"
OFFENDING = "offending"
RISK = "risk"
PLAN = "plan"
COMMUNITY = "community"

CATEGORIES: dict[str, str] = {
    IDENTITY: "identity",
    CONTACT: "contact details",
    NEEDS: "needs and circumstances",
    HOUSING: "housing",
    HEALTH: "health",
    MENTAL_HEALTH: "mental health",
    SUBSTANCE_USE: "substance use",
    OFFENDING: "offending",
    RISK: "risk and safeguarding",
    PLAN: "plan",
    COMMUNITY: "friends and community",
}
"""Every data category, in the order pages show them, with the words people read."""

SENSITIVE = frozenset({MENTAL_HEALTH, SUBSTANCE_USE, OFFENDING, RISK})
"""Never shared unless a consent names them (DESIGN.md)."""

CATEGORY_HINTS: dict[str, str] = {
    IDENTITY: "Name, date of birth, pronouns",
    CONTACT: "Phone, e-mail, address, and when it is safe to get in touch",
    NEEDS: "Language, interpreter, money, work, family and other circumstances",
    HOUSING: "Where they live or sleep, tenancy, homelessness",
    HEALTH: "Physical health, GP, medication",
    PLAN: "Goals and actions in their support plan",
    COMMUNITY: "The people, groups and places they are connected to, and how close each feels",
}

COORDINATION = "coordination"
PLAN_SHARING = "plan_sharing"
CONTACTING = "contact"

PURPOSES: dict[str, str] = {
    COORDINATION: "referral and coordination of support",
    PLAN_SHARING: "sharing their support plan",
    CONTACTING: "contacting them",
}
"""Why information may be shared, as the receipt says it ("to ...")."""

PURPOSE_PHRASES: dict[str, str] = {
    COORDINATION: "to refer you and to join up the support you get",
    PLAN_SHARING: "to share your support plan with the people helping you",
    CONTACTING: "to get in touch with you",
}

METHODS: dict[str, str] = {
    "written": "In writing (signed form)",
    "verbal": "Spoken (told a member of staff)",
    "electronic": "Electronically (online or by e-mail)",
}

CAPACITY: dict[str, str] = {
    "has_capacity": "The client has capacity to make this decision",
    "lacks_capacity": "The client lacks capacity to make this decision",
    "not_assessed": "Not assessed: the client made this change themselves online",
}

AUTHORITIES: dict[str, str] = {
    "lpa_health_welfare": "Lasting power of attorney (health and welfare)",
    "deputy": "Court-appointed deputy",
    "guardian": "Welfare guardian",
    "parent": "Parent or person with parental responsibility",
    "other": "Other legal authority",
}

NOTICE_VERSIONS: dict[str, str] = {
    "2026-11": "Wraparound privacy notice, version of November 2026",
}
CURRENT_NOTICE = "2026-11"

CONTACT_WAYS: dict[str, str] = {
    "phone": "Phone call",
    "text": "Text message",
    "email": "E-mail",
    "letter": "Letter",
    "in_person": "In person only",
}

INVOLVEMENT_SOURCES: dict[str, str] = {
    "registered": "registered them",
    "referral": "has an open referral",
    "care_team": "is on their care team",
}
"""Kinds of involvement; a source is a kind, optionally `kind:<id>` (e.g. `referral:<uuid>`)."""


def category_label(code: str) -> str:
    """The words for a category code."""
    return CATEGORIES.get(code, code)


def local_date(moment: datetime) -> date:
    """The calendar day in the UK at `moment`."""
    return moment.astimezone(LONDON).date()
