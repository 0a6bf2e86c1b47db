"""Registering a client, giving them an invitation code, and their portal sign-in."""

from __future__ import annotations

import re
from datetime import timedelta

from hub import clock
from hub.tables import AuditEvent, Client, ClientAccount, ClientInvitation
from tests.consent.factories import registered_client
from tests.support import (
    PASSWORD,
    make_client,
    make_organisation,
    make_staff,
    post_form,
    sign_in,
    sign_in_client,
)

CODE = re.compile(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}")
CLIENT_PASSWORD = "my own secret words"
# Kerry's date of birth as the form asks for it: the code's holder must know it too.
BORN = {"date_of_birth-day": "3", "date_of_birth-month": "11", "date_of_birth-year": "1979"}


async def _registered_with_code(client) -> tuple[str, str]:
    hub = await make_organisation(kind="hub")
    worker = await make_staff(hub)
    await sign_in(client, worker.email)
    created = await post_form(
        client,
        "/clients/new",
        {
            "full_name": "Kerry Smith",
            "preferred_name": "Kez",
            "date_of_birth-day": "3",
            "date_of_birth-month": "11",
            "date_of_birth-year": "1979",
        },
    )
    assert created.status_code == 303
    client_path = created.headers["location"]
    invited = await post_form(client, f"{client_path}/invitation", {}, form_page=client_path)
    assert invited.status_code == 200
    match = CODE.search(invited.text)
    assert match, "the invitation code is shown once"
    return client_path, match.group(0)


async def test_worker_registers_client_and_client_activates_portal(client, other_client):
    _, code = await _registered_with_code(client)
    row = await Client.select().where(Client.full_name == "Kerry Smith").first()
    assert str(row["date_of_birth"]) == "1979-11-03"
    stored = await ClientInvitation.select(ClientInvitation.code_hash).first()
    assert code.replace("-", "") not in stored["code_hash"]  # only a hash is kept

    async with other_client() as phone:
        activated = await post_form(
            phone,
            "/portal/activate",
            {
                "code": code.lower(),  # typed by hand, in lower case
                **BORN,
                "username": "Kez79",
                "password": CLIENT_PASSWORD,
                "password_confirm": CLIENT_PASSWORD,
            },
        )
        assert activated.status_code == 303
        home = await phone.get("/")
        assert "Hello, Kez" in home.text

    async with other_client() as again:
        reuse = await post_form(
            again,
            "/portal/activate",
            {
                "code": code,
                **BORN,
                "username": "someone-else",
                "password": CLIENT_PASSWORD,
                "password_confirm": CLIENT_PASSWORD,
            },
        )
        assert reuse.status_code == 422
        assert "Enter the invitation code exactly as it is on your slip" in reuse.text
        assert (await sign_in_client(again, "kez79", CLIENT_PASSWORD)).status_code == 303
    assert await ClientAccount.count() == 1
    assert await AuditEvent.exists().where(AuditEvent.action == "client_account.created")


async def test_expired_code_is_refused(client, other_client):
    _, code = await _registered_with_code(client)
    clock.advance(timedelta(days=15))
    async with other_client() as phone:
        response = await post_form(
            phone,
            "/portal/activate",
            {
                "code": code,
                **BORN,
                "username": "kez",
                "password": PASSWORD,
                "password_confirm": PASSWORD,
            },
        )
    assert response.status_code == 422
    assert await ClientAccount.count() == 0


async def test_a_new_code_replaces_the_old_one(client, other_client):
    client_path, first = await _registered_with_code(client)
    second_page = await post_form(client, f"{client_path}/invitation", {}, form_page=client_path)
    second = CODE.search(second_page.text).group(0)
    assert second != first
    async with other_client() as phone:
        old = await post_form(
            phone,
            "/portal/activate",
            {
                "code": first,
                **BORN,
                "username": "kez",
                "password": PASSWORD,
                "password_confirm": PASSWORD,
            },
        )
        assert old.status_code == 422
        new = await post_form(
            phone,
            "/portal/activate",
            {
                "code": second,
                **BORN,
                "username": "kez",
                "password": PASSWORD,
                "password_confirm": PASSWORD,
            },
        )
        assert new.status_code == 303


async def test_guessing_codes_is_throttled(client):
    for _ in range(5):
        response = await post_form(
            client,
            "/portal/activate",
            {
                "code": "AAAA-BBBB-CCCC",
                "username": "x-guess",
                "password": PASSWORD,
                "password_confirm": PASSWORD,
            },
        )
        assert response.status_code == 422
    blocked = await post_form(
        client,
        "/portal/activate",
        {
            "code": "AAAA-BBBB-CCCC",
            "username": "x-guess",
            "password": PASSWORD,
            "password_confirm": PASSWORD,
        },
    )
    assert blocked.status_code == 429


async def test_register_client_errors(client):
    hub = await make_organisation(kind="hub")
    worker = await make_staff(hub)
    await sign_in(client, worker.email)
    response = await post_form(
        client,
        "/clients/new",
        {
            "full_name": "",
            "date_of_birth-day": "31",
            "date_of_birth-month": "2",
            "date_of_birth-year": "1990",
        },
    )
    assert response.status_code == 422
    assert "Enter a real date" in response.text
    assert 'value="31"' in response.text  # what they typed comes back
    assert await Client.count() == 0


async def test_client_portal_sign_in_and_wrong_password(client):
    org = await make_organisation(kind="hub")
    await make_client(org, username="robin")
    wrong = await sign_in_client(client, "robin", "nope nope nope")
    assert wrong.status_code == 422
    assert "Enter a correct username and password" in wrong.text
    right = await sign_in_client(client, "ROBIN")
    assert right.status_code == 303
    home = await client.get("/")
    assert "Hello, Jo" in home.text
    # A client is not staff.
    assert (await client.get("/clients")).status_code == 403
    assert (await client.get("/staff")).status_code == 403


async def test_clients_list_shows_only_own_organisations_clients(client):
    # The list goes through consent's sharing policy: a client registered (and so involved)
    # with another organisation, with no consent naming this one, is not listed.
    hub = await make_organisation(kind="hub")
    other = await make_organisation()
    worker = await make_staff(hub)
    mine = await registered_client(hub)
    theirs = await registered_client(other, full_name="Other Person")
    await sign_in(client, worker.email)
    listing = await client.get("/clients")
    assert f"/clients/{mine.id}" in listing.text
    assert "Other Person" not in listing.text
    assert str(theirs.id) not in listing.text
