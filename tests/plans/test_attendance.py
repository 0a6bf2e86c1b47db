"""Registers: who may tick people in, corrections audited, attendance on the plan under consent."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

import pytest

from consent.vocabulary import IDENTITY, PLAN, PLAN_SHARING, SUBSTANCE_USE
from directory.hours import LONDON
from directory.sessions import services as sessions
from directory.sessions.schemas import CancelForm, SessionForm
from hub import clock
from hub.errors import Forbidden, NotFound, Refused
from hub.tables import AuditEvent
from plans.attendance import bookings, services
from plans.attendance.schemas import CorrectionForm, VisitorsForm
from plans.attendance.tables import Attendance
from tests.consent.factories import consent_to, principal, registered_client
from tests.directory.factories import location, make_service
from tests.plans.factories import Team, team
from tests.support import make_organisation, post_form, sign_in

TUESDAY = date(2027, 1, 12)


async def _session(t: Team, category: str, **values: object) -> UUID:
    place = location(t.net.hub, name="Lochee Hub")
    await make_service(t.net.hub, name="Hub drop-in", locations=[place])
    form = SessionForm(
        title=f"Group about {category}",
        organisation_id=str(t.net.partner.id),
        category=category,
        location_id=str(place.id),
        recurrence="weekly",
        first_date=TUESDAY,
        starts_at="18:30",
        ends_at="20:00",
        **values,  # type: ignore[arg-type]
    )
    return await sessions.create_session(t.net.sender, form)


async def _actions(action: str) -> int:
    return await AuditEvent.count().where(AuditEvent.action == action)


async def test_a_worker_ticks_people_in_and_corrects_the_count_audited() -> None:
    t = await team()
    session_id = await _session(t, "social")
    hub = t.net.sender
    await services.add_visitors(
        hub, session_id, TUESDAY, VisitorsForm(visitors="2", first_visit=True)
    )
    found = await services.find_clients(hub, session_id, TUESDAY, "robin")
    assert [item.id for item in found] == [t.net.client.id]
    await services.tick_in(hub, session_id, TUESDAY, t.net.client.id)
    await services.tick_in(hub, session_id, TUESDAY, t.net.client.id)  # twice counts once
    register = await services.get_register(hub, session_id, TUESDAY)
    assert register.total == 3
    assert [line.name for line in register.lines] == ["", "Robin Client"]
    assert register.lines[1].first_visit  # the client's first session ever

    visitors_line = register.lines[0].id
    await services.correct(hub, session_id, TUESDAY, visitors_line, CorrectionForm(visitors="4"))
    partner = t.net.recipient  # the running organisation keeps the register too
    await services.correct(
        partner, session_id, TUESDAY, register.lines[1].id, CorrectionForm(visitors="0")
    )
    assert (await services.get_register(hub, session_id, TUESDAY)).total == 4
    assert await _actions("attendance.corrected") == 2
    assert await _actions("attendance.visitors_added") == 1
    assert await _actions("attendance.client_ticked_in") == 1


async def test_outsiders_are_refused_and_audited_and_cancelled_dates_have_no_register() -> None:
    t = await team()
    session_id = await _session(t, "social")
    outsider = principal(t.net.outsider_worker, t.net.outsider)
    with pytest.raises(Forbidden):
        await services.add_visitors(outsider, session_id, TUESDAY, VisitorsForm(visitors="1"))
    with pytest.raises(Forbidden):
        await services.get_register(outsider, session_id, TUESDAY)
    assert await _actions("attendance.refused") == 2
    assert await Attendance.count() == 0
    await sessions.set_cancelled(
        t.net.sender, session_id, CancelForm(on_date=date(2027, 1, 19)), cancelled=True
    )
    with pytest.raises(Refused, match="cancelled on Tuesday 19 January 2027"):
        await services.get_register(t.net.sender, session_id, date(2027, 1, 19))
    # Not a day it runs: the worker is told when it does run and its next date.
    with pytest.raises(Refused) as not_running:
        await services.get_register(t.net.sender, session_id, date(2027, 1, 13))
    assert str(not_running.value) == (
        "Group about social does not run on Wednesday 13 January 2027: it runs every "
        "Tuesday. Its next date is Tuesday 26 January 2027."
    )


async def test_only_clients_the_worker_may_see_are_found_or_ticked_in() -> None:
    t = await team()
    session_id = await _session(t, "social")
    elsewhere = await make_organisation("Other Project")
    stranger = await registered_client(elsewhere, full_name="Robin Stranger")
    assert [
        item.id for item in await services.find_clients(t.net.sender, session_id, TUESDAY, "robin")
    ] == [t.net.client.id]
    with pytest.raises(NotFound):
        await services.tick_in(t.net.sender, session_id, TUESDAY, stranger.id)
    assert await Attendance.count() == 0


async def test_attendance_shows_on_the_plan_only_under_the_plan_consent() -> None:
    t = await team()
    social = await _session(t, "social")
    recovery = await _session(t, "substance-use")
    for session_id in (social, recovery):
        await services.tick_in(t.net.sender, session_id, TUESDAY, t.net.client.id)
    titles = [item.title for item in await services.plan_activity(t.net.recipient, t.net.client.id)]
    assert titles == ["Group about social"]  # a sensitive need only when consent names it
    await consent_to(
        t.net.client.id, [t.net.partner], [IDENTITY, PLAN, SUBSTANCE_USE], [PLAN_SHARING]
    )
    assert len(await services.plan_activity(t.net.recipient, t.net.client.id)) == 2
    assert await services.plan_activity(t.third_principal, t.net.client.id) == []
    assert len(await services.plan_activity(t.client_principal, t.net.client.id)) == 2
    attended = await services.sessions_attended(t.net.client.id)
    assert {item.times for item in attended} == {1}


async def test_no_plan_consent_no_activity() -> None:
    t = await team(plan_consent=False)
    social = await _session(t, "social")
    await services.tick_in(t.net.sender, social, TUESDAY, t.net.client.id)
    assert await services.plan_activity(t.net.recipient, t.net.client.id) == []


async def test_a_client_books_until_the_session_is_full() -> None:
    clock.freeze(datetime(2027, 1, 5, 12, 0, tzinfo=LONDON))
    t = await team()
    session_id = await _session(t, "employability", booking_needed=True, capacity="1")
    offered = await bookings.portal_bookings(t.net.client.id)
    assert [(item.on_date, item.places_left) for item in offered][:2] == [
        (TUESDAY, 1),
        (date(2027, 1, 19), 1),
    ]
    await bookings.book(t.client_principal, session_id, TUESDAY)
    other = await registered_client(t.net.hub, full_name="Sam Other")
    from hub.accounts.schemas import Principal

    sam = Principal(kind="client", id=other.id, name="Sam", session_key="t")
    with pytest.raises(Refused, match="is full"):
        await bookings.book(sam, session_id, TUESDAY)
    await bookings.cancel_booking(t.client_principal, session_id, TUESDAY)
    await bookings.book(sam, session_id, TUESDAY)
    assert (await bookings.portal_bookings(other.id))[0].booked


async def test_the_portal_says_what_was_booked_and_given_up(client) -> None:
    from tests.plans.test_portal_pages import portal_account
    from tests.support import sign_in_client

    clock.freeze(datetime(2027, 1, 5, 12, 0, tzinfo=LONDON))
    t = await team()
    session_id = await _session(t, "employability", booking_needed=True, capacity="4")
    await sign_in_client(client, await portal_account(t.net.client.id))
    on = {"on_date": TUESDAY.isoformat()}
    booked = await post_form(
        client, f"/portal/sessions/{session_id}/book", on, form_page="/portal/sessions"
    )
    assert booked.status_code == 303
    page = await client.get(booked.headers["location"])
    assert "You have a place at Group about employability on Tuesday 12 January" in page.text
    given_up = await post_form(
        client, f"/portal/sessions/{session_id}/cancel", on, form_page="/portal/sessions"
    )
    page = await client.get(given_up.headers["location"])
    assert "You have given up your place at Group about employability" in page.text
    # A made-up address shows no banner: only a real booking of theirs is confirmed.
    forged = await client.get(f"/portal/sessions?done=booked&session={session_id}&on=2027-02-30")
    assert "You have a place" not in forged.text


async def test_the_register_page_finds_names_by_post(client) -> None:
    t = await team()
    session_id = await _session(t, "social")
    await sign_in(client, t.net.hub_worker.email)
    path = f"/sessions/{session_id}/register/{TUESDAY.isoformat()}"
    page = await client.get(path)
    assert page.status_code == 200
    assert "Nobody ticked in yet" in page.text
    found = await post_form(client, f"{path}/find", {"name": "Robin"}, form_page=path)
    assert "Tick in Robin Client" in found.text
    ticked = await post_form(
        client, f"{path}/clients", {"client_id": str(t.net.client.id)}, form_page=path
    )
    assert ticked.status_code == 303
    assert "Robin Client" in (await client.get(path)).text
    not_running = await client.get(f"/sessions/{session_id}/register/2027-01-13")
    assert not_running.status_code == 409
    assert "does not run on Wednesday 13 January 2027" in not_running.text


async def test_an_erased_client_stays_counted_as_an_anonymous_visitor() -> None:
    import app  # noqa: F401 - registers every feature's holdings, as the running app does
    from hub.audit import Actor
    from hub.erasure import APPROVED, RETENTION, erase_client
    from hub.tables import ErasureRequest

    t = await team()
    session_id = await _session(t, "social")
    await services.tick_in(t.net.sender, session_id, TUESDAY, t.net.client.id)
    request = ErasureRequest(
        client_id=t.net.client.id, reason=RETENTION, status=APPROVED, proposed_at=clock.now()
    )
    await ErasureRequest.insert(request)
    await erase_client(t.net.client.id, request.id, Actor.system())
    register = await services.get_register(t.net.sender, session_id, TUESDAY)
    assert register.total == 1
    assert [line.is_client for line in register.lines] == [False]
    assert await Attendance.count().where(Attendance.client == t.net.client.id) == 0


async def test_a_wrong_correction_is_shown_on_its_own_line(client) -> None:
    t = await team()
    session_id = await _session(t, "social")
    await services.add_visitors(t.net.sender, session_id, TUESDAY, VisitorsForm(visitors="2"))
    await services.add_visitors(t.net.sender, session_id, TUESDAY, VisitorsForm(visitors="3"))
    first, second = (await services.get_register(t.net.sender, session_id, TUESDAY)).lines
    await sign_in(client, t.net.hub_worker.email)
    path = f"/sessions/{session_id}/register/{TUESDAY.isoformat()}"

    wrong = await post_form(client, f"{path}/lines/{second.id}", {"visitors": "lots"}, path)

    assert wrong.status_code == 422
    field = f"visitors-{second.id}"
    assert f'href="#{field}"' in wrong.text  # the error summary links to the field...
    assert f'id="{field}"' in wrong.text  # ...which is there under that id
    assert f'id="{field}-error"' in wrong.text  # and carries the message
    assert f'id="visitors-{first.id}-error"' not in wrong.text
    assert wrong.text.count("govuk-error-message") == 1
