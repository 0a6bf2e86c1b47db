"""What a listing looks like to a search index: text columns, filter tokens and timing data.

Filters run inside the full-text index as tokens (`c_housing`, `f_network`, `l_pl`, and one
`h_mo_18` per hour a typical week is open), which cut the slowest searches by a third. Tokens
only narrow: the exact "open now" answer comes from the timing data kept beside each document
(`week`, `exception_dates`, `hours`), because dated exceptions and clock changes are exact only
there.
"""

from __future__ import annotations

import functools
import re
from datetime import date, datetime, time, timedelta

import msgspec

from directory.hours import (
    DAY_CODES,
    EVENING_STARTS,
    LONDON,
    DatedException,
    OpeningHours,
    Rule,
)
from directory.schemas import ServiceRecord
from directory.search.language import words

MINUTES_PER_DAY = 24 * 60
MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY

# Bits of IndexDocument.flags.
NETWORK = 1
ACCEPTING = 2
FREE = 4
EVENINGS = 8
WEEKENDS = 16
COLLAPSED = 32  # a possible duplicate waiting for an admin: shown within another listing

FLAG_TOKENS = {
    NETWORK: "f_network",
    ACCEPTING: "f_accepting",
    FREE: "f_free",
    EVENINGS: "f_evenings",
    WEEKENDS: "f_weekends",
}


def name_key(text: str) -> str:
    """A name reduced to its words, for the exact-name match: The Pop-Up Shop -> the pop up shop."""
    return " ".join(words(text))


@functools.lru_cache(maxsize=1024)
def category_token(code: str) -> str:
    """`mental-health` -> `c_mental_health` (one token for the full-text index)."""
    return "c_" + re.sub(r"\W+", "_", code.lower()).strip("_")


@functools.lru_cache(maxsize=1024)
def language_token(code: str) -> str:
    """`PL` -> `l_pl`."""
    return "l_" + re.sub(r"\W+", "_", code.lower()).strip("_")


def slot_token(weekday: int, hour: int) -> str:
    """(0, 18) -> `h_mo_18`: open at some time in that hour of a typical Monday."""
    return f"h_{DAY_CODES[weekday].lower()}_{hour}"


def exception_token(day: date) -> str:
    """`x_20261225`: the service has opening hours of its own on that date."""
    return f"x_{day:%Y%m%d}"


class RuleDoc(msgspec.Struct, array_like=True, frozen=True):
    """An opening rule, compactly."""

    byday: tuple[str, ...]
    opens_at: time
    closes_at: time
    freq: str = "WEEKLY"
    valid_from: date | None = None
    valid_to: date | None = None


class ExceptionDoc(msgspec.Struct, array_like=True, frozen=True):
    """A dated exception, compactly."""

    on_date: date
    closed: bool
    opens_at: time | None = None
    closes_at: time | None = None


class HoursDoc(msgspec.Struct, array_like=True, frozen=True):
    """Opening hours as kept beside an index document, for the exact open check."""

    rules: tuple[RuleDoc, ...] = ()
    exceptions: tuple[ExceptionDoc, ...] = ()

    @classmethod
    def of(cls, hours: OpeningHours) -> HoursDoc:
        """From a service's opening hours."""
        return cls(
            rules=tuple(
                RuleDoc(r.byday, r.opens_at, r.closes_at, r.freq, r.valid_from, r.valid_to)
                for r in hours.rules
            ),
            exceptions=tuple(
                ExceptionDoc(e.on_date, e.closed, e.opens_at, e.closes_at) for e in hours.exceptions
            ),
        )

    def hours(self) -> OpeningHours:
        """Back to opening hours."""
        return OpeningHours(
            rules=tuple(
                Rule(r.byday, r.opens_at, r.closes_at, r.freq, r.valid_from, r.valid_to)
                for r in self.rules
            ),
            exceptions=tuple(
                DatedException(e.on_date, e.closed, e.opens_at, e.closes_at)
                for e in self.exceptions
            ),
        )


_hours_encoder = msgspec.json.Encoder()
_hours_decoder = msgspec.json.Decoder(HoursDoc)
_week_decoder = msgspec.json.Decoder(list[int] | None)


def encode_hours(hours: OpeningHours) -> str:
    """Opening hours as compact JSON text."""
    return _hours_encoder.encode(HoursDoc.of(hours)).decode()


def decode_hours(text: str | bytes) -> OpeningHours:
    """Opening hours back from `encode_hours`."""
    return _hours_decoder.decode(text).hours()


def decode_week(text: str | bytes | None) -> list[int] | None:
    """Weekly intervals back from IndexDocument.week_json."""
    if not text:
        return None
    return _week_decoder.decode(text)


def weekly_intervals(hours: OpeningHours) -> list[int] | None:
    """Opening as flat [start, end, ...] minutes of the week (Monday 00:00 = 0), or None.

    None when some rule is monthly or dated (`valid_from`/`valid_to`): then only `is_open`
    can say. An interval may run past the end of Sunday (end > MINUTES_PER_WEEK).
    """
    flat: list[int] = []
    for rule in hours.rules:
        if rule.freq.upper() != "WEEKLY" or rule.valid_from or rule.valid_to:
            return None
        if any(len(code) != 2 for code in rule.byday):
            return None
        opens = rule.opens_at.hour * 60 + rule.opens_at.minute
        closes = rule.closes_at.hour * 60 + rule.closes_at.minute
        length = closes - opens if closes > opens else closes - opens + MINUTES_PER_DAY
        for code in rule.byday:
            start = DAY_CODES.index(code) * MINUTES_PER_DAY + opens
            flat.extend((start, start + length))
    return flat


