"""Erasure's edges: an erased client's session and invitation stop working; only the right
person may see or decide an erasure."""

from __future__ import annotations

from datetime import date

import msgspec
import pytest

from hub import erasure
from hub.accounts import clients as accounts
from hub.accounts.schemas import PortalActivation
from hub.errors import Invalid, NotFound
from hub.tables import ErasureRequest
from tests.consent.factories import principal, registered_client, staff_member
from tests.consent.fixtures import client, other_client, pooled
from tests.plans.test_portal_pages import portal_account
from tests.support import make_organisation, post_form, sign_in, sign_in_client

__all__ = ["client", "other_client", "pooled"]


async def _client_signed_in(client):
    hub = await make_organisation("Lochee Hub", kind="hub")
    worker = await staff_member(hub)
    admin = await staff_member(hub, is_system_admin=True)
    person = await registered_client(hub, full_name="Kerry Smith")
    code = await accounts.issue_invitation(principal(worker, hub), person.id)  # a link to share
    await sign_in_client(client, await portal_account(person.id, "kez"))
    assert (await client.get("/portal/consents")).status_code == 200
    request = ErasureRequest(
        client_id=person.id, reason=erasure.RETENTION, proposed_at=person.created_at
    )
    await ErasureRequest.insert(request)
    system_admin = msgspec.structs.replace(principal(admin, hub), is_system_admin=True)
    return hub, worker, admin, system_admin, person, code, request.id


async def test_an_erased_clients_session_and_invitation_stop_working(client):
    _, _, _, system_admin, _, code, request_id = await _client_signed_in(client)

    await erasure.confirm(system_admin, request_id)
    await erasure.erase_approved(request_id)  # what the worker does with the job

    after = await client.get("/portal/consents")
    assert after.status_code in {302, 303, 401}  # signed out: the session is gone
    assert (await client.get("/portal/my-data")).status_code != 200
    with pytest.raises(Invalid):
        await accounts.activate_portal_account(
            PortalActivation(
                code=code,
                date_of_birth=date(1990, 1, 2),
                username="kez-again",
                password="a long enough passphrase 7",
                password_confirm="a long enough passphrase 7",
            ),
            "127.0.0.1",
        )


async def test_only_a_system_admin_confirms_a_retention_erasure(client, other_client):
    hub, worker, admin, _, person, _, request_id = await _client_signed_in(client)
    org_admin = await staff_member(hub, is_org_admin=True)
    outsider_org = await make_organisation("Elsewhere Trust")
    outsider = await staff_member(outsider_org, is_system_admin=False)
    for member, organisation in ((worker, hub), (org_admin, hub), (outsider, outsider_org)):
        with pytest.raises(NotFound):
            await erasure.confirm(principal(member, organisation), request_id)
    async with other_client() as browser:
        await sign_in(browser, org_admin.email)
        assert (await browser.get("/admin/retention")).status_code == 404
        tried = await post_form(browser, f"/admin/retention/{request_id}/erase", {}, "/")
        assert tried.status_code == 404
    # the client themself cannot confirm either (a staff-only route)
    tried = await post_form(client, f"/admin/retention/{request_id}/erase", {}, "/")
    assert tried.status_code in {302, 303, 401, 403, 404}
    still = await ErasureRequest.select().where(ErasureRequest.id == request_id).first()
    assert still["status"] == "proposed"
    assert still["client_id"] == person.id
    async with other_client() as browser:
        await sign_in(browser, admin.email)
        page = await browser.get("/admin/retention")
        assert page.status_code == 200
        assert "Retention schedule" in page.text
        assert "6 years after the referral closed" in page.text
        assert "Kerry" not in page.text  # the queue names no one
        done = await post_form(
            browser, f"/admin/retention/{request_id}/erase", {}, "/admin/retention"
        )
        assert done.headers["location"] == "/admin/retention?done=approved"
        assert "Being erased now" in (await browser.get(done.headers["location"])).text
