"""Forms an organisation admin fills in, and what the listing pages show.

Each form Struct declares only the fields that form may change: anything else posted (the
organisation, who verified it, when) is never read.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec

SERVICE_STATUSES = {
    "active": "Running",
    "temporarily closed": "Temporarily closed",
    "inactive": "Not running at the moment",
    "defunct": "Closed for good",
}

# Languages offered as checkboxes (ISO 639 codes); others a feed brought in are kept as they are.
LANGUAGES = {
    "en": "English",
    "gd": "Gaelic",
    "bfi": "British Sign Language",
    "pl": "Polish",
    "ar": "Arabic",
    "ur": "Urdu",
    "pa": "Punjabi",
    "bn": "Bengali",
    "zh": "Chinese (Mandarin)",
    "yue": "Chinese (Cantonese)",
    "fa": "Persian (Farsi)",
    "ku": "Kurdish",
    "ps": "Pashto",
    "ti": "Tigrinya",
    "so": "Somali",
    "uk": "Ukrainian",
    "ru": "Russian",
    "ro": "Romanian",
    "lt": "Lithuanian",
    "sk": "Slovak",
    "bg": "Bulgarian",
    "pt": "Portuguese",
    "es": "Spanish",
    "fr": "French",
    "tr": "Turkish",
}


class ServiceDetailsForm(msgspec.Struct, kw_only=True):
    """Form: what the service is, who it is for, what it costs, how to reach it online."""

    name: str = ""
    description: str = ""
    eligibility_description: str = ""
    minimum_age: str = ""
    maximum_age: str = ""
    is_free: bool = False
    fees_description: str = ""
    url: str = ""
    email: str = ""
    status: str = "active"


class ReferralForm(msgspec.Struct, kw_only=True):
    """Form: how to refer, and the response target for network referrals."""

    referral_methods: list[str] = []
    referral_instructions: str = ""
    response_target_days: str = ""


class CapacityForm(msgspec.Struct, kw_only=True):
    """Form: whether the service is taking people on now."""

    capacity_status: str = ""
    capacity_waitlist_weeks: str = ""
    capacity_note: str = ""


class CategoriesForm(msgspec.Struct, kw_only=True):
    """Form: the needs the service helps with (need-taxonomy codes)."""

    categories: list[str] = []


class LanguagesForm(msgspec.Struct, kw_only=True):
    """Form: languages the service is offered in (ISO 639 codes)."""

    languages: list[str] = []


class PhoneRow(msgspec.Struct, kw_only=True):
    """One row of the phones form."""

    number: str = ""
    description: str = ""


class PhonesForm(msgspec.Struct, kw_only=True):
    """Form: the service's phone numbers."""

    phones: list[PhoneRow] = []


class LocationForm(msgspec.Struct, kw_only=True):
    """Form: the main place the service is delivered from."""

    location_name: str = ""
    address_1: str = ""
    address_2: str = ""
    city: str = ""
    postal_code: str = ""
    latitude: str = ""
    longitude: str = ""
    transportation: str = ""
    accessibility: str = ""


class HoursRow(msgspec.Struct, kw_only=True):
    """One row of the opening-hours form: a day (every week, or the nth of the month)."""

    week: str = ""  # "" every week; "1".."4" or "-1" (last) of the month
    day: str = ""  # MO..SU
    opens_1: str = ""
    closes_1: str = ""
    opens_2: str = ""
    closes_2: str = ""

    @property
    def is_blank(self) -> bool:
        """True when no time was typed in the row."""
        return not any((self.opens_1, self.closes_1, self.opens_2, self.closes_2))


class HoursForm(msgspec.Struct, kw_only=True):
    """Form: opening hours as rows; `action` adds or removes a row instead of saving."""

    rows: list[HoursRow] = []
    action: str = ""


class ExceptionForm(msgspec.Struct, kw_only=True):
    """Form: one dated exception (closed, or open other hours, on a date)."""

    on_date_day: str = ""
    on_date_month: str = ""
    on_date_year: str = ""
    kind: str = ""  # closed | open
    opens_at: str = ""
    closes_at: str = ""
    description: str = ""


class TermForm(msgspec.Struct, kw_only=True):
    """Form: a need-category term (system admins)."""

    code: str = ""
    name: str = ""
    description: str = ""
    words: str | None = None
    """Everyday words and phrases, one per line or comma-separated (None: leave them)."""


class TermView(msgspec.Struct, frozen=True, kw_only=True):
    """A need-category term as the admin pages show it."""

    id: UUID
    code: str
    name: str
    description: str = ""
    position: int = 0
    services: int = 0
    synonyms: str = ""
    """Everyday words, one per line, as stored."""

    @property
    def words(self) -> list[str]:
        """The everyday words as a list."""
        return [line for line in self.synonyms.splitlines() if line.strip()]


class ListingSummary(msgspec.Struct, frozen=True, kw_only=True):
    """One row of an organisation's listings page."""

    id: UUID
    name: str
    organisation_name: str
    status: str
    verified_at: datetime | None
    updated_at: datetime | None
    stale: bool


class ChangeLine(msgspec.Struct, frozen=True, kw_only=True):
    """One field of one change, in plain words."""

    field: str
    before: str
    after: str


class HistoryEntry(msgspec.Struct, frozen=True, kw_only=True):
    """One kept change: who, when, what."""

    changed_at: datetime
    changed_by: str
    summary: str
    lines: list[ChangeLine]
