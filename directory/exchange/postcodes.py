"""Postcode points: normalising, loading a postcode-to-point CSV, finding a postcode's point.

The loader accepts the ONS Postcode Directory's columns (`pcds`, `pcd` or `pcd2`, `lat`,
`long`) or a plain `postcode,latitude,longitude` file; lines starting with `#` are comments.
Postcodes are stored normalised: upper case, no spaces (`DD2 3AB` -> `DD23AB`).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import msgspec

from directory.exchange.problems import Problem
from directory.tables import Postcode
from hub.db import raw, transaction
from hub.errors import Invalid

_FULL = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$")
_OUTWARD = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")
POSTCODE_COLUMNS = ("pcds", "pcd", "pcd2", "postcode")
LATITUDE_COLUMNS = ("lat", "latitude")
LONGITUDE_COLUMNS = ("long", "lon", "lng", "longitude")
NO_GRID_REFERENCE = 99.999999  # what the ONS file gives for a postcode without a point
BATCH = 500


def normalise(text: str) -> str:
    """`" dd2 3ab "` -> `"DD23AB"`."""
    return re.sub(r"\s+", "", text).upper()


def is_full_postcode(text: str) -> bool:
    """True for a whole UK postcode such as `DD2 3AB` (spaces and case do not matter)."""
    return _FULL.match(normalise(text)) is not None


async def _average(prefix: str, length: int) -> tuple[float, float] | None:
    rows = await raw(
        "SELECT AVG(latitude) AS latitude, AVG(longitude) AS longitude FROM postcode "
        "WHERE postcode LIKE {} AND LENGTH(postcode) = {}",
        f"{prefix}%",
        length,
    )
    if not rows or rows[0]["latitude"] is None:
        return None
    return float(rows[0]["latitude"]), float(rows[0]["longitude"])


async def postcode_point(text: str) -> tuple[float, float] | None:
    """The (latitude, longitude) of a postcode, sector (`DD2 3`) or district (`DD2`).

    A whole postcode missing from the table falls back to the middle of its sector, then of
    its district, so a small table still gives a sensible point.
    """
    code = normalise(text)
    if not code:
        return None
    match = _FULL.match(code)
    if match:
        row = (
            await Postcode.select(Postcode.latitude, Postcode.longitude)
            .where(Postcode.postcode == code)
            .first()
        )
        if row:
            return row["latitude"], row["longitude"]
        outward, inward = match.groups()
        return await _average(outward + inward[0], len(code)) or await _average(outward, len(code))
    tried: list[tuple[str, int]] = []
    parts = text.upper().split()
    if len(parts) == 2 and _OUTWARD.match(parts[0]) and re.fullmatch(r"[0-9]", parts[1]):
        tried.append((code, len(parts[0]) + 3))  # a sector typed with its space: "DD2 3"
    else:
        if _OUTWARD.match(code):
            tried.append((code, len(code) + 3))  # a district: "DD2"
        if code[-1:].isdigit() and _OUTWARD.match(code[:-1]):
            tried.append((code, len(code) + 2))  # a sector without its space: "DD23"
    for prefix, length in tried:
        point = await _average(prefix, length)
        if point:
            return point
    return None


class PostcodeLoad(msgspec.Struct, kw_only=True):
    """What loading a postcode file did."""

    loaded: int = 0
    skipped: int = 0
    problems: list[Problem] = []


def _column(header: list[str], choices: tuple[str, ...]) -> str | None:
    lowered = {name.strip().lower(): name for name in header}
    for choice in choices:
        if choice in lowered:
            return lowered[choice]
    return None


def _data_lines(handle: Iterator[str], numbers: list[int]) -> Iterator[str]:
    """Lines that are not comments, remembering each one's line number in the file."""
    for number, line in enumerate(handle, start=1):
        if line.lstrip().startswith("#") or not line.strip():
            continue
        numbers.append(number)
        yield line


def count_data_lines(path: Path) -> int:
    """How many rows a postcode file has (for the progress bar), header excluded."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        total = sum(1 for line in handle if line.strip() and not line.lstrip().startswith("#"))
    return max(0, total - 1)


def _parse_row(
    row: dict[str, str], columns: tuple[str, str, str], where: str, result: PostcodeLoad
) -> tuple[str, float, float] | None:
    postcode_column, latitude_column, longitude_column = columns
    code = normalise(row.get(postcode_column) or "")
    if not _FULL.match(code):
        result.problems.append(Problem(where, postcode_column, "not a postcode"))
        return None
    values: list[float] = []
    for column, limit in ((latitude_column, 90.0), (longitude_column, 180.0)):
        try:
            value = float((row.get(column) or "").strip())
        except ValueError:
            result.problems.append(Problem(where, column, "not a number"))
            return None
        if column == latitude_column and value == NO_GRID_REFERENCE:
            result.skipped += 1  # the ONS marks postcodes without a point this way
            return None
        if not -limit <= value <= limit:
            result.problems.append(Problem(where, column, f"{value} is outside ±{limit:g}"))
            return None
        values.append(value)
    return code, values[0], values[1]


async def _save(batch: dict[str, tuple[float, float]]) -> None:
    rows = [
        Postcode(postcode=code, latitude=lat, longitude=lon) for code, (lat, lon) in batch.items()
    ]
    async with transaction():
        await Postcode.insert(*rows).on_conflict(
            target=Postcode.postcode,
            action="DO UPDATE",
            values=[Postcode.latitude, Postcode.longitude],
        )


async def load_postcodes(path: Path, progress: Callable[[int], None] | None = None) -> PostcodeLoad:
    """Load (insert or update) every good row of a postcode CSV; bad lines are reported.

    Raises:
        Invalid: the file has no postcode, latitude or longitude column.
    """
    result = PostcodeLoad()
    numbers: list[int] = []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(_data_lines(handle, numbers))
        header = list(reader.fieldnames or [])
        found = (
            _column(header, POSTCODE_COLUMNS),
            _column(header, LATITUDE_COLUMNS),
            _column(header, LONGITUDE_COLUMNS),
        )
        if None in found:
            msg = (
                "The file needs a postcode column (pcds, pcd or postcode), a latitude column "
                "(lat or latitude) and a longitude column (long or longitude)."
            )
            raise Invalid(msg)
        columns = (str(found[0]), str(found[1]), str(found[2]))
        batch: dict[str, tuple[float, float]] = {}
        for row in reader:
            where = f"line {numbers[reader.line_num - 1]}"
            parsed = _parse_row(row, columns, where, result)
            if progress:
                progress(1)
            if parsed is None:
                continue
            batch[parsed[0]] = (parsed[1], parsed[2])
            if len(batch) >= BATCH:
                await _save(batch)
                result.loaded += len(batch)
                batch = {}
        if batch:
            await _save(batch)
            result.loaded += len(batch)
    return result
