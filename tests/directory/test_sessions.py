"""The hub timetable: sessions are listings (search, open now, the API), kept by the right staff."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest

from directory.hours import LONDON
from directory.read import load_service
from directory.search.backend import database_backend
from directory.search.schemas import SearchQuery
from directory.sessions import recurrence, services
from directory.sessions.schemas import CancelForm
from hub import clock
from hub.errors import Invalid, NotFound
from tests.directory.sessions_support import as_principal, make_hub, make_session, session_form
from tests.support import post_form, sign_in

TUESDAY = date(2027, 1, 12)


def test_recurrences_put_sessions_on_the_right_days() -> None:
    assert recurrence.dates_between("fortnightly", TUESDAY, None, TUESDAY, date(2027, 2, 9)) == [
        date(2027, 1, 12),
        date(2027, 1, 26),
        date(2027, 2, 9),
    ]
    # The 2nd Tuesday of each month; a 5th weekday reads as the month's last.
    assert recurrence.dates_between("monthly", TUESDAY, None, TUESDAY, date(2027, 3, 31)) == [
        date(2027, 1, 12),
        date(2027, 2, 9),
        date(2027, 3, 9),
    ]
    assert recurrence.runs_on("monthly", date(2027, 3, 30), None, date(2027, 4, 27))
    assert recurrence.dates_between("one_off", TUESDAY, None, TUESDAY, date(2027, 3, 1)) == [
        TUESDAY
    ]
    assert not recurrence.runs_on("weekly", TUESDAY, date(2027, 1, 19), date(2027, 1, 26))


async def test_a_session_is_a_listing_found_by_search_open_now_and_the_api(client) -> None:
    clock.freeze(datetime(2027, 1, 5, 12, 0, tzinfo=LONDON))
    hub = await make_hub()
    session = await make_session(hub, TUESDAY, recurrence="fortnightly")
    record = await load_service(session.service_id)
    assert record is not None
    assert record.organisation_id == hub.partner.id
    assert [term.code for term in record.terms] == ["substance-use"]
    assert record.locations[0].id == hub.place_id
    hours = record.hours()
    assert hours.is_open(datetime(2027, 1, 12, 19, 0, tzinfo=LONDON))
    assert not hours.is_open(datetime(2027, 1, 19, 19, 0, tzinfo=LONDON))  # its off week
    assert hours.is_open(datetime(2027, 1, 26, 19, 0, tzinfo=LONDON))
    assert session.cancelled == []  # off weeks are not cancellations

    backend = database_backend()
    found = await backend.search(SearchQuery(text="smart recovery"))
    assert session.service_id in [hit.service_id for hit in found.items]
    at_group = datetime(2027, 1, 12, 19, 0, tzinfo=LONDON)
    open_then = await backend.search(SearchQuery(categories=("substance-use",), open_at=at_group))
    assert session.service_id in [hit.service_id for hit in open_then.items]

    body = (await client.get(f"/openreferral/services/{session.service_id}")).json()
    assert body["name"] == "SMART Recovery group"
    assert body["organization"]["id"] == str(hub.partner.id)


async def test_cancelling_a_date_closes_the_listing_that_day() -> None:
    hub = await make_hub()
    session = await make_session(hub, TUESDAY)
    worker = as_principal(hub.worker, hub.hub)
    await services.set_cancelled(
        worker, session.id, CancelForm(on_date=date(2027, 1, 19), reason="Snow"), cancelled=True
    )
    session = await services.get_session(session.id)
    assert session.cancelled == [date(2027, 1, 19)]
    assert date(2027, 1, 19) not in services.occurrences(session, TUESDAY, date(2027, 1, 31))
    record = await load_service(session.service_id)
    assert record is not None
    assert not record.hours().is_open(datetime(2027, 1, 19, 19, 0, tzinfo=LONDON))
    with pytest.raises(Invalid):  # not a day it runs
        await services.set_cancelled(
            worker, session.id, CancelForm(on_date=date(2027, 1, 20)), cancelled=True
        )


async def test_only_the_hub_and_the_running_organisations_admins_change_a_session() -> None:
    hub = await make_hub()
    session = await make_session(hub, TUESDAY, organisation_id=str(hub.hub.id))
    partner_admin = as_principal(hub.partner_admin, hub.partner)
    with pytest.raises(NotFound):
        await services.update_session(partner_admin, session.id, session_form(hub, TUESDAY))
    with pytest.raises(NotFound):  # a partner's worker adds nothing
        await services.create_session(
            as_principal(hub.partner_worker, hub.partner), session_form(hub, TUESDAY)
        )
    with pytest.raises(Invalid) as refused:  # an admin names only their own organisation
        await services.create_session(
            partner_admin, session_form(hub, TUESDAY, organisation_id=str(hub.hub.id))
        )
    assert "organisation_id" in refused.value.errors
    own = await services.create_session(partner_admin, session_form(hub, TUESDAY))
    assert (await services.get_session(own)).organisation_id == hub.partner.id


async def test_the_form_explains_bad_input_and_saves_good(client) -> None:
    hub = await make_hub()
    await sign_in(client, hub.worker.email)
    bad = await post_form(
        client,
        "/sessions/new",
        {
            "title": "",
            "recurrence": "weekly",
            "first_date-day": "31",
            "first_date-month": "2",
            "first_date-year": "2027",
            "starts_at": "20:00",
            "ends_at": "19:00",
        },
    )
    assert bad.status_code == 422
    assert "There is a problem" in bad.text
    # Labelled like the other fields: plain, and saying it may be left empty.
    assert re.search(
        r'<label class="govuk-label" for="description">\s*What happens there \(optional\)', bad.text
    )
    form = {
        "title": "SMART Recovery group",
        "organisation_id": str(hub.partner.id),
        "category": "substance-use",
        "location_id": str(hub.place_id),
        "recurrence": "weekly",
        "first_date-day": "12",
        "first_date-month": "1",
        "first_date-year": "2027",
        "last_date-day": "5",
        "last_date-month": "1",
        "last_date-year": "2027",
        "starts_at": "18:30",
        "ends_at": "20:00",
        "capacity": "12",
    }
    ends_first = await post_form(client, "/sessions/new", form)
    assert ends_first.status_code == 422
    assert "The last session must be on or after the first" in ends_first.text
    saved = await post_form(
        client,
        "/sessions/new",
        {**form, "last_date-day": "", "last_date-month": "", "last_date-year": ""},
    )
    assert saved.status_code == 303
    page = await client.get(saved.headers["location"])
    assert "SMART Recovery group" in page.text
    assert "Register for Tuesday 12 January" in page.text or "Register for" in page.text
    assert "SMART Recovery group" in (await client.get("/sessions")).text
