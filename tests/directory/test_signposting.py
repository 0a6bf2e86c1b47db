"""Signposting: a worker's list, add/remove (plain and htmx), print, the 30-day link, counts."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from directory.signposting.services import counts_for
from directory.tables import SignpostCount, SignpostItem, SignpostList
from hub import clock
from tests.directory.factories import make_service, need
from tests.directory.listings_support import browser, first_row, post, signed_in
from tests.support import make_organisation, make_staff

TUESDAY = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
HTMX = {"HX-Request": "true"}


@pytest.fixture
async def client():
    """A browser on the app these tests share (overrides the fresh-app one)."""
    async with browser() as web:
        yield web


@pytest.fixture
async def worker_client(client):
    """A hub worker signed in, and two partner services: (client, worker, housing, food)."""
    clock.freeze(TUESDAY)
    hub = await make_organisation(name="Lochee Hub", kind="hub")
    worker = await make_staff(hub)
    partner = await make_organisation(name="Housing First")
    housing = await make_service(
        partner,
        name="Housing Options",
        description="Advice if you might lose your home",
        terms=[need("housing"), need("money")],
        phones=[],
    )
    food = await make_service(partner, name="Pop Up Shop", terms=[need("food"), need("housing")])
    await signed_in(client, worker)
    return client, worker, housing, food


async def test_adding_and_removing_without_javascript_goes_back_to_the_search(worker_client):
    client, worker, housing, food = worker_client
    search = "/directory?q=housing&when=now"
    added = await post(
        client, "/directory/list/add", {"service_id": str(housing.id), "next": search}
    )
    assert added.status_code == 303
    assert added.headers["location"] == search
    await post(client, "/directory/list/add", {"service_id": str(food.id), "next": search})
    await post(client, "/directory/list/add", {"service_id": str(food.id), "next": search})
    assert await SignpostItem.count() == 2  # no duplicates
    page = await client.get("/directory/list")
    assert page.text.index("Housing Options") < page.text.index("Pop Up Shop")
    removed = await post(
        client, "/directory/list/remove", {"service_id": str(food.id), "next": "/directory/list"}
    )
    assert removed.headers["location"] == "/directory/list"
    assert "Pop Up Shop" not in (await client.get("/directory/list")).text
    lists = await SignpostList.select()
    assert len(lists) == 1
    assert lists[0]["created_by"] == worker.id
    # Only a path on this site is followed back.
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:x"):
        response = await post(
            client, "/directory/list/add", {"service_id": str(housing.id), "next": target}
        )
        assert response.headers["location"] == "/directory/list", target


async def test_htmx_gets_the_button_back_in_its_new_state(worker_client):
    client, _, housing, _ = worker_client
    data = {"service_id": str(housing.id), "next": "/directory?q=x"}
    added = await post(client, "/directory/list/add", data, headers=HTMX)
    assert added.status_code == 200
    assert "<html" not in added.text
    assert 'action="/directory/list/remove"' in added.text
    assert 'hx-post="/directory/list/remove"' in added.text
    assert "1 service on the list" in added.text
    assert 'name="_csrf_token"' in added.text  # the swapped-in form can be posted again
    removed = await post(client, "/directory/list/remove", data, headers=HTMX)
    assert 'action="/directory/list/add"' in removed.text
    # A boosted request is a page load: it gets the redirect.
    boosted = await post(
        client, "/directory/list/add", data, headers={**HTMX, "HX-Boosted": "true"}
    )
    assert boosted.status_code == 303


async def test_printing_hands_over_counts_once_and_starts_a_new_list(worker_client):
    client, _, housing, food = worker_client
    for service in (housing, food):
        await post(client, "/directory/list/add", {"service_id": str(service.id), "next": "/"})
    handed = await post(client, "/directory/list/hand-over", {"mode": "print"})
    assert handed.status_code == 303
    sheet_url = handed.headers["location"]
    assert sheet_url.endswith("/print")
    sheet = await client.get(sheet_url)
    assert sheet.status_code == 200
    for words in ("Housing Options", "Advice if you might lose your home",
                  "Monday, Tuesday, Wednesday, Thursday, Friday: 09:00 to 17:00",
                  "1 High Street, Dundee DD2 3AA", "/s/"):  # fmt: skip
        assert words in sheet.text, words
    # One signposting per service per need: housing twice (both services), money and food once.
    assert await counts_for(date(2026, 11, 24)) == {"housing": 2, "money": 1, "food": 1}
    # Looking at the sheet again, or trying to hand over again, does not count again.
    await client.get(sheet_url)
    again = await post(client, "/directory/list/hand-over", {"mode": "link"})
    assert again.status_code == 422
    assert await counts_for(date(2026, 11, 24)) == {"housing": 2, "money": 1, "food": 1}
    # The next add starts a fresh list; a second hand-over the same day adds to the counts.
    assert "The list is empty" in (await client.get("/directory/list")).text
    await post(client, "/directory/list/add", {"service_id": str(housing.id), "next": "/"})
    assert await SignpostList.count() == 2
    linked = await post(client, "/directory/list/hand-over", {"mode": "link"})
    assert linked.headers["location"].endswith("/link")
    assert await counts_for(date(2026, 11, 24)) == {"housing": 3, "money": 2, "food": 1}
    assert await SignpostCount.count() == 3  # one row per need per day


async def test_the_link_works_for_thirty_days_for_anyone_then_says_so_kindly(worker_client):
    client, worker, housing, _ = worker_client
    await post(client, "/directory/list/add", {"service_id": str(housing.id), "next": "/"})
    linked = await post(client, "/directory/list/hand-over", {"mode": "link"})
    link_page = await client.get(linked.headers["location"])
    token = (await first_row(SignpostList.select(SignpostList.token)))["token"]
    assert f"/s/{token}" in link_page.text
    assert "24 December 2026" in link_page.text
    async with browser() as visitor:  # not signed in
        shared = await visitor.get(f"/s/{token}")
        assert shared.status_code == 200
        assert "Housing Options" in shared.text
        assert "noindex" in shared.text
        assert worker.name not in shared.text
        assert worker.email not in shared.text
        assert "Lochee Hub" not in shared.text
        clock.advance(timedelta(days=30))
        expired = await visitor.get(f"/s/{token}")
        assert expired.status_code == 410
        assert "This list has expired" in expired.text
        assert "Housing Options" not in expired.text


async def test_a_list_not_handed_over_has_no_working_link_or_sheet(worker_client):
    client, _, housing, _ = worker_client
    await post(client, "/directory/list/add", {"service_id": str(housing.id), "next": "/"})
    row = await first_row(SignpostList.select())
    async with browser() as visitor:
        assert (await visitor.get(f"/s/{row['token']}")).status_code == 404
    assert (await client.get(f"/directory/list/{row['id']}/print")).status_code == 302
    empty = await post(client, "/directory/list/remove", {"service_id": str(housing.id)})
    assert empty.status_code == 303
    refused = await post(client, "/directory/list/hand-over", {"mode": "print"})
    assert refused.status_code == 422
    assert await SignpostCount.count() == 0
    unknown = await post(client, "/directory/list/add", {"service_id": str(uuid.uuid4())})
    assert unknown.status_code == 404
