"""Organisation admins editing their listings through the pages: each form, errors, hours."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from directory.hours import LONDON
from directory.read import load_service
from directory.tables import Postcode, Service, ServiceChange
from hub import clock
from tests.directory.factories import make_service, need
from tests.directory.listings_support import browser, first_row, org_with_admin, post, signed_in


@pytest.fixture
async def client():
    """A browser on the app these tests share (overrides the fresh-app one)."""
    async with browser() as web:
        yield web


MONDAY_NOON = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


@pytest.fixture
async def admin_client(client):
    """A signed-in org admin with one listing: (client, organisation, admin, listing)."""
    clock.freeze(MONDAY_NOON)
    organisation, admin = await org_with_admin("Housing First")
    listing = await make_service(organisation, name="Tenancy Support", terms=[need("housing")])
    await signed_in(client, admin)
    return client, organisation, admin, listing


async def test_details_are_saved_and_kept_in_history(admin_client):
    client, _, admin, listing = admin_client
    form = {
        "name": "Tenancy Sustainment",
        "description": "Help to keep your home.",
        "eligibility_description": "Tenants in Dundee",
        "minimum_age": "16",
        "maximum_age": "",
        "is_free": "true",
        "fees_description": "",
        "url": "https://housingfirst.example",
        "email": "Help@HousingFirst.example",
        "status": "active",
    }
    response = await post(client, f"/directory/listings/{listing.id}/details", form)
    assert response.status_code == 303
    assert response.headers["location"] == f"/directory/listings/{listing.id}?saved=details"
    record = await load_service(listing.id)
    assert record is not None
    assert (record.name, record.minimum_age, record.maximum_age) == (
        "Tenancy Sustainment",
        16,
        None,
    )
    assert record.email == "help@housingfirst.example"
    rows = await ServiceChange.select().where(ServiceChange.service_id == listing.id)
    assert len(rows) == 2
    edit = next(row for row in rows if row["summary"] == "Details changed")
    assert edit["changed_by"] == admin.id
    summary = await client.get(f"/directory/listings/{listing.id}?saved=details")
    assert "Details saved." in summary.text
    assert "16 and over" in summary.text


async def test_a_form_with_errors_saves_nothing_and_keeps_what_was_typed(admin_client):
    client, _, _, listing = admin_client
    before = await load_service(listing.id)
    response = await post(
        client,
        f"/directory/listings/{listing.id}/details",
        {
            "name": "",
            "description": "Still typed",
            "minimum_age": "40",
            "maximum_age": "18",
            "url": "javascript:alert(1)",
            "email": "not-an-address",
            "status": "active",
        },
    )
    assert response.status_code == 422
    text = response.text
    assert "govuk-error-summary" in text
    for anchor in ("#name", "#maximum_age", "#url", "#email", "#fees_description"):
        assert f'href="{anchor}"' in text
    assert "Still typed" in text
    assert await load_service(listing.id) == before
    assert await ServiceChange.count().where(ServiceChange.service_id == listing.id) == 1


async def test_referral_capacity_categories_languages_and_phones(admin_client):
    client, _, _, listing = admin_client
    base = f"/directory/listings/{listing.id}"
    saved = [
        await post(
            client,
            f"{base}/referral",
            {
                "referral_methods": ["self", "network"],
                "referral_instructions": "Ring first",
                "response_target_days": "3",
            },
        ),
        await post(client, f"{base}/categories", {"categories": ["housing", "money"]}),
        await post(client, f"{base}/languages", {"languages": ["en", "pl"]}),
        await post(
            client,
            f"{base}/phones",
            {
                "phones-0-number": "01382 111 222",
                "phones-0-description": "Duty line",
                "phones-1-number": "",
                "phones-1-description": "",
            },
        ),
    ]
    assert [r.status_code for r in saved] == [303, 303, 303, 303]
    record = await load_service(listing.id)
    assert record is not None
    assert record.referral_methods == ["network", "self"]
    assert record.response_target_days == 3
    assert [t.code for t in record.terms] == ["housing", "money"]
    assert [lang.name for lang in record.languages] == ["English", "Polish"]
    assert [(p.number, p.description) for p in record.phones] == [("01382 111 222", "Duty line")]

    refused = [
        await post(client, f"{base}/referral", {"referral_methods": ["carrier-pigeon"]}),
        await post(client, f"{base}/categories", {"categories": []}),
        await post(client, f"{base}/languages", {"languages": ["xx"]}),
        await post(client, f"{base}/phones", {"phones-0-number": "call me"}),
        await post(
            client,
            f"{base}/capacity",
            {"capacity_status": "waitlist", "capacity_waitlist_weeks": "lots"},
        ),
    ]
    assert [r.status_code for r in refused] == [422] * 5
    assert await load_service(listing.id) == record


async def test_capacity_time_moves_only_when_capacity_changes(admin_client):
    client, _, admin, listing = admin_client
    url = f"/directory/listings/{listing.id}/capacity"
    form = {"capacity_status": "waitlist", "capacity_waitlist_weeks": "6", "capacity_note": "Busy"}
    assert (await post(client, url, form)).status_code == 303
    first = await load_service(listing.id)
    assert first is not None
    assert first.capacity_text == "Waiting list (about 6 weeks)"
    assert first.capacity_updated_at == MONDAY_NOON
    clock.advance(timedelta(days=2))
    await signed_in(client, admin)  # the first session timed out meanwhile
    assert (await post(client, url, form)).status_code == 303
    same = await load_service(listing.id)
    assert same is not None
    assert same.capacity_updated_at == MONDAY_NOON  # nothing changed, so not "updated"
    form["capacity_status"] = "accepting"
    await post(client, url, form)
    changed = await load_service(listing.id)
    assert changed is not None
    assert changed.capacity_updated_at == MONDAY_NOON + timedelta(days=2)
    assert changed.capacity_waitlist_weeks is None  # weeks only mean something on a waitlist


async def test_hours_round_trip_with_split_day_overnight_and_monthly(admin_client):
    client, _, _, listing = admin_client
    url = f"/directory/listings/{listing.id}/hours"
    record = await load_service(listing.id)
    page = await client.get(url)
    # Monday to Friday 9 to 5 shows as a row per day, then a blank row for another.
    assert page.text.count('name="rows-') // 6 == 6
    # Adding or removing a row shows the form again and saves nothing.
    form = {
        "rows-0-week": "", "rows-0-day": "SA", "rows-0-opens-1": "10:00",
        "rows-0-closes-1": "14:00", "rows-0-opens-2": "", "rows-0-closes-2": "",
    }  # fmt: skip
    added = await post(client, url, {**form, "action": "add-row"})
    assert added.status_code == 200
    assert 'id="rows-1-day"' in added.text
    assert 'value="10:00"' in added.text
    removed = await post(client, url, {**form, "action": "remove-0"})
    assert removed.status_code == 200
    assert 'id="rows-0-day"' not in removed.text
    assert await load_service(listing.id) == record
    form = {
        "rows-0-week": "", "rows-0-day": "MO", "rows-0-opens-1": "9", "rows-0-closes-1": "13:00",
        "rows-0-opens-2": "18:00", "rows-0-closes-2": "21:00",
        "rows-1-week": "", "rows-1-day": "FR", "rows-1-opens-1": "22:00",
        "rows-1-closes-1": "06:00", "rows-1-opens-2": "", "rows-1-closes-2": "",
        "rows-2-week": "2", "rows-2-day": "TU", "rows-2-opens-1": "10:00",
        "rows-2-closes-1": "12:00", "rows-2-opens-2": "", "rows-2-closes-2": "",
        "action": "save",
    }  # fmt: skip
    assert (await post(client, url, form)).status_code == 303
    record = await load_service(listing.id)
    assert record is not None
    hours = record.hours()
    saturday_1am = datetime(2026, 11, 28, 1, 0, tzinfo=LONDON)
    assert hours.is_open(saturday_1am)  # Friday's overnight opening
    assert not hours.is_open(datetime(2026, 11, 23, 15, 0, tzinfo=LONDON))  # Monday's gap
    assert hours.is_open(datetime(2026, 12, 8, 11, 0, tzinfo=LONDON))  # second Tuesday
    assert not hours.is_open(datetime(2026, 12, 1, 11, 0, tzinfo=LONDON))  # first Tuesday
    page = await client.get(url)
    assert 'value="18:00"' in page.text
    assert "Friday: 22:00 to 06:00 next day" in page.text
    # Saving the same hours again records no new change.
    changes = await ServiceChange.count().where(ServiceChange.service_id == listing.id)
    assert (await post(client, url, form)).status_code == 303
    assert await ServiceChange.count().where(ServiceChange.service_id == listing.id) == changes
    # A row with an impossible time: 422, the box flagged, nothing saved.
    form["rows-2-closes-1"] = "12:75"
    bad = await post(client, url, form)
    assert bad.status_code == 422
    assert 'href="#rows-2-closes-1"' in bad.text
    assert await load_service(listing.id) == record


async def test_a_bank_holiday_closure_and_a_late_opening(admin_client):
    client, _, _, listing = admin_client
    url = f"/directory/listings/{listing.id}/exceptions"
    christmas = {
        "on_date_day": "25", "on_date_month": "12", "on_date_year": "2026",
        "kind": "closed", "description": "Christmas Day",
    }  # fmt: skip
    late = {
        "on_date_day": "23", "on_date_month": "12", "on_date_year": "2026",
        "kind": "open", "opens_at": "18:00", "closes_at": "02:00",
    }  # fmt: skip
    assert (await post(client, url, christmas)).status_code == 303
    assert (await post(client, url, late)).status_code == 303
    record = await load_service(listing.id)
    assert record is not None
    hours = record.hours()
    assert not hours.is_open(datetime(2026, 12, 25, 12, 0, tzinfo=LONDON))  # a Friday
    assert hours.is_open(datetime(2026, 12, 24, 1, 0, tzinfo=LONDON))  # after midnight
    assert not hours.is_open(datetime(2026, 12, 23, 12, 0, tzinfo=LONDON))  # usual hours off
    page = await client.get(url)
    assert "Closed on 25 December 2026 (Christmas Day)" in page.text
    detail = await client.get(f"/directory/services/{listing.id}")
    assert "Closed on 25 December 2026 (Christmas Day)" in detail.text
    again = await post(client, url, christmas)
    assert again.status_code == 422
    assert "remove it first" in again.text
    closed = next(e for e in record.exceptions if e.closed)
    removed = await post(client, f"{url}/{closed.id}/remove", {})
    assert removed.status_code == 303
    record = await load_service(listing.id)
    assert record is not None
    assert [e.on_date.day for e in record.exceptions] == [23]


async def test_the_place_takes_its_point_from_the_postcode(admin_client):
    client, _, _, listing = admin_client
    await Postcode.insert(Postcode(postcode="DD23AA", latitude=56.47, longitude=-3.02))
    response = await post(
        client,
        f"/directory/listings/{listing.id}/location",
        {
            "location_name": "Lochee Hub",
            "address_1": "1 High Street",
            "city": "Dundee",
            "postal_code": "dd2 3aa",
            "transportation": "Bus 22 to Lochee",
            "accessibility": "Step-free entrance",
        },
    )
    assert response.status_code == 303
    record = await load_service(listing.id)
    assert record is not None
    place = record.locations[0]
    assert (place.postal_code, place.latitude, place.longitude) == ("DD2 3AA", 56.47, -3.02)
    assert place.accessibility[0].description == "Step-free entrance"
    bad = await post(
        client,
        f"/directory/listings/{listing.id}/location",
        {"address_1": "", "postal_code": "NOT A CODE", "latitude": "95", "longitude": "1"},
    )
    assert bad.status_code == 422
    for field in ("address_1", "postal_code", "latitude"):
        assert f'href="#{field}"' in bad.text


async def test_mark_as_checked_records_who_and_when(admin_client):
    client, _, admin, listing = admin_client
    await Service.update({Service.verified_at: MONDAY_NOON - timedelta(days=400)}).where(
        Service.id == listing.id
    )
    assert "Not recently checked" in (await client.get(f"/directory/services/{listing.id}")).text
    response = await post(client, f"/directory/listings/{listing.id}/verify", {})
    assert response.status_code == 303
    row = await first_row(Service.select().where(Service.id == listing.id))
    assert row["verified_at"] == MONDAY_NOON
    assert row["verified_by"] == admin.id
    assert row["assured_date"] == MONDAY_NOON.date()
    detail = await client.get(f"/directory/services/{listing.id}")
    assert f"Checked by {admin.name} on 23 November 2026" in detail.text
    assert "Not recently checked" not in detail.text


async def test_adding_a_service(admin_client):
    client, organisation, admin, _ = admin_client
    response = await post(
        client,
        "/directory/listings/new",
        {
            "name": "Money Matters",
            "description": "Benefits checks",
            "is_free": "",
            "fees_description": "£5 a session",
            "status": "active",
        },
    )
    assert response.status_code == 303
    row = await first_row(Service.select().where(Service.name == "Money Matters"))
    assert row["organisation"] == organisation.id
    assert row["is_free"] is False
    assert row["verified_by"] == admin.id
    listings = await client.get("/directory/listings")
    assert "Money Matters" in listings.text
    missing = await post(client, "/directory/listings/new", {"name": "", "status": "active"})
    assert missing.status_code == 422
    assert await Service.count() == 2