class IndexDocument(msgspec.Struct, kw_only=True):
    """Everything an index keeps about one active listing."""

    service_id: str
    name: str
    name_key: str
    description: str
    other: str
    tokens: list[str]
    categories: list[str]
    languages: list[str]
    flags: int
    week: list[int] | None
    exception_dates: list[str]
    hours: str
    latitude: float | None
    longitude: float | None
    minimum_age: int | None
    maximum_age: int | None

    @property
    def week_json(self) -> str:
        """`week` as JSON text ("" when only the exact check can say)."""
        return "" if self.week is None else msgspec.json.encode(self.week).decode()


def is_searchable(record: ServiceRecord) -> bool:
    """Only active listings are found; inactive and defunct ones leave the index."""
    return record.status == "active"


class _Timing(msgspec.Struct, frozen=True):
    """What a document takes from its opening hours (the same for every listing with them)."""

    flags: int  # EVENINGS and WEEKENDS
    slot_tokens: tuple[str, ...]
    opening_tokens: tuple[str, ...]
    week: tuple[int, ...] | None
    exception_dates: tuple[str, ...]
    hours: str


@functools.lru_cache(maxsize=4096)
def _timing(hours: OpeningHours) -> _Timing:
    """Cached: a feed's listings share a few dozen timetables, and this is a fifth of a document."""
    slots = hours.weekly_hour_slots()
    flags = 0
    if any(hour >= EVENING_STARTS.hour for _, hour in slots):
        flags |= EVENINGS
    if any(weekday >= 5 for weekday, _ in slots):
        flags |= WEEKENDS
    week = weekly_intervals(hours)
    opening_dates = sorted({e.on_date for e in hours.exceptions if not e.closed})
    return _Timing(
        flags=flags,
        slot_tokens=tuple(slot_token(weekday, hour) for weekday, hour in sorted(slots)),
        opening_tokens=tuple(exception_token(day) for day in opening_dates),
        week=None if week is None else tuple(week),
        exception_dates=tuple(sorted({f"{e.on_date:%Y%m%d}" for e in hours.exceptions})),
        hours=encode_hours(hours),
    )


def build_document(record: ServiceRecord, *, collapsed: bool = False) -> IndexDocument:
    """The index document for one listing (`collapsed`: see directory.search.collapsed)."""
    timing = _timing(record.hours())
    flags = timing.flags | (COLLAPSED if collapsed else 0)
    if record.takes_network_referrals:
        flags |= NETWORK
    if record.is_accepting:
        flags |= ACCEPTING
    if record.is_free:
        flags |= FREE
    categories = sorted({term.code for term in record.terms})
    languages = sorted({language.code.lower() for language in record.languages if language.code})
    tokens = [
        *(category_token(code) for code in categories),
        *(token for bit, token in FLAG_TOKENS.items() if flags & bit),
        *(language_token(code) for code in languages),
        *timing.slot_tokens,
        *timing.opening_tokens,
    ]
    other = [
        record.alternate_name,
        record.organisation_name,
        *(term.name for term in record.terms),
        record.eligibility_description,
        *(language.name for language in record.languages),
        *(area.name for area in record.service_areas),
        *(f"{loc.name} {loc.address}" for loc in record.locations),
    ]
    point = record.point
    return IndexDocument(
        service_id=str(record.id),
        name=record.name,
        name_key=name_key(record.name),
        description=record.description,
        other=" ".join(part for part in other if part),
        tokens=tokens,
        categories=categories,
        languages=languages,
        flags=flags,
        week=None if timing.week is None else list(timing.week),
        exception_dates=list(timing.exception_dates),
        hours=timing.hours,
        latitude=point[0] if point else None,
        longitude=point[1] if point else None,
        minimum_age=record.minimum_age,
        maximum_age=record.maximum_age,
    )


def clock_changes_near(moment: datetime) -> bool:
    """True when Europe/London changes its clocks between yesterday and the day after tomorrow.

    Around a change, wall-clock arithmetic and instants part ways, so every candidate gets the
    exact check.
    """
    local_day = moment.astimezone(LONDON).date()
    before = datetime.combine(local_day - timedelta(days=1), time(0), tzinfo=LONDON)
    after = datetime.combine(local_day + timedelta(days=2), time(0), tzinfo=LONDON)
    return before.utcoffset() != after.utcoffset()


def open_tokens(moment: datetime) -> list[str] | None:
    """Tokens of which an open service has at least one at `moment`; None near a clock change.

    The hour slot covers the weekly rules; the exception tokens for today and yesterday cover
    one-off openings (yesterday's may run past midnight).
    """
    if clock_changes_near(moment):
        return None
    local = moment.astimezone(LONDON)
    today = local.date()
    return [
        slot_token(local.weekday(), local.hour),
        exception_token(today),
        exception_token(today - timedelta(days=1)),
    ]
