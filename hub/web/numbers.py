"""Numbers and dates typed into forms and addresses, read strictly, in one place.

`str.isdigit()` and `int()` accept digits from every script ("²", "٣"), some of which `int()`
then refuses, and years up to 9999 overflow date arithmetic: both ended in server errors.
Everything typed is read here instead: ASCII digits only, a few of them, within bounds.
"""

from __future__ import annotations

import re
from datetime import date

WHOLE = re.compile(r"[0-9]{1,9}")
DECIMAL = re.compile(r"-?[0-9]{1,9}(\.[0-9]{1,9})?")
EARLIEST_YEAR = 1900
LATEST_YEAR = 2200


def whole_number(text: str, low: int, high: int) -> int | None:
    """`text` as a whole number from `low` to `high`, or None when it is anything else."""
    value = text.strip()
    if not WHOLE.fullmatch(value):
        return None
    number = int(value)
    return number if low <= number <= high else None


def decimal_number(text: str, low: float, high: float) -> float | None:
    """`text` as a decimal number from `low` to `high` (no exponents, infinities or NaN)."""
    value = text.strip()
    if not DECIMAL.fullmatch(value):
        return None
    number = float(value)
    return number if low <= number <= high else None


def calendar_date(day: str, month: str, year: str) -> date | None:
    """A real date from its three typed parts, in the years the app deals with, else None."""
    parts = (
        whole_number(day, 1, 31),
        whole_number(month, 1, 12),
        whole_number(year, EARLIEST_YEAR, LATEST_YEAR),
    )
    if None in parts:
        return None
    try:
        return date(parts[2], parts[1], parts[0])  # type: ignore[arg-type]
    except ValueError:
        return None
