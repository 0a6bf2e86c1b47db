"""'Refer a client' is offered only where a referral can go: never to one's own organisation."""

from __future__ import annotations

import re

from tests.consent.fixtures import client, pooled
from tests.directory.factories import make_service, need
from tests.referrals.factories import network
from tests.support import sign_in

__all__ = ["client", "pooled"]
REFER = re.compile(r'href="/referrals/new\?service=([0-9a-f-]{36})"')


async def test_a_partner_is_not_offered_a_referral_to_its_own_services(client):
    net = await network(terms=[need("housing")])
    other = await make_service(net.outsider, name="Elsewhere housing", terms=[need("housing")])

    await sign_in(client, net.partner_worker.email)
    results = (await client.get("/directory?q=housing")).text
    assert "Housing First Dundee" in results
    assert set(REFER.findall(results)) == {str(other.id)}

    own = (await client.get(f"/directory/services/{net.service_id}")).text
    assert not REFER.search(own)
    assert "you do not need a referral to work with a client here" in own
    elsewhere = (await client.get(f"/directory/services/{other.id}")).text
    assert REFER.findall(elsewhere) == [str(other.id)]


async def test_the_hub_is_offered_a_referral_to_a_partner_and_the_link_opens(client):
    net = await network(terms=[need("housing")])
    await sign_in(client, net.hub_worker.email)
    results = (await client.get("/directory?q=housing")).text
    assert REFER.findall(results) == [str(net.service_id)]
    form = await client.get(f"/referrals/new?service={net.service_id}")
    assert form.status_code == 200
