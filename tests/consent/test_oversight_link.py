"""The home page offers "Who read client records" only to whoever may open it."""

from __future__ import annotations

from tests.consent.factories import staff_member
from tests.consent.fixtures import client, other_client, pooled
from tests.support import make_organisation, sign_in

__all__ = ["client", "other_client", "pooled"]
LINK = 'href="/oversight/access-log"'


async def test_the_lead_sees_the_link_and_opens_it_a_worker_sees_neither(client, other_client):
    hub = await make_organisation("Lochee Hub", kind="hub")
    admin = await staff_member(hub, is_org_admin=True)  # stands in: no lead is named
    worker = await staff_member(hub)

    await sign_in(client, admin.email)
    assert LINK in (await client.get("/")).text
    assert (await client.get("/oversight/access-log")).status_code == 200

    async with other_client() as browser:
        await sign_in(browser, worker.email)
        assert LINK not in (await browser.get("/")).text
        assert (await browser.get("/oversight/access-log")).status_code == 403
