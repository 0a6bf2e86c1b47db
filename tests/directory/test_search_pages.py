"""The staff search page: full page without JavaScript, results-only for htmx, filters, counts."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from directory.hours import LONDON
from directory.tables import Postcode
from hub import clock
from hub.db import close_pool, get_engine, open_pool, raw
from tests.directory.factories import location, make_service, need, weekly
from tests.support import make_organisation, make_staff, sign_in

MONDAY_AFTERNOON = datetime(2026, 11, 23, 14, 0, tzinfo=LONDON)
HTMX = {"HX-Request": "true"}


@pytest.fixture(scope="module", autouse=True)
async def pooled():
    """A connection pool on PostgreSQL (a new connection per query made these tests slow)."""
    engine = get_engine()
    await open_pool(engine)
    yield
    await close_pool(engine)


@pytest.fixture(autouse=True)
async def empty_search_index(clean_database: None) -> None:
    """The index too: on PostgreSQL the clean-up's DELETEs skip foreign-key cascades."""
    await raw("DELETE FROM directory_search_doc")


async def signed_in_worker(client):
    """A hub worker of a hub with a place near Lochee, signed in."""
    hub = await make_organisation(name="Lochee Hub", kind="hub")
    await make_service(hub, name="Hub drop-in", description="Walk in for anything")
    worker = await make_staff(hub)
    await sign_in(client, worker.email)
    return hub


def count_of(html: str, element_id: str) -> str:
    """The facet count shown in the element with this id."""
    match = re.search(rf'id="{element_id}"[^>]*>\((\d+)\)', html)
    assert match, f"no count {element_id}"
    return match.group(1)


async def test_the_search_page_is_for_staff_only(client):
    response = await client.get("/directory")
    assert response.status_code in {302, 303, 401}


async def test_the_full_page_shows_results_with_what_staff_need(client):
    clock.freeze(MONDAY_AFTERNOON)
    hub = await signed_in_worker(client)
    partner = await make_organisation(name="Housing First")
    service = await make_service(
        partner,
        name="Housing First Dundee",
        description="Keys first, then support with whatever else is going on.",
        terms=[need("housing", "Housing")],
        capacity_status="waitlist",
        capacity_waitlist_weeks=6,
        verified_at=MONDAY_AFTERNOON - timedelta(days=400),
        locations=[location(partner, (56.4820, -3.0210))],
    )
    response = await client.get("/directory", params={"q": "housing"})
    assert response.status_code == 200
    html = response.text
    assert "<html" in html
    assert 'id="search-results" aria-live="polite"' in html
    assert "1 service found" in html
    assert f'href="/directory/services/{service.id}"' in html
    assert "Housing First Dundee" in html
    assert "Housing First</p>" in html
    assert "Keys first, then support" in html
    assert "Open now until 17:00" in html
    assert "Waiting list (about 6 weeks)" in html
    assert "Network e-referral, Phone" in html
    assert "1.5 km (0.9 miles)" in html
    assert f"Distances are from {hub.name}" in html
    assert "Not recently checked" in html
    # Add to list: a small POST form back to this search.
    assert 'action="/directory/list/add"' in html
    assert f'name="service_id" value="{service.id}"' in html
    assert 'name="next" value="/directory?q=housing"' in html
    assert 'name="_csrf_token"' in html
    # Live search without inline script.
    assert 'hx-get="/directory"' in html
    assert 'hx-push-url="true"' in html
    assert "<script>" not in html
    assert count_of(html, "count-category-housing") == "1"
    assert 'href="/directory"' in html  # in the staff navigation


async def test_htmx_gets_only_the_results_and_fresh_counts(client):
    await signed_in_worker(client)
    partner = await make_organisation()
    await make_service(partner, name="Food Larder", terms=[need("food", "Food")])
    response = await client.get("/directory", params={"q": "food"}, headers=HTMX)
    assert response.status_code == 200
    html = response.text
    assert "<html" not in html
    assert "1 service found" in html
    assert 'id="count-category-food" hx-swap-oob="true">(1)' in html
    assert 'id="language" name="language" hx-swap-oob="true"' in html
    boosted = await client.get(
        "/directory", params={"q": "food"}, headers={**HTMX, "HX-Boosted": "true"}
    )
    assert "<html" in boosted.text


async def test_filters_and_counts_on_the_page(client):
    clock.freeze(MONDAY_AFTERNOON)
    await signed_in_worker(client)
    partner = await make_organisation()
    await make_service(partner, name="Evening Club", schedules=[weekly("MO", 18, 21)])
    await make_service(
        partner, name="Day Club", referral_methods=["phone"], schedules=[weekly("MO", 9, 17)]
    )
    html = (await client.get("/directory")).text
    assert "3 services found" in html
    assert count_of(html, "count-evenings") == "1"
    assert count_of(html, "count-open-now") == "2"
    assert count_of(html, "count-network") == "2"
    evenings = await client.get("/directory", params={"evenings": "true"})
    assert "1 service found" in evenings.text
    assert "Evening Club" in evenings.text
    open_now = await client.get("/directory", params={"when": "now", "network": "true"})
    assert "1 service found" in open_now.text
    assert "Hub drop-in" in open_now.text
    at_seven = await client.get(
        "/directory", params={"when": "at", "day": "today", "time": "19:00"}
    )
    assert "1 service found" in at_seven.text
    assert "Evening Club" in at_seven.text


