"""The client's portal account belongs to the client.

A partner worker the client was referred to could issue an invitation code, see it, and make
the client's account themselves; the hub could then neither see nor stop it. Now only the
hub, the registering organisation and the lead professional's organisation issue codes; a
code alone makes no account without the client's date of birth; the activation form says
nothing about usernames until the code is right; and those who look after the account see it,
turn it off or reset it, ending every portal session, with the client told.
"""

from __future__ import annotations

import re
from datetime import date

from consent.vocabulary import CONTACT, HOUSING, IDENTITY
from hub.tables import AuditEvent, ClientAccount, ClientInvitation, OutboxJob
from tests.consent.factories import consent_to, involve, registered_client, staff_member
from tests.consent.fixtures import client, other_client, pooled
from tests.support import PASSWORD, csrf_from, make_organisation, post_form, sign_in

__all__ = ["client", "other_client", "pooled"]

CODE = re.compile(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}")
BORN = {"date_of_birth-day": "12", "date_of_birth-month": "4", "date_of_birth-year": "1988"}


async def _world():
    hub = await make_organisation("Lochee Hub", kind="hub")
    partner = await make_organisation("Housing First")
    hub_worker = await staff_member(hub)
    partner_worker = await staff_member(partner)
    alex = await registered_client(hub, full_name="Alex Demo", date_of_birth=date(1988, 4, 12))
    await involve(alex.id, partner, "referral:1")
    await consent_to(alex.id, [partner], [IDENTITY, HOUSING, CONTACT], obtained_by=hub_worker)
    return hub_worker, partner_worker, alex


async def _activate(browser, code: str, username: str, born=BORN):
    return await post_form(
        browser,
        "/portal/activate",
        {
            "code": code,
            **born,
            "username": username,
            "password": PASSWORD,
            "password_confirm": PASSWORD,
        },
    )


async def _code(browser, client_id) -> str:
    page = await post_form(
        browser, f"/clients/{client_id}/invitation", {}, form_page=f"/clients/{client_id}"
    )
    assert page.status_code == 200, page.status_code
    match = CODE.search(page.text)
    assert match
    return match.group(0)


async def test_a_partner_worker_cannot_issue_the_clients_code(client):
    _, partner_worker, alex = await _world()
    await sign_in(client, partner_worker.email)
    record = await client.get(f"/clients/{alex.id}")
    assert record.status_code == 200  # they may see the record ...
    assert "Make a portal invitation code" not in record.text  # ... not run the portal
    refused = await post_form(client, f"/clients/{alex.id}/invitation", {}, form_page="/")
    assert refused.status_code == 403
    assert not CODE.search(refused.text)
    assert await ClientInvitation.count() == 0
    assert await AuditEvent.exists().where(
        (AuditEvent.action == "client_portal.refused") & (AuditEvent.subject_id == str(alex.id))
    )


async def test_a_code_alone_makes_no_account(client, other_client):
    hub_worker, _, alex = await _world()
    await sign_in(client, hub_worker.email)
    code = await _code(client, alex.id)
    async with other_client() as finder:
        wrong = await _activate(finder, code, "finder", born={**BORN, "date_of_birth-day": "13"})
        none_given = await _activate(finder, code, "finder", born={})
        assert wrong.status_code == none_given.status_code == 422
        assert await ClientAccount.count() == 0
    async with other_client() as alexs_phone:
        assert (await _activate(alexs_phone, code, "alex88")).status_code == 303
    assert await ClientAccount.count() == 1


async def test_usernames_cannot_be_probed_without_a_valid_code(client, other_client):
    hub_worker, _, alex = await _world()
    taken = await registered_client(
        (await make_organisation("Elsewhere", kind="hub")), full_name="Taken", username="taken1"
    )
    _ = taken
    async with other_client() as prober:
        answers = [
            await _activate(prober, "AAAA-BBBB-CCCC", username) for username in ("taken1", "free1")
        ]
    assert [a.status_code for a in answers] == [422, 422]
    bodies = [a.text.split("<main", 1)[1] for a in answers]
    assert bodies[0].replace("taken1", "X") == bodies[1].replace("free1", "X")
    assert "taken" not in bodies[0].replace("taken1", "")
    _ = hub_worker, alex


async def test_the_hub_turns_the_account_off_and_its_sessions_end(client, other_client):
    hub_worker, partner_worker, alex = await _world()
    await sign_in(client, hub_worker.email)
    code = await _code(client, alex.id)
    async with other_client() as phone:
        assert (await _activate(phone, code, "alex88")).status_code == 303
        assert (await phone.get("/portal/consents")).status_code == 200

        record = await client.get(f"/clients/{alex.id}")
        assert "Turn off portal account" in record.text
        assert "Last signed in" in record.text
        # The partner may not turn it off either.
        async with other_client() as partner:
            await sign_in(partner, partner_worker.email)
            token = csrf_from((await partner.get("/")).text)
            refused = await partner.post(
                f"/clients/{alex.id}/portal/disable", data={"_csrf_token": token}
            )
            assert refused.status_code == 403
        assert (await phone.get("/portal/consents")).status_code == 200

        token = csrf_from(record.text)
        off = await client.post(f"/clients/{alex.id}/portal/disable", data={"_csrf_token": token})
        assert off.status_code == 303
        after = await phone.get("/portal/consents")
        assert after.status_code in (302, 303, 401)  # signed out at once
    row = await ClientAccount.select(ClientAccount.active).first()
    assert row["active"] is False
    assert await AuditEvent.exists().where(AuditEvent.action == "client_account.disabled")

    reset = await client.post(
        f"/clients/{alex.id}/portal/reset",
        data={"_csrf_token": csrf_from((await client.get(f"/clients/{alex.id}")).text)},
    )
    assert reset.status_code == 303
    assert await ClientAccount.count() == 0
    assert await AuditEvent.exists().where(AuditEvent.action == "client_account.reset")
    assert "Make a portal invitation code" in (await client.get(f"/clients/{alex.id}")).text


async def test_the_client_is_told_when_an_e_mail_is_on_record(client):
    hub = await make_organisation("Lochee Hub", kind="hub")
    hub_worker = await staff_member(hub)
    await sign_in(client, hub_worker.email)
    created = await post_form(
        client,
        "/clients/new",
        {"full_name": "Sam Told", "email": "sam@example.org", **BORN},
    )
    client_path = created.headers["location"]
    code = await _code(client, client_path.rsplit("/", 1)[1])
    from tests.conftest import make_client as browser

    async with browser() as phone:
        assert (await _activate(phone, code, "samtold")).status_code == 303
    token = csrf_from((await client.get(client_path)).text)
    await client.post(f"{client_path}/portal/disable", data={"_csrf_token": token})
    mails = await OutboxJob.select(OutboxJob.payload).where(OutboxJob.kind == "email")
    told = [m for m in mails if "sam@example.org" in str(m["payload"])]
    assert told
    assert "Sam" not in str(told[0]["payload"])
