"""Where a typed postcode is: the imported postcode table (the ONS Postcode Directory, which
includes Northern Ireland, loaded by `wraparound directory import-postcodes`), then Code-Point
Open for Great Britain, then the middle of its sector or district, marked approximate.

A well-formed postcode is never refused: one found nowhere gives None and the caller measures
from somewhere else, saying so. Only a malformed one is an error, naming the form expected.
"""

from __future__ import annotations

import asyncio
import re

import msgspec

from directory.exchange.postcodes import postcode_point as table_point
from directory.places import codepoint

POSTCODE = "postcode"
SECTOR = "sector"
DISTRICT = "district"
EXPECTED = "Enter a postcode like DD2 3AA, or just its first part like DD2"

_FULL = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9])([A-Z]{2})$")
_OUTWARD = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")


class Place(msgspec.Struct, frozen=True, kw_only=True):
    """A point for what was typed, and how exact it is."""

    latitude: float
    longitude: float
    precision: str
    """postcode (the postcode itself), sector (DD1 4) or district (DD1)."""
    label: str
    """What the distances are from, e.g. "DD1 4HN" or "postcode sector DD1 4"."""

    @property
    def approximate(self) -> bool:
        """True when the point is the middle of a sector or district, not the postcode."""
        return self.precision != POSTCODE


class Parsed(msgspec.Struct, frozen=True, kw_only=True):
    """A typed postcode in its parts: outward code, and the sector digit and unit if given."""

    outward: str
    digit: str = ""
    unit: str = ""

    @property
    def text(self) -> str:
        """As people write it: "DD1 4HN", "DD1 4" or "DD1"."""
        return f"{self.outward} {self.digit}{self.unit}".strip()


def parse(text: str) -> Parsed | None:
    """The parts of a whole postcode, a sector ("DD1 4") or a district ("DD1"); None if none."""
    squeezed = re.sub(r"\s+", "", text).upper()
    full = _FULL.match(squeezed)
    if full:
        return Parsed(outward=full.group(1), digit=full.group(2), unit=full.group(3))
    words = text.upper().split()
    if len(words) == 2 and _OUTWARD.match(words[0]) and re.fullmatch(r"[0-9]", words[1]):
        return Parsed(outward=words[0], digit=words[1])
    if _OUTWARD.match(squeezed):
        return Parsed(outward=squeezed)
    return None


async def _exact(parsed: Parsed) -> tuple[float, float] | None:
    code = parsed.outward + parsed.digit + parsed.unit
    row = await table_point(code) if await _in_table(code) else None
    return row or await asyncio.to_thread(codepoint.postcode, code)


async def _in_table(code: str) -> bool:
    from directory.tables import Postcode  # the table import-postcodes fills

    return await Postcode.exists().where(Postcode.postcode == code)


async def _sector(parsed: Parsed) -> tuple[float, float] | None:
    from_table = await table_point(f"{parsed.outward} {parsed.digit}")
    return from_table or await asyncio.to_thread(codepoint.sector, parsed.outward, parsed.digit)


async def _district(parsed: Parsed) -> tuple[float, float] | None:
    from_table = await table_point(parsed.outward)
    return from_table or await asyncio.to_thread(codepoint.district, parsed.outward)


async def locate(parsed: Parsed) -> Place | None:
    """The most exact point known for a parsed postcode, or None when nothing matches it."""
    steps = []
    if parsed.unit:
        steps.append((POSTCODE, parsed.text, _exact))
    if parsed.digit:
        steps.append((SECTOR, f"postcode sector {parsed.outward} {parsed.digit}", _sector))
    steps.append((DISTRICT, f"postcode district {parsed.outward}", _district))
    for precision, label, find in steps:
        point = await find(parsed)
        if point is not None:
            return Place(latitude=point[0], longitude=point[1], precision=precision, label=label)
    return None
