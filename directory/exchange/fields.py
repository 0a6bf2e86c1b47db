"""Reading one value at a time from untrusted input, noting each problem by place and field.

An error fails the whole listing (it is imported whole or not at all); a warning is reported
and the listing imported without the doubtful value. Length limits come from the tables.
"""

from __future__ import annotations

import functools
import math
from datetime import UTC, date, datetime, time
from typing import Any
from uuid import UUID

from piccolo.table import Table

from directory.exchange import addresses
from directory.exchange.addresses import Repaired
from directory.exchange.html_text import plain_text
from directory.exchange.problems import Problem

HTML_TEXT = "HTML description made into plain text"
MAX_PROSE = 20_000  # characters of a description kept (a hostile feed may send megabytes)
SHOWN = 300  # characters of a long field kept in a problem report
WHERE_KEY = "_where"  # set on objects assembled from CSV rows: "locations.csv line 3"


@functools.cache
def longest_text(table: type[Table], column: str) -> int | None:
    """The column's length limit (None for unlimited text)."""
    return getattr(table._meta.get_column_by_name(column), "length", None)


class FieldReader:
    """Reads fields of one listing's objects, collecting errors and warnings."""

    def __init__(self, where: str) -> None:
        self.where = where
        self.errors: list[Problem] = []
        self.warnings: list[Problem] = []

    def _place(self, obj: dict[str, Any], path: str, key: str) -> tuple[str, str]:
        if WHERE_KEY in obj:
            return str(obj[WHERE_KEY]), key
        return self.where, f"{path}.{key}" if path else key

    def error(self, obj: dict[str, Any], path: str, key: str, message: str) -> None:
        """Note a problem that stops this listing being imported."""
        self.errors.append(Problem(*self._place(obj, path, key), message))

    def warn(
        self,
        obj: dict[str, Any],
        path: str,
        key: str,
        message: str,
        *,
        kind: str = "",
        read: str = "",
        stored: str = "",
    ) -> None:
        """Note a problem the import works around (a repair says what it read and stored)."""
        where, field = self._place(obj, path, key)
        self.warnings.append(Problem(where, field, message, kind, read, stored))

    def _repaired(
        self, obj: dict[str, Any], path: str, key: str, raw: str, repaired: Repaired
    ) -> str:
        for kind, message in repaired.notes:
            if kind == addresses.UNSAFE:
                where, field = self._place(obj, path, key)
                self.errors.append(Problem(where, field, message, kind, raw))
            else:
                self.warn(obj, path, key, message, kind=kind, read=raw, stored=repaired.value)
        return repaired.value

    def text(
        self,
        obj: dict[str, Any],
        path: str,
        key: str,
        *,
        limit: tuple[type[Table], str] | None = None,
        required: bool = False,
    ) -> str:
        """A string field ("" when absent); numbers are accepted as their text."""
        value = obj.get(key)
        if value is None or value == "":
            if required:
                self.error(obj, path, key, "is required")
            return ""
        if value.__class__ is str:  # the usual case, checked first: ~70 fields a listing
            result = value.strip()
        elif isinstance(value, bool) or not isinstance(value, str | int | float):
            self.error(obj, path, key, "is not text")
            return ""
        else:
            result = str(value).strip()
        if limit is not None:
            longest = longest_text(*limit)
            if longest is not None and len(result) > longest:
                self.error(obj, path, key, f"is longer than {longest} characters")
                return ""
        return result

    def uuid(
        self, obj: dict[str, Any], path: str, key: str, *, required: bool = False
    ) -> UUID | None:
        """An id field."""
        raw = self.text(obj, path, key, required=required)
        if not raw:
            return None
        try:
            return UUID(raw)
        except ValueError:
            self.error(obj, path, key, f"'{raw}' is not an id (a UUID)")
            return None

    def url(self, obj: dict[str, Any], path: str, key: str, limit: tuple[type[Table], str]) -> str:
        """A web address, repaired where plain; one that cannot be used is left out (warning).

        Only an unsafe address (a script) is an error.
        """
        raw = self.text(obj, path, key)
        if not raw:
            return ""
        value = self._repaired(obj, path, key, raw, addresses.web_address(raw))
        return self._within(obj, path, key, value, limit)

    def email(
        self, obj: dict[str, Any], path: str, key: str, limit: tuple[type[Table], str]
    ) -> str:
        """An e-mail address, repaired where plain; one that cannot be used is left out."""
        raw = self.text(obj, path, key)
        if not raw:
            return ""
        value = self._repaired(obj, path, key, raw, addresses.email_address(raw))
        return self._within(obj, path, key, value, limit)

    def _within(
        self, obj: dict[str, Any], path: str, key: str, value: str, limit: tuple[type[Table], str]
    ) -> str:
        """The value, or "" with a warning when it is longer than its column."""
        longest = longest_text(*limit)
        if value and longest is not None and len(value) > longest:
            self.warn(obj, path, key, f"longer than {longest} characters; left out", read=value)
            return ""
        return value

    def prose(self, obj: dict[str, Any], path: str, key: str) -> str:
        """A long text field as plain text: HTML is made into readable text, with a warning."""
        raw = self.text(obj, path, key)
        if len(raw) > MAX_PROSE:
            self.warn(
                obj,
                path,
                key,
                f"longer than {MAX_PROSE:,} characters; cut",
                kind="text too long, cut",
                read=raw[:SHOWN],
            )
            raw = raw[:MAX_PROSE]
        text, was_html = plain_text(raw)
        if was_html:
            self.warn(
                obj,
                path,
                key,
                "HTML made into plain text",
                kind=HTML_TEXT,
                read=raw[:SHOWN],
                stored=text[:SHOWN],
            )
        return text

    def number(self, obj: dict[str, Any], path: str, key: str) -> float | None:
        """A number (text holding a number is accepted, as CSV gives)."""
        value = obj.get(key)
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            self.error(obj, path, key, "is not a number")
            return None
        try:
            number = float(value)
        except (TypeError, ValueError):
            self.error(obj, path, key, "is not a number")
            return None
        if not math.isfinite(number):
            self.error(obj, path, key, "is not a number")
            return None
        return number

    def whole(self, obj: dict[str, Any], path: str, key: str) -> int | None:
        """A whole number, 0 or more."""
        number = self.number(obj, path, key)
        if number is None:
            return None
        if number < 0 or number != int(number) or number > 2_000_000_000:
            self.error(obj, path, key, "is not a whole number, 0 or more")
            return None
        return int(number)

    def flag(self, obj: dict[str, Any], path: str, key: str, default: bool) -> bool:
        """A yes/no field (true/false, yes/no, 1/0)."""
        value = obj.get(key)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in {"true", "yes", "y", "1"}:
            return True
        if text in {"false", "no", "n", "0"}:
            return False
        self.error(obj, path, key, "is not true or false")
        return default

    def day(self, obj: dict[str, Any], path: str, key: str) -> date | None:
        """A date (YYYY-MM-DD; a date-time's date part is taken)."""
        raw = self.text(obj, path, key)
        if not raw:
            return None
        try:
            return date.fromisoformat(raw[:10])
        except ValueError:
            self.error(obj, path, key, f"'{raw}' is not a date (YYYY-MM-DD)")
            return None

    def clock(self, obj: dict[str, Any], path: str, key: str) -> time | None:
        """A time of day (HH:MM or HH:MM:SS; a zone offset is dropped)."""
        raw = self.text(obj, path, key)
        if not raw:
            return None
        try:
            return time.fromisoformat(raw).replace(tzinfo=None)
        except ValueError:
            self.error(obj, path, key, f"'{raw}' is not a time of day (HH:MM)")
            return None

    def instant(self, obj: dict[str, Any], path: str, key: str) -> datetime | None:
        """A date and time; without a zone it is taken as UTC."""
        raw = self.text(obj, path, key)
        if not raw:
            return None
        try:
            moment = datetime.fromisoformat(raw)
        except ValueError:
            self.error(obj, path, key, f"'{raw}' is not a date and time")
            return None
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)

    def items(self, obj: dict[str, Any], path: str, key: str) -> list[dict[str, Any]]:
        """A list of objects (absent: empty)."""
        value = obj.get(key)
        if value is None or value == "":
            return []
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            self.error(obj, path, key, "is not a list of objects")
            return []
        return value

    def child(self, obj: dict[str, Any], path: str, key: str) -> dict[str, Any] | None:
        """A nested object, or None."""
        value = obj.get(key)
        if value is None:
            return None
        if not isinstance(value, dict):
            self.error(obj, path, key, "is not an object")
            return None
        return value
