"""Importing a plain CSV of services: columns, hours written as people write them, stable ids,
and bad lines reported by line and field while the good ones are imported."""

from __future__ import annotations

import uuid
from datetime import time
from pathlib import Path

import httpx
import pytest

from directory.exchange.hours_text import HoursTextError, ParsedRule, parse_hours
from directory.exchange.importer import ImportSummary, import_candidates
from directory.exchange.sources import open_source
from directory.read import load_services
from directory.tables import OrganisationProfile, Postcode, Service
from directory.taxonomy import term_id
from hub.errors import Invalid
from hub.tables import Organisation

HEADER = (
    "Name,Organisation,Description,Categories,Phone,Address,Town,Postcode,Latitude,Longitude,"
    "Hours,Referral methods,Capacity,Waitlist weeks,Response target days,Min age,Languages,Fees"
)
ROWS = [
    'Tenancy support,Hillcrest Futures,Help to keep a home,"housing; Mental health",01632 960120,'
    '30 Ward Road,Dundee,DD2 3AB,,,"Mon-Fri 09:00-17:00; Sat 10-14","network; drop in",waitlist,'
    '6,5,16,"pl; Arabic",free',
    "Broken point,Hillcrest Futures,,,,,,,abc,-3.0,,,,,,,,",
    'Stars,Astro Ltd,,astrology,,,,,,,"Mon-Fry 9-5",,,,,,,',
    "Night shelter,Safe Night,Beds tonight,crisis,,1 Nethergate,Dundee,DD1 1AA,56.4598,-2.9716,"
    '"Fri-Sat 21:00-03:00",phone,not accepting,,,18,,£2 a night',
]


async def run(path: Path) -> ImportSummary:
    """Import a file as the command does."""
    async with httpx.AsyncClient() as client:
        source = await open_source(str(path), client)
        return await import_candidates(source.candidates, source.label)


def write(tmp_path: Path, rows: list[str], header: str = HEADER) -> Path:
    path = tmp_path / "services.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


async def test_good_lines_import_and_bad_lines_are_reported_by_line_and_field(tmp_path) -> None:
    await Postcode.insert(Postcode(postcode="DD23AB", latitude=56.4684, longitude=-3.0205))
    summary = await run(write(tmp_path, ROWS))
    assert (summary.created, summary.failed) == (2, 2)
    problems = [str(problem) for problem in summary.errors]
    assert "line 3, field 'latitude': is not a number" in problems
    assert "line 4, field 'categories': 'astrology' is not a need category we have" in problems
    assert "line 4, field 'hours': 'Fry' is not a day" in problems
    tenancy_id = uuid.uuid5(
        uuid.UUID("5d0e8a3c-1f4b-4c7e-8a2d-9b6f0e3c7a15"),
        "service:hillcrest futures|tenancy support",
    )
    records = {
        record.name: record
        for record in await load_services([row["id"] for row in await Service.select(Service.id)])
    }
    tenancy = records["Tenancy support"]
    assert tenancy.id == tenancy_id  # stable: from organisation and name
    assert [term.id for term in tenancy.terms] == [term_id("housing"), term_id("mental-health")]
    assert tenancy.referral_methods == ["network", "drop_in"]
    assert (tenancy.capacity_status, tenancy.capacity_waitlist_weeks) == ("waitlist", 6)
    assert tenancy.response_target_days == 5
    assert tenancy.minimum_age == 16
    assert tenancy.is_free
    assert sorted((lang.code, lang.name) for lang in tenancy.languages) == [
        ("ar", "Arabic"),
        ("pl", "Polish"),
    ]
    assert tenancy.point == (56.4684, -3.0205)  # from its postcode
    assert [(s.byday, s.opens_at, s.closes_at) for s in tenancy.schedules] == [
        ("MO,TU,WE,TH,FR", time(9), time(17)),
        ("SA", time(10), time(14)),
    ]
    shelter = records["Night shelter"]
    assert (shelter.capacity_status, shelter.is_free, shelter.fees_description) == (
        "not_accepting",
        False,
        "£2 a night",
    )
    assert (shelter.schedules[0].opens_at, shelter.schedules[0].closes_at) == (time(21), time(3))
    org = await Organisation.select().where(Organisation.name == "Safe Night").first()
    assert org is not None
    assert org["kind"] == "partner"
    assert await OrganisationProfile.exists().where(OrganisationProfile.organisation == org["id"])
    again = await run(write(tmp_path, ROWS))
    assert (again.created, again.updated, again.unchanged, again.failed) == (0, 0, 2, 2)
    changed = [ROWS[0].replace("Sat 10-14", "Sat 10-13"), ROWS[3]]
    edited = await run(write(tmp_path, changed))
    assert (edited.updated, edited.unchanged) == (1, 1)
    assert await Service.count() == 2
    with pytest.raises(Invalid, match="no organisation column"):
        await run(write(tmp_path, ["A service"], header="Name"))
    with pytest.raises(Invalid, match=r"HSDS services\.csv"):
        await run(write(tmp_path, [], header="id,organization_id,name,status"))


def test_hours_are_read_the_way_people_write_them() -> None:
    weekdays = "MO,TU,WE,TH,FR"
    cases = {
        "Mon-Fri 09:00-17:00": [ParsedRule("WEEKLY", weekdays, time(9), time(17))],
        "Mon - Fri 9-5": [ParsedRule("WEEKLY", weekdays, time(9), time(17))],
        "weekdays 8.30am-5pm": [ParsedRule("WEEKLY", weekdays, time(8, 30), time(17))],
        "Thu 9:30-12:30, 18:00-20:00": [
            ParsedRule("WEEKLY", "TH", time(9, 30), time(12, 30)),
            ParsedRule("WEEKLY", "TH", time(18), time(20)),
        ],
        "Fri-Sat 21:00-03:00": [ParsedRule("WEEKLY", "FR,SA", time(21), time(3))],
        "Sun-Tue 10-2": [ParsedRule("WEEKLY", "SU,MO,TU", time(10), time(14))],
        "Mon, Wed and Fri 10:00 to 12:00": [ParsedRule("WEEKLY", "MO,WE,FR", time(10), time(12))],
        "2nd Tue 18:00-20:00": [ParsedRule("MONTHLY", "2TU", time(18), time(20))],
        "last Fri 10am-2pm": [ParsedRule("MONTHLY", "-1FR", time(10), time(14))],
        "daily 24 hours": [ParsedRule("WEEKLY", "MO,TU,WE,TH,FR,SA,SU", time(0), time(0))],
        "Sat closed; Sun noon-4pm": [ParsedRule("WEEKLY", "SU", time(12), time(16))],
        "": [],
    }
    for text, expected in cases.items():
        assert parse_hours(text) == expected, text
    for bad in ("Mon-Fry 9-5", "9-5", "Mon 25:00-26:00", "Mon 9-", "Monday 9am-13pm"):
        with pytest.raises(HoursTextError):
            parse_hours(bad)
