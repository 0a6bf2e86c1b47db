"""Subject access packs hold everything about a person: only they, or their stewards, get one."""

from __future__ import annotations

import app  # noqa: F401 - registers every feature's holdings of personal data
from hub.tables import AuditEvent
from tests.consent.fixtures import client, other_client, pooled
from tests.consent.subject_access_support import full_record
from tests.plans.test_portal_pages import portal_account
from tests.support import sign_in, sign_in_client

__all__ = ["client", "other_client", "pooled"]


async def test_a_client_cannot_get_another_clients_pack(client):
    t, other = await full_record()
    await sign_in_client(client, await portal_account(t.net.client.id))
    for path in (
        f"/clients/{other.id}/subject-access",
        f"/clients/{other.id}/subject-access/pack.zip",
    ):
        response = await client.get(path)
        assert response.status_code in {302, 303, 403}
        assert "Morgan Quayle" not in response.text
    own = await client.get("/portal/my-data/pack.zip")
    assert str(other.id).encode() not in own.content


async def test_a_partner_with_only_a_referral_and_an_outsider_are_refused(other_client):
    t, _ = await full_record()
    for worker in (t.third_worker, t.net.outsider_worker):
        async with other_client() as browser:
            await sign_in(browser, worker.email)
            for path in ("", "/pack.zip"):
                response = await browser.get(f"/clients/{t.net.client.id}/subject-access{path}")
                assert response.status_code in {403, 404}, (worker.email, path)
                assert response.headers.get("content-type") != "application/zip"
    made = await AuditEvent.count().where(AuditEvent.action == "subject_access.pack_made")
    assert made == 0
