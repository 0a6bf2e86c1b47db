"""Signing in and out through the real pages: sessions, cookies, throttling, audit."""

from __future__ import annotations

from datetime import timedelta

from hub import clock
from hub.accounts.sessions import token_key
from hub.tables import AuditEvent, Staff, UserSession
from tests.support import PASSWORD, make_organisation, make_staff, post_form, sign_in


async def test_sign_in_sets_a_secure_session_cookie_and_reaches_home(client):
    hub = await make_organisation(kind="hub")
    member = await make_staff(hub)

    response = await sign_in(client, member.email.upper())

    assert response.status_code == 303
    assert response.headers["location"] == "/"
    cookie = response.headers["set-cookie"]
    assert "wa_session=" in cookie
    assert "HttpOnly" in cookie
    assert "Secure" in cookie
    assert "samesite=lax" in cookie.lower()
    home = await client.get("/")
    assert home.status_code == 200
    assert member.name in home.text
    assert "With a visitor" in home.text  # the hub worker's home
    assert 'href="/sessions">Hub timetable</a>' in home.text  # the way to a session's register


async def test_partner_worker_and_client_get_their_own_home(client, other_client):
    partner = await make_organisation(kind="partner")
    member = await make_staff(partner)
    await sign_in(client, member.email)
    home = await client.get("/")
    assert partner.name in home.text
    assert "With a visitor" not in home.text


async def test_session_id_changes_at_sign_in(client):
    org = await make_organisation()
    member = await make_staff(org)
    await sign_in(client, member.email)
    first = client.cookies.get("wa_session")

    # Signing in again while holding a session (the form token comes from the home page).
    again = await post_form(
        client, "/sign-in", {"email": member.email, "password": PASSWORD}, form_page="/"
    )
    assert again.status_code == 303
    second = client.cookies.get("wa_session")

    assert first
    assert second
    assert first != second
    # The old session was revoked, not merely replaced in the browser.
    assert not await UserSession.exists().where(UserSession.key == token_key(first))
    assert await UserSession.exists().where(UserSession.key == token_key(second))


async def test_a_planted_session_id_is_not_adopted(client):
    org = await make_organisation()
    member = await make_staff(org)
    client.cookies.set("wa_session", "attacker-chosen-value", domain="testserver.local")
    await sign_in(client, member.email)
    assert client.cookies.get("wa_session") != "attacker-chosen-value"
    assert await UserSession.count() == 1


async def test_wrong_password_re_renders_with_error_summary_and_changes_nothing(client):
    org = await make_organisation()
    member = await make_staff(org)

    response = await sign_in(client, member.email, "not the password")

    assert response.status_code == 422
    assert "There is a problem" in response.text
    assert 'href="#password"' in response.text
    assert "Enter a correct e-mail address and password" in response.text
    assert f'value="{member.email}"' in response.text  # what they typed is kept
    assert await UserSession.count() == 0
    assert await AuditEvent.exists().where(AuditEvent.action == "sign_in.failed")


async def test_unknown_account_gets_the_same_message(client):
    response = await sign_in(client, "nobody@example.org")
    assert response.status_code == 422
    assert "Enter a correct e-mail address and password" in response.text


async def test_sixth_wrong_password_in_a_minute_is_throttled(client):
    org = await make_organisation()
    member = await make_staff(org)
    for _ in range(5):
        assert (await sign_in(client, member.email, "wrong password!")).status_code == 422

    sixth = await sign_in(client, member.email, "wrong password!")

    assert sixth.status_code == 429
    assert "Too many failed sign-in attempts" in sixth.text
    assert sixth.headers["retry-after"] == "60"
    # Even the right password waits out the minute...
    assert (await sign_in(client, member.email)).status_code == 429
    assert await AuditEvent.exists().where(AuditEvent.action == "sign_in.failed")
    # ...and works once it has passed.
    clock.advance(timedelta(seconds=61))
    assert (await sign_in(client, member.email)).status_code == 303


async def test_throttling_per_address_covers_many_accounts(client):
    org = await make_organisation()
    for number in range(20):
        response = await sign_in(client, f"guess{number}@example.org", "wrong password!")
        assert response.status_code == 422
    member = await make_staff(org)
    assert (await sign_in(client, member.email)).status_code == 429


async def test_sign_out_revokes_the_session_server_side(client, other_client):
    org = await make_organisation()
    member = await make_staff(org)
    await sign_in(client, member.email)
    stolen = client.cookies.get("wa_session")

    home = await client.get("/")
    response = await post_form(client, "/sign-out", {}, form_page="/")
    assert response.status_code == 303
    assert home.status_code == 200

    async with other_client() as thief:
        thief.cookies.set("wa_session", stolen, domain="testserver.local")
        after = await thief.get("/")
    assert after.status_code in (302, 303)
    assert after.headers["location"] == "/sign-in"
    assert await AuditEvent.exists().where(AuditEvent.action == "sign_out")


