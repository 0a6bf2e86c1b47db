"""Opening hours written the way people write them, read into RRULE-style rules.

`Mon-Fri 09:00-17:00; Sat 10-14` is two weekly rules; `Thu 9:30-12:30, 18:00-20:00` is two
intervals on one day; `Fri-Sat 21:00-03:00` runs past midnight; `2nd Tue 18:00-20:00` and
`last Fri 10am-2pm` are monthly; `daily 24 hours`, `weekdays`, `weekends` and `closed` work too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time

from directory.hours import DAY_CODES

_DAY_WORDS = {
    "mo": "MO", "mon": "MO", "monday": "MO",
    "tu": "TU", "tue": "TU", "tues": "TU", "tuesday": "TU",
    "we": "WE", "wed": "WE", "weds": "WE", "wednesday": "WE",
    "th": "TH", "thu": "TH", "thur": "TH", "thurs": "TH", "thursday": "TH",
    "fr": "FR", "fri": "FR", "friday": "FR",
    "sa": "SA", "sat": "SA", "saturday": "SA",
    "su": "SU", "sun": "SU", "sunday": "SU",
}  # fmt: skip
_GROUPS = {
    "daily": DAY_CODES,
    "everyday": DAY_CODES,
    "weekdays": DAY_CODES[:5],
    "weekends": DAY_CODES[5:],
    "weekend": DAY_CODES[5:],
}
_ORDINALS = {
    "1st": "1", "first": "1", "2nd": "2", "second": "2", "3rd": "3", "third": "3",
    "4th": "4", "fourth": "4", "last": "-1",
}  # fmt: skip
_CLOCK = r"(?:\d{1,2}(?:[:.]\d{2})?\s*(?:am|pm)?|noon|midnight)"
_RANGE = re.compile(rf"({_CLOCK})\s*(?:-|\u2013|\u2014|to)\s*({_CLOCK})", re.IGNORECASE)
_ALL_DAY = re.compile(r"\b(?:24\s*hours|24/7|all\s+day)\b", re.IGNORECASE)


class HoursTextError(ValueError):
    """The text could not be read as opening hours; the message says which part."""


@dataclass(frozen=True)
class ParsedRule:
    """One rule: `freq` WEEKLY or MONTHLY, RRULE `byday`, opening and closing time."""

    freq: str
    byday: str
    opens_at: time
    closes_at: time


def _clock(text: str) -> time:
    raw = text.strip().lower().replace(" ", "")
    if raw == "noon":
        return time(12, 0)
    if raw == "midnight":
        return time(0, 0)
    suffix = raw[-2:] if raw[-2:] in {"am", "pm"} else ""
    digits = raw[: -len(suffix)] if suffix else raw
    hour_text, _, minute_text = digits.replace(".", ":").partition(":")
    hour, minute = int(hour_text), int(minute_text or 0)
    if suffix == "pm" and hour < 12:
        hour += 12
    if suffix == "am" and hour == 12:
        hour = 0
    if hour == 24 and minute == 0:
        hour = 0  # "closes at 24:00" is midnight
    if not (0 <= hour < 24 and 0 <= minute < 60) or (suffix and int(hour_text) > 12):
        msg = f"'{text.strip()}' is not a time of day"
        raise HoursTextError(msg)
    return time(hour, minute)


def _range(start: str, end: str) -> tuple[time, time]:
    """Opening and closing; a bare small closing hour ("9-5") is read as the afternoon."""
    opens, closes = _clock(start), _clock(end)
    bare = re.fullmatch(r"\d{1,2}", end.strip()) is not None
    if bare and closes <= opens and closes.hour < 12 and closes.hour + 12 > opens.hour:
        closes = time(closes.hour + 12, closes.minute)
    return opens, closes


def _day(word: str) -> str:
    code = _DAY_WORDS.get(word.lower().rstrip("."))
    if code is None:
        msg = f"'{word}' is not a day"
        raise HoursTextError(msg)
    return code


def _days(text: str) -> tuple[list[str], list[str]]:
    """(weekly day codes, monthly codes such as 2TU) from "Mon-Wed, Fri" or "2nd Tue"."""
    weekly: list[str] = []
    monthly: list[str] = []
    for part in re.split(r"\s*(?:,|&|\band\b)\s*", text.strip()):
        words = part.lower().replace("every ", "").split()
        if not words:
            continue
        if len(words) == 1 and words[0].replace(" ", "") in _GROUPS:
            weekly.extend(_GROUPS[words[0]])
        elif words[0] in _ORDINALS and len(words) == 2:
            monthly.append(_ORDINALS[words[0]] + _day(words[1]))
        elif len(words) == 1 and re.fullmatch(r"[a-z.]+\s*(?:-|\u2013|to)\s*[a-z.]+", part.lower()):
            first, last = re.split(r"\s*(?:-|\u2013|to)\s*", part.strip())
            start, end = DAY_CODES.index(_day(first)), DAY_CODES.index(_day(last))
            span = range(start, end + 1) if end >= start else [*range(start, 7), *range(end + 1)]
            weekly.extend(DAY_CODES[index] for index in span)
        elif len(words) == 3 and words[1] in {"-", "\u2013", "to"}:
            weekly.extend(_days(f"{words[0]}-{words[2]}")[0])
        elif len(words) == 1:
            weekly.append(_day(words[0]))
        else:
            msg = f"'{part}' is not a day or range of days"
            raise HoursTextError(msg)
    return list(dict.fromkeys(weekly)), list(dict.fromkeys(monthly))


def _clause(text: str) -> list[ParsedRule]:
    if re.search(r"\bclosed\b", text, re.IGNORECASE):
        _days(re.sub(r"\bclosed\b", "", text, flags=re.IGNORECASE))
        return []
    ranges: list[tuple[time, time]] = []
    all_day = _ALL_DAY.search(text)
    first = _RANGE.search(text)
    if all_day and (first is None or all_day.start() < first.start()):
        day_text, rest = text[: all_day.start()], text[all_day.end() :]
        ranges.append((time(0), time(0)))
    elif first:
        day_text, rest = text[: first.start()], text[first.start() :]
    else:
        msg = f"no opening times in '{text.strip()}' (write them like 09:00-17:00)"
        raise HoursTextError(msg)

    def collect(match: re.Match[str]) -> str:
        ranges.append(_range(match[1], match[2]))
        return " "

    leftover = _RANGE.sub(collect, rest)
    if re.sub(r"(?:,|&|\band\b|\s)+", "", leftover, flags=re.IGNORECASE):
        msg = f"cannot read '{leftover.strip()}' in '{text.strip()}'"
        raise HoursTextError(msg)
    weekly, monthly = _days(day_text)
    if not weekly and not monthly:
        msg = f"no days in '{text.strip()}' (start with days, e.g. Mon-Fri)"
        raise HoursTextError(msg)
    rules = []
    for opens, closes in ranges:
        if weekly:
            rules.append(ParsedRule("WEEKLY", ",".join(weekly), opens, closes))
        if monthly:
            rules.append(ParsedRule("MONTHLY", ",".join(monthly), opens, closes))
    return rules


def parse_hours(text: str) -> list[ParsedRule]:
    """Every rule in `text`, clauses separated by `;` or new lines.

    Raises:
        HoursTextError: a clause cannot be read; the message quotes it.
    """
    rules: list[ParsedRule] = []
    for clause in re.split(r"[;\n]+", text):
        if clause.strip():
            rules.extend(_clause(clause))
    return rules
