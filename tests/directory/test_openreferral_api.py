"""The public Open Referral UK API: walked as the ORUK validator walks it, paging, errors,
CORS and throttling."""

from __future__ import annotations

import contextlib
import math
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx

from app import create_app
from directory.demo import seed_demo_directory
from hub.db import close_pool, get_engine, open_pool, transaction
from hub.demo import seed_demo_network
from tests.directory.factories import make_service, need
from tests.directory.test_openreferral_schemas import assert_valid, assert_valid_page, standards
from tests.support import make_organisation

API = "/openreferral"
LISTS = {
    # list path -> (item kind in the list, kind of the full record, its path)
    "services": ("service_list", "service", "services"),
    "service_at_locations": (
        "service_at_location_list",
        "service_at_location",
        "service_at_locations",
    ),
    "organizations": ("organization_list", "organization", "organizations"),
    "taxonomies": ("taxonomy", "taxonomy", "taxonomies"),
    "taxonomy_terms": ("taxonomy_term", "taxonomy_term", "taxonomy_terms"),
}


def client_from(app: Any, address: str) -> httpx.AsyncClient:
    """A client of `app` that it sees as coming from `address`."""
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="https://testserver.local")


async def get_page(client: httpx.AsyncClient, path: str, kind: str, **params: Any) -> Any:
    """One list page, checked against the schema and the envelope's arithmetic."""
    response = await client.get(f"{API}/{path}", params=params)
    assert response.status_code == 200, response.text
    assert response.headers["access-control-allow-origin"] == "*"
    body = response.json()
    assert_valid_page(body, kind)
    return body


@contextlib.asynccontextmanager
async def pooled() -> AsyncIterator[None]:
    """PostgreSQL's connection pool open, as the app's lifespan has it in production."""
    engine = get_engine()
    await open_pool(engine)
    try:
        yield
    finally:
        await close_pool(engine)


async def test_the_api_walks_cleanly_as_the_oruk_validator_walks_it(client) -> None:
    standards()
    await seed_demo_network()
    await seed_demo_directory()
    async with pooled():
        await walk(client)


