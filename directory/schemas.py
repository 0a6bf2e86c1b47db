"""Structs the directory reads and writes; ORM rows never leave a service function."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from uuid import UUID

import msgspec

from directory.hours import DatedException, OpeningHours, Rule, parse_byday

REFERRAL_METHODS = {
    "network": "Network e-referral",
    "phone": "Phone",
    "self": "Self-referral",
    "drop_in": "Drop in",
}
CAPACITY_STATUSES = {
    "accepting": "Accepting referrals",
    "waitlist": "Waiting list",
    "not_accepting": "Not accepting referrals",
    "assessment_first": "Assessment first",
}
STALE_AFTER = timedelta(days=183)  # six months


def capacity_words(status: str, waitlist_weeks: int | None) -> str:
    """Capacity in words, e.g. "Waiting list (about 6 weeks)"."""
    text = CAPACITY_STATUSES.get(status, status)
    if status == "waitlist" and waitlist_weeks:
        text += f" (about {waitlist_weeks} weeks)"
    return text


def referral_words(methods: Sequence[str]) -> str:
    """How to refer, in words."""
    return ", ".join(REFERRAL_METHODS.get(m, m) for m in methods) or "Not given"


def accepting(status: str) -> bool:
    """True for a capacity that is taking referrals now (accepting or via assessment)."""
    return status in {"accepting", "assessment_first"}


def stale(verified_at: datetime | None, now: datetime) -> bool:
    """True when not verified in the last six months (shown as "not recently checked")."""
    return verified_at is None or now - verified_at > STALE_AFTER


class Phone(msgspec.Struct, frozen=True, kw_only=True):
    """A phone number."""

    id: UUID
    number: str
    extension: str = ""
    type: str = "voice"
    description: str = ""


class Schedule(msgspec.Struct, frozen=True, kw_only=True):
    """An opening rule as stored."""

    id: UUID
    freq: str
    byday: str
    opens_at: time
    closes_at: time
    valid_from: date | None = None
    valid_to: date | None = None
    description: str = ""

    def rule(self) -> Rule:
        """As an hours rule."""
        return Rule(
            byday=parse_byday(self.byday),
            opens_at=self.opens_at,
            closes_at=self.closes_at,
            freq=self.freq,
            valid_from=self.valid_from,
            valid_to=self.valid_to,
        )


class ScheduleException(msgspec.Struct, frozen=True, kw_only=True):
    """A dated exception as stored."""

    id: UUID
    on_date: date
    closed: bool = True
    opens_at: time | None = None
    closes_at: time | None = None
    description: str = ""

    def exception(self) -> DatedException:
        """As an hours exception."""
        return DatedException(
            on_date=self.on_date,
            closed=self.closed,
            opens_at=self.opens_at,
            closes_at=self.closes_at,
            description=self.description,
        )


class Accessibility(msgspec.Struct, frozen=True, kw_only=True):
    """Accessibility of a location."""

    id: UUID
    description: str = ""
    details: str = ""
    url: str = ""


class Location(msgspec.Struct, frozen=True, kw_only=True):
    """A place, with everything shown about it."""

    id: UUID
    organisation_id: UUID
    name: str = ""
    description: str = ""
    transportation: str = ""
    address_1: str = ""
    address_2: str = ""
    city: str = ""
    region: str = ""
    postal_code: str = ""
    country: str = "GB"
    latitude: float | None = None
    longitude: float | None = None
    accessibility: list[Accessibility] = []
    phones: list[Phone] = []
    schedules: list[Schedule] = []
    exceptions: list[ScheduleException] = []

    @property
    def address(self) -> str:
        """One line: "1 High Street, Lochee, Dundee DD2 3AA"."""
        parts = [self.address_1, self.address_2, self.city]
        line = ", ".join(part for part in parts if part)
        return f"{line} {self.postal_code}".strip()


class Contact(msgspec.Struct, frozen=True, kw_only=True):
    """A named contact."""

    id: UUID
    name: str = ""
    title: str = ""
    department: str = ""
    email: str = ""


class ServiceArea(msgspec.Struct, frozen=True, kw_only=True):
    """Where clients may live."""

    id: UUID
    name: str = ""
    description: str = ""


class Language(msgspec.Struct, frozen=True, kw_only=True):
    """A language offered."""

    id: UUID
    code: str
    name: str = ""


class CostOption(msgspec.Struct, frozen=True, kw_only=True):
    """A cost."""

    id: UUID
    option: str = ""
    amount: float | None = None
    currency: str = "GBP"
    amount_description: str = ""


class Term(msgspec.Struct, frozen=True, kw_only=True):
    """A taxonomy term on a service."""

    id: UUID
    code: str
    name: str
    taxonomy_id: UUID


class ServiceRecord(msgspec.Struct, frozen=True, kw_only=True):
    """A whole service listing: everything pages, search, exports and the API show."""

    id: UUID
    organisation_id: UUID
    organisation_name: str
    name: str
    alternate_name: str = ""
    description: str = ""
    url: str = ""
    email: str = ""
    status: str = "active"
    fees_description: str = ""
    is_free: bool = True
    eligibility_description: str = ""
    minimum_age: int | None = None
    maximum_age: int | None = None
    referral_methods: list[str] = []
    referral_instructions: str = ""
    capacity_status: str = "accepting"
    capacity_waitlist_weeks: int | None = None
    capacity_note: str = ""
    capacity_updated_at: datetime | None = None
    response_target_days: int | None = None
    assured_date: date | None = None
    verified_by_name: str = ""
    verified_at: datetime | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    locations: list[Location] = []
    contacts: list[Contact] = []
    phones: list[Phone] = []
    service_areas: list[ServiceArea] = []
    languages: list[Language] = []
    cost_options: list[CostOption] = []
    terms: list[Term] = []
    schedules: list[Schedule] = []
    exceptions: list[ScheduleException] = []

    def hours(self) -> OpeningHours:
        """The service's own rules, or else its locations'; exceptions from both."""
        schedules = self.schedules or [s for loc in self.locations for s in loc.schedules]
        exceptions = [*self.exceptions, *(e for loc in self.locations for e in loc.exceptions)]
        return OpeningHours(
            rules=tuple(schedule.rule() for schedule in schedules),
            exceptions=tuple(exception.exception() for exception in exceptions),
        )

    @property
    def takes_network_referrals(self) -> bool:
        """True when partners can send it an e-referral through Wraparound."""
        return "network" in self.referral_methods

    @property
    def is_accepting(self) -> bool:
        """True when it is currently taking referrals (accepting or via assessment)."""
        return accepting(self.capacity_status)

    @property
    def capacity_text(self) -> str:
        """Capacity in words, e.g. "Waiting list (about 6 weeks)"."""
        return capacity_words(self.capacity_status, self.capacity_waitlist_weeks)

    @property
    def referral_text(self) -> str:
        """How to refer, in words."""
        return referral_words(self.referral_methods)

    @property
    def point(self) -> tuple[float, float] | None:
        """The first location's (latitude, longitude), if known."""
        for location in self.locations:
            if location.latitude is not None and location.longitude is not None:
                return location.latitude, location.longitude
        return None

    @property
    def first_phone(self) -> str:
        """The number to ring: the service's own, else a location's."""
        for phone in [*self.phones, *(p for loc in self.locations for p in loc.phones)]:
            return phone.number
        return ""

    def is_stale(self, now: datetime) -> bool:
        """True when not verified in the last six months (shown as "not recently checked")."""
        return stale(self.verified_at, now)
