"""CSV formula injection: a listing or organisation named like a formula never runs as one in a
spreadsheet opened from an export, and importing that export gives back the names as meant."""

from __future__ import annotations

import csv

from directory.exchange import exporter
from hub import clock
from tests.conftest import _clean_tables
from tests.directory.factories import location, make_service
from tests.directory.test_export_roundtrip import NOW, reimport, snapshot
from tests.support import make_organisation


async def test_formula_like_names_are_quoted_in_the_csv_and_restored_on_import(tmp_path) -> None:
    clock.freeze(NOW)
    sly = await make_organisation('=HYPERLINK("http://evil.example","Click")')
    await make_service(
        sly,
        name="@SUM(A1:A9) drop-in",
        description="-2+3 cells, then words",
        locations=[location(sly, (56.4685, -3.0210))],
    )
    folder = tmp_path / "package"
    assert await exporter.write_datapackage(folder) == 1
    with (folder / "services.csv").open(encoding="utf-8") as handle:
        service = next(csv.DictReader(handle))
    assert service["name"] == "'@SUM(A1:A9) drop-in"
    assert service["description"] == "'-2+3 cells, then words"
    with (folder / "organizations.csv").open(encoding="utf-8") as handle:
        organisation = next(csv.DictReader(handle))
    assert organisation["name"].startswith("'=HYPERLINK(")
    with (folder / "locations.csv").open(encoding="utf-8") as handle:
        place = next(csv.DictReader(handle))
    assert place["longitude"] == "-3.021"  # numbers stay numbers
    before = await snapshot()
    await _clean_tables()
    assert await reimport(folder) == (1, 0, 0, 0)
    assert await snapshot() == before  # the names came back as they were meant