async def walk(client: httpx.AsyncClient) -> None:
    """GET /; each list's first, middle and last page; then every id found, all validated."""
    root = await client.get(f"{API}/")
    assert root.status_code == 200
    assert_valid(root.json(), "root")
    assert root.json()["version"] == "3.0"
    per_page = 4
    for path, (item_kind, full_kind, _) in LISTS.items():
        first = await get_page(client, path, item_kind, per_page=per_page)
        pages = first["total_pages"]
        assert pages == max(1, math.ceil(first["total_items"] / per_page))
        found: list[str] = []
        for number in sorted({1, (pages + 1) // 2, pages}):  # first, middle and last
            page = await get_page(client, path, item_kind, per_page=per_page, page=number)
            assert page["page_number"] == number
            found.extend(item["id"] for item in page["contents"])
        for item_id in found:
            response = await client.get(f"{API}/{path}/{item_id}")
            assert response.status_code == 200, f"{path}/{item_id}: {response.text}"
            assert_valid(response.json(), full_kind)
            assert response.json()["id"] == item_id
        everything = await get_page(client, path, item_kind, per_page=200)
        every_id = [item["id"] for item in everything["contents"]]
        assert len(every_id) == len(set(every_id)) == first["total_items"]
        assert set(found) <= set(every_id)
    totals = {path: (await client.get(f"{API}/{path}")).json()["total_items"] for path in LISTS}
    assert totals["services"] >= 30
    assert totals["organizations"] == 19
    assert totals["service_at_locations"] > totals["services"]  # some are at two places


async def test_a_full_service_carries_everything_a_listing_says(client) -> None:
    org = await make_organisation("Housing First")
    saved = await make_service(
        org,
        name="Housing First Dundee",
        terms=[need("housing")],
        capacity_status="waitlist",
        capacity_waitlist_weeks=6,
        response_target_days=5,
        referral_methods=["network"],
        url="not a url",
    )
    body = (await client.get(f"{API}/services/{saved.id}")).json()
    assert_valid(body, "service")
    assert body["organization"]["name"] == "Housing First"
    assert body["attributes"][0]["taxonomy_term"]["code"] == "housing"
    schedule = body["schedules"][0]
    assert (schedule["freq"], schedule["byday"], schedule["opens_at"], schedule["closes_at"]) == (
        "WEEKLY",
        "MO,TU,WE,TH,FR",
        "09:00:00",
        "17:00:00",
    )
    place = body["service_at_locations"][0]["location"]
    assert (place["latitude"], place["longitude"]) == (56.4685, -3.021)
    assert place["addresses"][0]["postal_code"] == "DD2 3AA"
    extension = body["wraparound"]
    assert extension["capacity"] == {
        "status": "waitlist",
        "waitlist_weeks": 6,
        "note": "",
        "updated_at": None,
    }
    assert extension["referral_methods"] == ["network"]
    assert extension["response_target_days"] == 5
    assert "url" not in body  # a malformed stored URL is left out rather than break the feed


async def test_paging_arithmetic_and_bad_paging(client) -> None:
    org = await make_organisation()
    names = [f"Service {n:02d}" for n in range(7)]
    async with transaction():
        for name in reversed(names):
            await make_service(org, name=name)
    cases = [
        # (per_page, page, expected), 7 services in all
        (3, 1, {"total_pages": 3, "size": 3, "first_page": True, "last_page": False}),
        (3, 2, {"total_pages": 3, "size": 3, "first_page": False, "last_page": False}),
        (3, 3, {"total_pages": 3, "size": 1, "first_page": False, "last_page": True}),
        (3, 4, {"total_pages": 3, "size": 0, "empty": True, "last_page": True}),
        (7, 1, {"total_pages": 1, "size": 7, "first_page": True, "last_page": True}),
    ]
    for per_page, page, expected in cases:
        body = await get_page(client, "services", "service_list", per_page=per_page, page=page)
        assert body["total_items"] == 7
        assert {key: body[key] for key in expected} == expected, (per_page, page)
        start = (page - 1) * per_page
        assert [item["name"] for item in body["contents"]] == names[start : start + per_page]
    nothing = await get_page(client, "services", "service_list", search="no such thing")
    assert (nothing["total_items"], nothing["total_pages"], nothing["empty"]) == (0, 1, True)
    assert nothing["first_page"]
    assert nothing["last_page"]
    org = await make_organisation()
    await make_service(org)
    for params in ({"page": "0"}, {"page": "x"}, {"per_page": "-1"}, {"per_page": 100000}):
        response = await client.get(f"{API}/services", params=params)
        assert response.status_code == 400, params
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers["access-control-allow-origin"] == "*"
        assert set(response.json()["errors"]) <= {"page", "per_page"}


async def test_defunct_and_unknown_records_are_not_found(client) -> None:
    org = await make_organisation("Closed Charity")
    gone = await make_service(org, status="defunct")
    live_org = await make_organisation("Open Charity")
    closed_for_now = await make_service(live_org, status="temporarily closed")
    listed = (await client.get(f"{API}/services")).json()
    assert [item["id"] for item in listed["contents"]] == [str(closed_for_now.id)]
    assert (await client.get(f"{API}/services/{gone.id}")).status_code == 404
    assert (await client.get(f"{API}/organizations/{org.id}")).status_code == 404
    organisations = (await client.get(f"{API}/organizations")).json()["contents"]
    assert [item["name"] for item in organisations] == ["Open Charity"]
    links = (await client.get(f"{API}/service_at_locations")).json()["contents"]
    assert {item["service_id"] for item in links} == {str(closed_for_now.id)}
    for path in LISTS:
        for bad in (str(uuid.uuid4()), "not-an-id"):
            response = await client.get(f"{API}/{path}/{bad}", headers={"Accept": "text/html"})
            assert response.status_code == 404, path
            assert response.headers["content-type"] == "application/problem+json"
            assert response.headers["access-control-allow-origin"] == "*"
            assert response.json()["status"] == 404
    nowhere = await client.get(f"{API}/servicez", headers={"Accept": "text/html"})
    assert nowhere.status_code == 404
    assert nowhere.headers["content-type"] == "application/problem+json"


async def test_one_address_is_throttled_and_others_are_not(monkeypatch) -> None:
    monkeypatch.setenv("OPENREFERRAL_BURST", "5")
    monkeypatch.setenv("OPENREFERRAL_RATE_PER_MINUTE", "1")
    app = create_app()
    async with client_from(app, "203.0.113.7") as greedy, client_from(app, "203.0.113.8") as other:
        calls = [await greedy.get(f"{API}/") for _ in range(5)]
        assert [call.status_code for call in calls] == [200] * 5
        refused = await greedy.get(f"{API}/services")
        assert refused.status_code == 429
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.headers["access-control-allow-origin"] == "*"
        assert int(refused.headers["retry-after"]) >= 1
        assert refused.json()["status"] == 429
        assert (await other.get(f"{API}/")).status_code == 200
        assert (await greedy.get(f"{API}/")).status_code == 429
    from directory.openreferral.throttle import Throttle

    throttle = Throttle(per_minute=60, burst=2)
    assert throttle.take("a", now=0.0) == 0
    assert throttle.take("a", now=0.0) == 0
    assert throttle.take("a", now=0.0) == 1  # one a second: wait a second
    assert throttle.take("b", now=0.0) == 0  # another address has its own bucket
    assert throttle.take("a", now=1.0) == 0
    assert throttle.take("a", now=1.0) == 1


async def test_list_items_are_one_to_one_fields_and_cors_is_open_on_the_api_only(client) -> None:
    org = await make_organisation()
    await make_service(org, terms=[need("food")])
    item = (await client.get(f"{API}/services")).json()["contents"][0]
    assert not {"schedules", "service_at_locations", "attributes"} & set(item)
    assert item["organization"]["id"] == str(org.id)
    response = await client.get(f"{API}/", headers={"Origin": "https://elsewhere.example"})
    assert response.headers["access-control-allow-origin"] == "*"
    assert "set-cookie" not in response.headers
    preflight = await client.options(
        f"{API}/services",
        headers={"Origin": "https://elsewhere.example", "Access-Control-Request-Method": "GET"},
    )
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert "GET" in preflight.headers["access-control-allow-methods"]
    elsewhere = await client.get("/sign-in", headers={"Origin": "https://elsewhere.example"})
    assert "access-control-allow-origin" not in elsewhere.headers