async def test_deactivated_users_open_session_stops_on_next_request(client, other_client):
    org = await make_organisation()
    admin = await make_staff(org, is_org_admin=True)
    worker = await make_staff(org)
    async with other_client() as worker_browser:
        await sign_in(worker_browser, worker.email)
        assert (await worker_browser.get("/")).status_code == 200

        await sign_in(client, admin.email)
        response = await post_form(
            client,
            f"/staff/{worker.id}",
            {"name": worker.name, "active": ""},
        )
        assert response.status_code == 303

        after = await worker_browser.get("/")
        assert after.status_code in (302, 303)
        assert after.headers["location"] == "/sign-in"
    assert not await UserSession.exists().where(UserSession.principal_id == worker.id)
    async with other_client() as fresh:
        assert (await sign_in(fresh, worker.email)).status_code == 422


async def test_deactivation_takes_effect_even_if_session_rows_survive(client):
    org = await make_organisation()
    worker = await make_staff(org)
    await sign_in(client, worker.email)
    await Staff.update({Staff.active: False}).where(Staff.id == worker.id)
    response = await client.get("/")
    assert response.status_code in (302, 303)


async def test_idle_and_absolute_timeouts(client):
    org = await make_organisation()
    member = await make_staff(org)
    await sign_in(client, member.email)
    clock.advance(timedelta(minutes=29))
    assert (await client.get("/")).status_code == 200  # activity keeps it alive
    clock.advance(timedelta(minutes=29))
    assert (await client.get("/")).status_code == 200
    clock.advance(timedelta(minutes=31))
    assert (await client.get("/")).status_code in (302, 303)  # idle too long

    await sign_in(client, member.email)
    for _ in range(21):  # active every 29 minutes for more than 10 hours
        clock.advance(timedelta(minutes=29))
        response = await client.get("/")
    assert response.status_code in (302, 303)


async def test_password_change_ends_other_sessions_and_keeps_this_one(client, other_client):
    org = await make_organisation()
    member = await make_staff(org)
    async with other_client() as laptop:
        await sign_in(laptop, member.email)
        await sign_in(client, member.email)
        old_cookie = client.cookies.get("wa_session")
        response = await post_form(
            client,
            "/account/password",
            {
                "current_password": PASSWORD,
                "password": "a brand new passphrase",
                "password_confirm": "a brand new passphrase",
            },
        )
        assert response.status_code == 303
        assert client.cookies.get("wa_session") != old_cookie
        assert (await client.get("/")).status_code == 200
        assert (await laptop.get("/")).status_code in (302, 303)
    async with other_client() as fresh:
        assert (await sign_in(fresh, member.email, "a brand new passphrase")).status_code == 303
    assert await AuditEvent.exists().where(AuditEvent.action == "password.changed")


async def test_password_change_refuses_wrong_current_or_short_new(client):
    org = await make_organisation()
    member = await make_staff(org)
    await sign_in(client, member.email)
    wrong = await post_form(
        client,
        "/account/password",
        {"current_password": "nope", "password": "long enough pw", "password_confirm": "x"},
    )
    assert wrong.status_code == 422
    assert "Your current password is not right" in wrong.text
    short = await post_form(
        client,
        "/account/password",
        {"current_password": PASSWORD, "password": "short", "password_confirm": "short"},
    )
    assert short.status_code == 422
    assert "at least 12 characters" in short.text
    assert (await client.get("/")).status_code == 200  # still signed in, password unchanged
    assert await AuditEvent.count().where(AuditEvent.action == "password.changed") == 0


async def test_signed_out_visitors_are_sent_to_sign_in(client):
    for path in ("/", "/clients", "/account/password", "/staff", "/admin/organisations"):
        response = await client.get(path)
        assert response.status_code in (302, 303), path
        assert response.headers["location"] == "/sign-in"
    portal = await client.get("/portal/anything")
    assert portal.status_code == 404


async def test_every_sign_in_is_audited_with_the_address(client):
    org = await make_organisation()
    member = await make_staff(org)
    await sign_in(client, member.email)
    row = await AuditEvent.select().where(AuditEvent.action == "sign_in.succeeded").first()
    assert row["actor_id"] == str(member.id)
    assert row["organisation_id"] == str(org.id)
    assert row["address"] == "127.0.0.1"


async def test_each_role_lands_on_its_own_home(client, other_client):
    hub = await make_organisation(kind="hub")
    admin = await make_staff(hub, is_org_admin=True)
    await sign_in(client, admin.email)
    home = await client.get("/")
    assert "organisation administrator" in home.text
    assert 'href="/organisations/' in home.text  # manage staff, first thing
    assert 'action="/directory"' in home.text  # and still a search box for the desk
    partner = await make_organisation(kind="partner")
    worker = await make_staff(partner)
    async with other_client() as browser:
        await sign_in(browser, worker.email)
        page = (await browser.get("/")).text
    assert "organisation administrator" not in page
    assert 'action="/directory"' in page