async def test_distance_from_a_postcode_and_nearest_first(client):
    await signed_in_worker(client)
    partner = await make_organisation()
    await Postcode.insert(Postcode(postcode="DD14HN", latitude=56.4620, longitude=-2.9707))
    await make_service(
        partner, name="City Centre Help", locations=[location(partner, (56.4625, -2.9710))]
    )
    response = await client.get(
        "/directory",
        params={"near": "postcode", "postcode": "dd1 4hn", "distance": "1", "sort": "distance"},
    )
    html = response.text
    assert "1 service found" in html
    assert "City Centre Help" in html
    assert "Distances are from DD1 4HN" in html
    unknown = await client.get("/directory", params={"near": "postcode", "postcode": "ZZ9 9ZZ"})
    assert "We could not find where ZZ9 9ZZ is: distances are from the hub." in unknown.text
    malformed = await client.get("/directory", params={"near": "postcode", "postcode": "DD"})
    assert "Enter a postcode like DD2 3AA, or just its first part like DD2" in malformed.text


async def test_bad_input_is_explained_not_fatal(client):
    await signed_in_worker(client)
    response = await client.get("/directory", params={"age": "old", "when": "at", "time": "late"})
    assert response.status_code == 200
    assert "Enter age as a whole number of years" in response.text
    assert "Enter a time like 18:30" in response.text
    assert "1 service found" in response.text
    fragment = await client.get("/directory", params={"age": "old"}, headers=HTMX)
    assert "Enter age as a whole number of years" in fragment.text


async def test_pages_of_results_link_to_each_other(client):
    await signed_in_worker(client)
    partner = await make_organisation()
    for n in range(21):
        await make_service(partner, name=f"Peer group {n:02d}")
    html = (await client.get("/directory", params={"q": "peer"})).text
    assert "21 services found" in html
    links = re.findall(r'href="(/directory\?[^"]*page=2[^"]*)"', html)
    assert links
    query = parse_qs(urlsplit(links[0].replace("&amp;", "&")).query)
    assert query == {"q": ["peer"], "page": ["2"]}
    second = (await client.get(links[0].replace("&amp;", "&"))).text
    assert second.count('class="wa-result') == 1


async def test_a_corrected_search_says_so_and_offers_the_words_as_typed(client):
    await signed_in_worker(client)
    partner = await make_organisation(name="Housing First")
    await make_service(partner, name="Housing options", description="Somewhere to live")
    page = await client.get("/directory", params={"q": "housng"})
    assert "Showing results for <strong>housing</strong>" in page.text
    assert "1 service found" in page.text
    link = re.search(r'<a class="govuk-link" href="([^"]+)">Search for “housng” instead', page.text)
    assert link, "no link to the words as typed"
    exact = await client.get(link.group(1).replace("&amp;", "&"))
    assert "No services found" in exact.text
    assert "Showing results for" not in exact.text
    fragment = await client.get("/directory", params={"q": "housng"}, headers=HTMX)
    assert "Showing results for <strong>housing</strong>" in fragment.text
    assert "<html" not in fragment.text


async def test_nothing_found_is_never_a_dead_end(client):
    clock.freeze(MONDAY_AFTERNOON)
    await signed_in_worker(client)  # the hub's drop-in is open on Monday afternoons
    page = await client.get("/directory", params={"q": "zzyzx kitchens"})
    assert "No services found" in page.text
    assert 'id="open-now-heading"' in page.text
    assert "Hub drop-in" in page.text  # open now, nearest the hub
    needs = await client.get("/directory", params={"q": "hungrry tonite"})
    suggested = needs.text.split('id="suggested-needs"')[1].split("</ul>")[0]
    assert 'href="/directory?category=food"' in suggested  # the need it most looks like


async def test_the_search_boxes_examples_each_find_something(client):
    """The hints under the home page's and the search page's boxes, on the demo directory."""
    from directory.demo import seed_demo_directory
    from hub.demo import seed_demo_network

    await seed_demo_network()
    await seed_demo_directory()
    hub = await make_organisation(name="Example Hub", kind="hub")
    await sign_in(client, (await make_staff(hub)).email)
    home = (await client.get("/")).text
    search = (await client.get("/directory")).text
    home_hint = re.search(r'id="home-q-hint">For example: ([^<]+)</div>', home)
    search_hint = re.search(r"A need, a service or an organisation, like ([^<\"]+)", search)
    assert home_hint
    assert search_hint
    examples = [part.strip() for part in home_hint.group(1).split(",")]
    examples += [part.strip() for part in search_hint.group(1).split(" or ")]
    assert "food tonight" in examples
    assert "food bank" in examples
    thursday_evening = datetime(2026, 11, 26, 18, 30, tzinfo=LONDON)
    for example in examples:
        clock.freeze(thursday_evening)  # "tonight" needs something open: a weekday evening
        page = await client.get("/directory", params={"q": example})
        assert "No services found" not in page.text, example


async def test_odd_numbers_in_the_address_are_explained_not_fatal(client):
    await signed_in_worker(client)
    for params in ({"page": "²"}, {"page": "99999999999999999999"}, {"age": "²"}, {"age": "٣٤"}):
        response = await client.get("/directory", params=params)
        assert response.status_code == 200, params
    aged = await client.get("/directory", params={"age": "²"})
    assert "Enter age as a whole number of years" in aged.text
