"""Opening hours: weekly and monthly rules plus dated exceptions, exact in Europe/London.

Rules follow HSDS `schedule` (RRULE FREQ/BYDAY, opens_at, closes_at, valid_from/to). A rule
whose closing time is not after its opening time runs past midnight. A dated exception
replaces every rule for the day it falls on: closed all day, or open at the hours it gives.
Intervals are built in local wall-clock time and compared as instants, so the clocks changing
lengthens or shortens an overnight opening exactly as the building's own clock would.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
EVENING_STARTS = time(17, 0)
LOOKAHEAD_DAYS = 14
NEAR_DAYS = 3
"""`next_change` looks this many days ahead first, and the whole fortnight only if it must."""
MEMO_DAYS = 32
"""Days of openings one timetable keeps worked out (then it starts again)."""


@dataclass(frozen=True)
class Rule:
    """One opening rule: on these days, from `opens_at` to `closes_at`."""

    byday: tuple[str, ...]
    opens_at: time
    closes_at: time
    freq: str = "WEEKLY"
    valid_from: date | None = None
    valid_to: date | None = None

    def applies_on(self, day: date) -> bool:
        """True when this rule opens on `day` (before any exception)."""
        if self.valid_from and day < self.valid_from:
            return False
        if self.valid_to and day > self.valid_to:
            return False
        weekday = day.weekday()
        for code_weekday, nth in self._days:
            if code_weekday == weekday and (nth is None or _nth_matches(nth, day)):
                return True
        return False

    @cached_property
    def _days(self) -> tuple[tuple[int, int | None], ...]:
        """`byday` read once (it is read for every day of every opening-hours question)."""
        return tuple(_read_byday_code(code, self.freq) for code in self.byday)


@dataclass(frozen=True)
class DatedException:
    """A date when the usual rules do not hold: closed, or open `opens_at`-`closes_at`."""

    on_date: date
    closed: bool = True
    opens_at: time | None = None
    closes_at: time | None = None
    description: str = ""


def _read_byday_code(code: str, freq: str) -> tuple[int, int | None]:
    """One BYDAY code like `2TU` as (weekday, -1 if none; ordinal, None for every one).

    An ordinal that is not a number reads as 0, which no day matches.
    """
    code = code.strip().upper()
    weekday = DAY_CODES.index(code[-2:]) if code[-2:] in DAY_CODES else -1
    ordinal = code[:-2]
    if not ordinal or freq.upper() == "WEEKLY":
        return weekday, None
    try:
        return weekday, int(ordinal)
    except ValueError:
        return weekday, 0


def _nth_matches(nth: int, day: date) -> bool:
    """`day` is the nth of its weekday in its month (counting from the end when negative)."""
    if nth > 0:
        return (day.day - 1) // 7 + 1 == nth
    days_in_month = calendar.monthrange(day.year, day.month)[1]
    return (days_in_month - day.day) // 7 + 1 == -nth


def parse_byday(value: str) -> tuple[str, ...]:
    """`"MO, tu,2WE"` -> `("MO", "TU", "2WE")`; unknown entries are dropped."""
    codes = []
    for raw in value.split(","):
        code = raw.strip().upper()
        if len(code) >= 2 and code[-2:] in DAY_CODES:
            prefix = code[:-2]
            if prefix and not prefix.lstrip("+-").isdigit():
                continue
            codes.append(code)
    return tuple(codes)


def _local(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=LONDON)


def _interval(day: date, opens_at: time, closes_at: time) -> tuple[datetime, datetime]:
    start = _local(day, opens_at)
    end_day = day if closes_at > opens_at else day + timedelta(days=1)
    return start, _local(end_day, closes_at)


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


Opening = tuple[datetime, datetime, datetime, datetime]
"""An opening: its start in UTC, its start (local), its end in UTC, its end (local)."""


def _start_utc(opening: Opening) -> datetime:
    return opening[0]


@dataclass(frozen=True)
class OpeningHours:
    """A service's opening hours: its rules and its dated exceptions."""

    rules: tuple[Rule, ...] = ()
    exceptions: tuple[DatedException, ...] = ()
    _by_date: dict[date, list[DatedException]] = field(
        default_factory=dict, init=False, compare=False, repr=False
    )
    _starting_on: dict[date, list[Opening]] = field(
        default_factory=dict, init=False, compare=False, repr=False
    )
    """Openings by the day they start, worked out once (with their instants in UTC): the
    hours never change, and a search page asks the same few days of every result's hours (a
    shared decoded timetable keeps them from one request to the next)."""

    def __post_init__(self) -> None:
        for exception in self.exceptions:
            self._by_date.setdefault(exception.on_date, []).append(exception)

    @property
    def known(self) -> bool:
        """False when no hours are recorded at all (then we say so rather than "closed")."""
        return bool(self.rules or self.exceptions)

    def intervals_starting_on(self, day: date) -> list[tuple[datetime, datetime]]:
        """Opening intervals that begin on local date `day`, in order."""
        return [(start, end) for _, start, _, end in self._openings_starting_on(day)]

    def _openings_starting_on(self, day: date) -> list[Opening]:
        known = self._starting_on.get(day)
        if known is None:
            if len(self._starting_on) >= MEMO_DAYS:
                self._starting_on.clear()
            known = self._starting_on[day] = [
                (_utc(start), start, _utc(end), end) for start, end in self._work_out_intervals(day)
            ]
        return known

    def _work_out_intervals(self, day: date) -> list[tuple[datetime, datetime]]:
        exceptions = self._by_date.get(day)
        if exceptions is not None:
            return sorted(
                _interval(day, exc.opens_at, exc.closes_at)
                for exc in exceptions
                if not exc.closed and exc.opens_at is not None and exc.closes_at is not None
            )
        return sorted(
            _interval(day, rule.opens_at, rule.closes_at)
            for rule in self.rules
            if rule.applies_on(day)
        )

    def _intervals_around(self, moment: datetime, days: int) -> list[Opening]:
        """The openings starting from the day before `moment` to `days` days after, by start."""
        first = moment.astimezone(LONDON).date() - timedelta(days=1)
        openings: list[Opening] = []
        for offset in range(days + 2):
            openings.extend(self._openings_starting_on(first + timedelta(days=offset)))
        return sorted(openings, key=_start_utc)

    def is_open(self, moment: datetime) -> bool:
        """True when open at `moment` (any aware datetime)."""
        at = _utc(moment)
        day = moment.astimezone(LONDON).date()
        # Only yesterday's and today's openings can hold `moment`; their order does not matter.
        for start_utc, _, end_utc, _ in (
            *self._openings_starting_on(day - timedelta(days=1)),
            *self._openings_starting_on(day),
        ):
            if start_utc <= at < end_utc:
                return True
        return False

    def next_change(self, moment: datetime) -> tuple[bool, datetime | None]:
        """Whether open at `moment`, and when that next changes (None: not in two weeks)."""
        # A few days ahead settle almost every listing; the whole fortnight is read only when
        # they do not.
        answer, settled = self._change_within(moment, NEAR_DAYS)
        return answer if settled else self._change_within(moment, LOOKAHEAD_DAYS)[0]

    def _change_within(
        self, moment: datetime, days: int
    ) -> tuple[tuple[bool, datetime | None], bool]:
        """`next_change` from the openings starting up to `days` days ahead, and whether
        openings starting later could change it.

        Openings starting later all start at or after `horizon` (the local midnight after the
        last day read), after every opening read: so the merged openings read are the first
        ones of the whole fortnight, and only the last of them could still grow. The answer
        stands unless it is "open until" a time at or after `horizon`, or nothing read opens
        after `moment`.
        """
        at = _utc(moment)
        # Merge touching or overlapping intervals so "closes at" is the real closing time.
        # Each opening is [start in UTC, start, end in UTC, end]: compared as instants (a
        # local time can be ambiguous), converted once per timetable and day (this runs for
        # every result).
        merged: list[list[datetime]] = []
        for start_utc, start, end_utc, end in self._intervals_around(moment, days):
            if merged and start_utc <= merged[-1][2]:
                if end_utc > merged[-1][2]:
                    merged[-1][2:] = [end_utc, end]
            else:
                merged.append([start_utc, start, end_utc, end])
        horizon = _utc(_local(moment.astimezone(LONDON).date() + timedelta(days=days + 1), time(0)))
        for start_utc, start, end_utc, end in merged:
            if start_utc <= at < end_utc:
                return (True, end.astimezone(LONDON)), end_utc < horizon
            if start_utc > at:
                return (False, start.astimezone(LONDON)), True
        return (False, None), False

    def open_between(self, start: datetime, end: datetime) -> bool:
        """True when open at any moment in [start, end)."""
        lo, hi = _utc(start), _utc(end)
        days = max(0, (end - start).days) + 1
        return any(a < hi and b > lo for a, _, b, _ in self._intervals_around(start, days))

    def weekly_hour_slots(self) -> set[tuple[int, int]]:
        """(weekday, hour) pairs a typical week is open at some time in (rules only).

        Used as coarse search tokens; the exact answer always comes from `is_open`.
        """
        slots: set[tuple[int, int]] = set()
        for rule in self.rules:
            weekdays = {DAY_CODES.index(code[-2:]) for code in rule.byday if code[-2:] in DAY_CODES}
            start_minute = rule.opens_at.hour * 60 + rule.opens_at.minute
            end_minute = rule.closes_at.hour * 60 + rule.closes_at.minute
            if end_minute <= start_minute:
                end_minute += 24 * 60
            for weekday in weekdays:
                minute = start_minute - start_minute % 60
                while minute < end_minute:
                    day_offset, hour = divmod(minute // 60, 24)
                    slots.add(((weekday + day_offset) % 7, hour))
                    minute += 60
        return slots

    def opens_evenings(self) -> bool:
        """True when some rule keeps it open after 17:00."""
        return any(hour >= EVENING_STARTS.hour for _, hour in self.weekly_hour_slots())

    def opens_weekends(self) -> bool:
        """True when some rule opens it on a Saturday or Sunday."""
        return any(weekday >= 5 for weekday, _ in self.weekly_hour_slots())


def _clock(at: time) -> str:
    return at.strftime("%H:%M")


def describe_status(hours: OpeningHours, moment: datetime) -> str:
    """Plain words for a result: "Open now until 13:00" or "Closed, opens Tuesday at 09:00"."""
    return status_and_open(hours, moment)[0]


def status_and_open(hours: OpeningHours, moment: datetime) -> tuple[str, bool]:
    """`describe_status` and whether it is open at `moment` (`is_open`), from one reading of
    the hours: a search result shows both."""
    if not hours.known:
        return "Opening hours not known", False
    is_open, change = hours.next_change(moment)
    return _status_words(is_open, change, moment), is_open


def _status_words(is_open: bool, change: datetime | None, moment: datetime) -> str:
    local_now = moment.astimezone(LONDON)
    if change is None:
        return "Open now" if is_open else "Closed for the next two weeks"
    if change.date() == local_now.date():
        when = _clock(change.time())
    elif change.date() == local_now.date() + timedelta(days=1):
        when = f"tomorrow at {_clock(change.time())}"
    else:
        when = f"{DAY_NAMES[change.weekday()]} at {_clock(change.time())}"
    if is_open:
        return f"Open now until {when}"
    return f"Closed, opens {when}" if " at " in when else f"Closed, opens at {when}"


def describe_rules(rules: tuple[Rule, ...]) -> list[str]:
    """One line per distinct set of days: "Monday, Tuesday: 09:00 to 13:00, 18:00 to 21:00"."""
    by_days: dict[tuple[str, ...], list[Rule]] = {}
    for rule in rules:
        by_days.setdefault(rule.byday, []).append(rule)
    lines = []
    for byday, day_rules in by_days.items():
        names = ", ".join(_day_label(code) for code in byday)
        times = ", ".join(
            f"{_clock(rule.opens_at)} to {_clock(rule.closes_at)}"
            for rule in sorted(day_rules, key=lambda r: r.opens_at)
        )
        lines.append(f"{names}: {times}")
    return lines


def _day_label(code: str) -> str:
    name = DAY_NAMES[DAY_CODES.index(code[-2:])]
    ordinal = code[:-2]
    if not ordinal:
        return name
    number = int(ordinal)
    words = {1: "First", 2: "Second", 3: "Third", 4: "Fourth", -1: "Last"}
    return f"{words.get(number, str(number))} {name} of the month"
