"""The public Open Referral API never answers 500 to what a caller puts in the query.

Huge numbers used to overflow SQLite's integers (`page=99999999999999999999999`). Every numeric
and date parameter is bounded and checked; a bad one gets a 400 problem response naming the
limit. A property test throws random strings, huge numbers and odd Unicode at every parameter
of every list endpoint.
"""

from __future__ import annotations

import itertools

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from directory.openreferral.params import MAX_PAGE, MAX_PER_PAGE
from hub.db import transaction
from tests.consent.fixtures import pooled, shared_app
from tests.directory.factories import make_service
from tests.support import make_organisation

__all__ = ["pooled"]

API = "/openreferral"
SERVICE_PARAMS = (
    "page",
    "per_page",
    "search",
    "taxonomy_term_id",
    "taxonomy_id",
    "organization_id",
    "modified_after",
    "minimum_age",
    "maximum_age",
    "day",
    "start_time",
    "end_time",
    "postcode",
    "proximity",
)
ENDPOINT_PARAMS = {
    "/services": SERVICE_PARAMS,
    "/service_at_locations": SERVICE_PARAMS,
    "/organizations": ("page", "per_page"),
    "/taxonomies": ("page", "per_page"),
    "/taxonomy_terms": ("page", "per_page", "taxonomy_id"),
}
ENDPOINT_PARAM_PAIRS = [(path, name) for path, names in ENDPOINT_PARAMS.items() for name in names]
ODD = (
    "99999999999999999999999",
    "9223372036854775808",
    "-9223372036854775809",
    "1e308",
    "1e309",
    "nan",
    "inf",
    "-0",
    "0",
    "²",
    "٣",
    "\uff11\uff12",
    "9999-12-31T23:59:59-05:00",
    "0001-01-01T00:00:00+05:00",
    "2025-02-30",
    "25:61",
    "24:00",
    "DD1 1AA",
    "MO,TU",
    "x" * 1000,
    ",".join(["00000000-0000-0000-0000-000000000000"] * 150),
)
values = st.one_of(
    st.sampled_from(ODD),
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.text(max_size=40),
)
_addresses = itertools.count()


def _caller() -> httpx.AsyncClient:
    """A browser from its own address, so the API's per-address rate limit never answers."""
    number = next(_addresses)
    address = f"10.{number // 65536 % 256}.{number // 256 % 256}.{number % 256}"
    transport = httpx.ASGITransport(app=shared_app(), client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="https://testserver.local")


async def _directory() -> None:
    organisation = await make_organisation("Street Soccer")
    async with transaction():
        await make_service(organisation, name="Football sessions")


async def test_huge_pages_are_a_clear_400_naming_the_limit() -> None:
    await _directory()
    async with _caller() as caller:
        for params, name, limit in (
            ({"page": "99999999999999999999999"}, "page", MAX_PAGE),
            ({"page": str(MAX_PAGE + 1)}, "page", MAX_PAGE),
            ({"per_page": "100000"}, "per_page", MAX_PER_PAGE),
            ({"per_page": "²"}, "per_page", MAX_PER_PAGE),
        ):
            for path in ENDPOINT_PARAMS:
                response = await caller.get(f"{API}{path}", params=params)
                assert response.status_code == 400, (path, params)
                assert response.headers["content-type"] == "application/problem+json"
                problem = response.json()
                assert str(limit) in problem["errors"][name], problem
        last = await caller.get(f"{API}/services", params={"page": MAX_PAGE})
        assert last.status_code == 200
        assert last.json()["empty"] is True
        too_old = await caller.get(f"{API}/services", params={"modified_after": "0001-01-01"})
        assert too_old.status_code == 400
        assert "1900" in too_old.json()["errors"]["modified_after"]


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(pair=st.sampled_from(ENDPOINT_PARAM_PAIRS), value=values, other=values)
async def test_no_parameter_value_gets_a_server_error(pair, value, other) -> None:
    path, name = pair
    second = ENDPOINT_PARAMS[path][len(value) % len(ENDPOINT_PARAMS[path])]
    async with _caller() as caller:
        response = await caller.get(f"{API}{path}", params={name: value, second: other})
    assert response.status_code in (200, 400), (path, name, value, second, other)
    if response.status_code == 400:
        assert response.headers["content-type"] == "application/problem+json"
        assert set(response.json()["errors"]) <= {name, second}
