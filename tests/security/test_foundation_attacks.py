"""Attacks on the foundation: other organisations' ids, forged forms, over-posting, headers."""

from __future__ import annotations

import uuid

from hub.accounts.sessions import token_key
from hub.tables import Client, ClientInvitation, Organisation, Staff, UserSession
from tests.support import csrf_from, make_client, make_organisation, make_staff, post_form, sign_in


async def _two_organisations_with_admin_signed_in(client):
    mine = await make_organisation(name="Positive Steps")
    theirs = await make_organisation(name="Housing First")
    admin = await make_staff(mine, is_org_admin=True)
    victim = await make_staff(theirs)
    await sign_in(client, admin.email)
    return mine, theirs, admin, victim


async def test_org_admin_cannot_see_or_touch_another_organisations_staff(client):
    _, theirs, _, victim = await _two_organisations_with_admin_signed_in(client)
    guessed = uuid.uuid4()

    missing = await client.get(f"/staff/{guessed}")
    for path in (
        f"/staff/{victim.id}",
        f"/organisations/{theirs.id}/staff",
        f"/organisations/{theirs.id}/staff/new",
    ):
        response = await client.get(path)
        assert response.status_code == 404, path
        # Exactly what a made-up id gets: nothing says the record exists.
        assert response.text.split("<main")[1] == missing.text.split("<main")[1]

    edit = await post_form(
        client, f"/staff/{victim.id}", {"name": "Hijacked", "active": ""}, form_page="/"
    )
    create = await post_form(
        client,
        f"/organisations/{theirs.id}/staff/new",
        {
            "name": "Mole",
            "email": "mole@example.org",
            "password": "x" * 14,
            "password_confirm": "x" * 14,
            "is_org_admin": "true",
        },
        form_page="/",
    )
    assert edit.status_code == 404
    assert create.status_code == 404
    row = await Staff.select().where(Staff.id == victim.id).first()
    assert row["name"] == victim.name
    assert row["active"] is True
    assert not await Staff.exists().where(Staff.email == "mole@example.org")


async def test_over_posted_fields_are_ignored_when_creating_staff(client):
    mine, theirs, _, _ = await _two_organisations_with_admin_signed_in(client)
    response = await post_form(
        client,
        f"/organisations/{mine.id}/staff/new",
        {
            "name": "Over Poster",
            "email": "over@example.org",
            "password": "a perfectly long one",
            "password_confirm": "a perfectly long one",
            "is_system_admin": "true",
            "organisation": str(theirs.id),
            "organisation_id": str(theirs.id),
            "active": "false",
            "password_hash": "$argon2id$forged",
        },
    )
    assert response.status_code == 303
    row = await Staff.select().where(Staff.email == "over@example.org").first()
    assert row["is_system_admin"] is False
    assert row["organisation"] == mine.id
    assert row["active"] is True
    assert row["password_hash"] != "$argon2id$forged"


async def test_over_posted_fields_are_ignored_when_editing_staff(client):
    mine, theirs, _, _ = await _two_organisations_with_admin_signed_in(client)
    colleague = await make_staff(mine)
    response = await post_form(
        client,
        f"/staff/{colleague.id}",
        {
            "name": colleague.name,
            "active": "true",
            "is_system_admin": "true",
            "organisation": str(theirs.id),
            "email": "taken-over@example.org",
        },
    )
    assert response.status_code == 303
    row = await Staff.select().where(Staff.id == colleague.id).first()
    assert row["is_system_admin"] is False
    assert row["organisation"] == mine.id
    assert row["email"] == colleague.email


async def test_post_without_csrf_token_is_refused_and_changes_nothing(client):
    mine, _, _, _ = await _two_organisations_with_admin_signed_in(client)
    before = await Staff.count()
    response = await client.post(
        f"/organisations/{mine.id}/staff/new",
        data={
            "name": "No Token",
            "email": "nt@example.org",
            "password": "x" * 14,
            "password_confirm": "x" * 14,
        },
    )
    assert response.status_code == 403
    assert "did not come from Wraparound" in response.text
    assert await Staff.count() == before


async def test_sign_in_without_csrf_token_is_refused(client):
    org = await make_organisation()
    member = await make_staff(org)
    await client.get("/sign-in")
    response = await client.post("/sign-in", data={"email": member.email, "password": "x"})
    assert response.status_code == 403
    assert await UserSession.count() == 0


async def test_csrf_token_from_another_browser_is_refused(client, other_client):
    mine, _, _, _ = await _two_organisations_with_admin_signed_in(client)
    async with other_client() as attacker:
        token = csrf_from((await attacker.get("/sign-in")).text)
    response = await client.post(
        f"/organisations/{mine.id}/staff/new",
        data={
            "_csrf_token": token,
            "name": "Forged",
            "email": "forged@example.org",
            "password": "x" * 14,
            "password_confirm": "x" * 14,
        },
    )
    assert response.status_code == 403
    assert not await Staff.exists().where(Staff.email == "forged@example.org")


async def test_other_organisations_clients_look_missing(client):
    hub = await make_organisation(kind="hub")
    partner = await make_organisation()
    worker = await make_staff(partner)
    theirs = await make_client(hub)
    await sign_in(client, worker.email)
    assert (await client.get(f"/clients/{theirs.id}")).status_code == 404
    invite = await post_form(client, f"/clients/{theirs.id}/invitation", {}, form_page="/")
    assert invite.status_code == 404
    assert await ClientInvitation.count() == 0


async def test_org_admin_cannot_create_organisations_by_posting(client):
    await _two_organisations_with_admin_signed_in(client)
    response = await post_form(
        client, "/admin/organisations/new", {"name": "Rogue", "kind": "hub"}, form_page="/"
    )
    assert response.status_code == 403
    assert not await Organisation.exists().where(Organisation.name == "Rogue")


async def test_security_headers_and_no_store_on_pages(client):
    response = await client.get("/sign-in")
    csp = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp
    assert "default-src 'self'" in csp
    nonce = csp.split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"' in response.text  # the only inline script carries this nonce
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-store"
    second = await client.get("/sign-in")
    assert second.headers["content-security-policy"] != csp  # a fresh nonce every time


async def test_cookies_are_secure_and_sessions_stored_hashed(client):
    org = await make_organisation()
    member = await make_staff(org)
    first_visit = await client.get("/sign-in")
    csrf_cookie = first_visit.headers["set-cookie"]
    assert csrf_cookie.startswith("wa_csrf=")
    assert "Secure" in csrf_cookie
    assert "HttpOnly" in csrf_cookie
    response = await sign_in(client, member.email)
    set_cookies = response.headers.get_list("set-cookie")
    session = next(c for c in set_cookies if c.startswith("wa_session="))
    assert "Secure" in session
    assert "HttpOnly" in session
    token = client.cookies.get("wa_session")
    assert not await UserSession.exists().where(UserSession.key == token)
    assert await UserSession.exists().where(UserSession.key == token_key(token))


async def test_no_personal_data_in_urls(client):
    hub = await make_organisation(kind="hub")
    worker = await make_staff(hub)
    await sign_in(client, worker.email)
    response = await post_form(
        client, "/clients/new", {"full_name": "Private Person", "preferred_name": "PP"}
    )
    location = response.headers["location"]
    assert "Private" not in location
    client_id = location.rsplit("/", 1)[1]
    assert await Client.exists().where(Client.id == uuid.UUID(client_id))
