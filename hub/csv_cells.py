"""CSV cells a spreadsheet shows but never runs: formula-like text quoted, unquoted on import.

A listing named `=HYPERLINK(...)` (or `+`, `-`, `@`, a tab or a carriage return first) would
run as a formula when a worker opens an export in a spreadsheet. Every CSV the app writes
puts an apostrophe before such text; reading our own CSV takes it off again. Plain numbers
("-3.021") are left as they are: they are not formulas and other tools read them as numbers.
"""

from __future__ import annotations

import re

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def safe_cell(value: str) -> str:
    """The text as written to a CSV: an apostrophe before anything that could be a formula."""
    if value.startswith(FORMULA_START) and not _NUMBER.match(value):
        return "'" + value
    return value


def read_cell(value: str) -> str:
    """The text `safe_cell` was given (what the export meant)."""
    if value.startswith("'") and value[1:].startswith(FORMULA_START):
        candidate = value[1:]
        if not _NUMBER.match(candidate):
            return candidate
    return value
