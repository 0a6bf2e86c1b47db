"""No form or query parameter a person can type gets a server error.

Unicode digits ("²" passes `isdigit()` and then fails `int()`), huge years (a consent from
1 January 9999 overflowed its date arithmetic) and odd strings are thrown at the forms and
lists that read numbers and dates; every answer is a page, never a 5xx. (The Open Referral
API has its own property test, test_openreferral_bounds.)
"""

from __future__ import annotations

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub.db import transaction
from hub.web.numbers import calendar_date, decimal_number, whole_number
from tests.consent.factories import registered_client, staff_member
from tests.consent.fixtures import browser, pooled
from tests.directory.factories import make_service
from tests.support import csrf_from, make_organisation, sign_in

__all__ = ["pooled"]

ODD = (
    "²",
    "٣",
    "\uff11",
    "9999",
    "99999999999999999999",
    "-1",
    "0",
    "1e309",
    "nan",
    "inf",
    "1.5",
    " 12 ",
    "",
    "\x00",
    "12abc",
)
values = st.one_of(
    st.sampled_from(ODD),
    st.integers(min_value=-(10**25), max_value=10**25).map(str),
    st.text(max_size=12),
)


def test_the_strict_readers() -> None:
    for text in ("²", "٣", "\uff11", "1e3", "nan", "", "-1", "99999999999"):
        assert whole_number(text, 0, 10**12) is None, text
    assert whole_number(" 42 ", 0, 100) == 42
    assert decimal_number("-3.25", -90, 90) == -3.25
    for text in ("inf", "nan", "1e309", "²"):
        assert decimal_number(text, -90, 90) is None, text
    assert calendar_date("1", "1", "9999") is None
    assert calendar_date("31", "2", "2024") is None
    assert calendar_date("29", "2", "2024") is not None


async def _world() -> tuple[str, dict[str, str]]:
    hub = await make_organisation(kind="hub")
    admin = await staff_member(hub, is_org_admin=True)
    person = await registered_client(hub, full_name="Dana Lee")
    async with transaction():
        listing = await make_service(hub, name="Drop-in")
    return admin.email, {"client": str(person.id), "service": str(listing.id)}


async def _post(client: httpx.AsyncClient, url: str, form: dict[str, str]) -> httpx.Response:
    token = csrf_from((await client.get("/")).text)
    return await client.post(url, data={**form, "_csrf_token": token})


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(day=values, month=values, year=values, number=values)
async def test_odd_numbers_and_dates_never_get_a_server_error(day, month, year, number) -> None:
    email, ids = await _world()
    async with browser() as client:
        await sign_in(client, email)
        answers = [
            await client.get("/referrals", params={"page": number, "status": number}),
            await client.get(
                "/directory",
                params={"page": number, "age": number, "time": number, "when": "at"},
            ),
            await _post(client, "/referrals", {"page": number, "q": number, "box": number}),
            await _post(
                client,
                "/clients/new",
                {
                    "full_name": "Robin Odd",
                    "date_of_birth-day": day,
                    "date_of_birth-month": month,
                    "date_of_birth-year": year,
                },
            ),
            await _post(
                client,
                f"/clients/{ids['client']}/consents/new",
                {
                    "valid_from-day": day,
                    "valid_from-month": month,
                    "valid_from-year": year,
                    "valid_to-day": day,
                    "valid_to-month": month,
                    "valid_to-year": year,
                },
            ),
            await _post(
                client,
                f"/directory/listings/{ids['service']}/details",
                {"name": "Drop-in", "minimum_age": number, "maximum_age": day},
            ),
        ]
    for answer in answers:
        assert answer.status_code < 500, (answer.request.url, day, month, year, number)


async def test_a_consent_from_the_year_9999_is_a_clear_error() -> None:
    email, ids = await _world()
    async with browser() as client:
        await sign_in(client, email)
        answer = await _post(
            client,
            f"/clients/{ids['client']}/consents/new",
            {"valid_from-day": "1", "valid_from-month": "1", "valid_from-year": "9999"},
        )
    assert answer.status_code == 422
    assert "Enter a real date between 1900 and 2200" in answer.text
