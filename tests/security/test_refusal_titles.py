"""Each refusal says what it is: "Someone else changed this first" only for a real race.

A move the referral's state does not allow, a suspended referral, a closed thread: each is
refused with what is true ("This cannot be done now" and why), on the pages and in the API's
problem responses, so a worker is never told someone beat them to it when nobody did.
"""

from __future__ import annotations

import re

from consent import consents, policy
from hub.audit import Actor
from hub.errors import Conflict, Refused
from referrals.tables import Referral
from tests.consent.fixtures import client, other_client, pooled
from tests.referrals.factories import network, sent
from tests.referrals.test_api import bearer, token_for
from tests.support import csrf_from, sign_in

__all__ = ["client", "other_client", "pooled"]

RACE = Conflict.title
STATE = Refused.title
BANNER_TITLE = re.compile(r'id="conflict-title">\s*([^<]+?)\s*<')


def _banner(html: str) -> str:
    match = BANNER_TITLE.search(html)
    assert match, "no refusal banner"
    return match.group(1)


async def test_pages_title_a_state_refusal_apart_from_a_race(client):
    net = await network()
    referral_id = await sent(net)
    await sign_in(client, net.partner_worker.email)
    page = await client.get(f"/referrals/{referral_id}")
    token = csrf_from(page.text)

    # Completing a referral nobody accepted: the state does not allow it.
    skipped = await client.post(
        f"/referrals/{referral_id}/move",
        data={"_csrf_token": token, "action": "complete", "version": "1", "outcome_code": "x"},
    )
    assert skipped.status_code == 409
    assert _banner(skipped.text) == STATE
    assert RACE not in skipped.text

    # A page opened before someone else accepted it: that is a race, and says so.
    await Referral.update({Referral.version: 2, Referral.status: "accepted"}).where(
        Referral.id == referral_id
    )
    stale = await client.post(
        f"/referrals/{referral_id}/move",
        data={"_csrf_token": token, "action": "accept", "version": "1"},
    )
    assert stale.status_code == 409
    assert _banner(stale.text) == RACE


async def test_a_suspended_referral_is_refused_for_what_it_is(client):
    net = await network()
    referral_id = await sent(net)
    await consents.end_consent(net.consent_id, policy.WITHDRAWN, Actor.system(), "phone")
    await sign_in(client, net.partner_worker.email)
    token = csrf_from((await client.get(f"/referrals/{referral_id}")).text)

    message = await client.post(
        f"/referrals/{referral_id}/messages", data={"_csrf_token": token, "body": "Hello"}
    )
    assert message.status_code == 409
    assert _banner(message.text) == STATE
    assert "closed or suspended" in message.text
    move = await client.post(
        f"/referrals/{referral_id}/move",
        data={"_csrf_token": token, "action": "accept", "version": "1"},
    )
    assert move.status_code == 409
    assert _banner(move.text) == STATE
    assert "suspended" in move.text


async def test_api_problem_titles(client):
    net = await network()
    referral_id = await sent(net)
    headers = bearer(await token_for(net.partner))
    url = f"/api/v1/referrals/{referral_id}/moves"

    not_now = await client.post(url, json={"action": "complete", "version": 1}, headers=headers)
    assert not_now.status_code == 409
    assert not_now.json()["title"] == STATE

    accepted = await client.post(url, json={"action": "accept", "version": 1}, headers=headers)
    assert accepted.status_code == 200
    raced = await client.post(url, json={"action": "decline", "version": 1}, headers=headers)
    assert raced.status_code == 409
    assert raced.json()["title"] == RACE

    await consents.end_consent(net.consent_id, policy.WITHDRAWN, Actor.system(), "phone")
    closed = await client.post(
        f"/api/v1/referrals/{referral_id}/messages", json={"body": "Hello"}, headers=headers
    )
    assert closed.status_code == 409
    assert closed.json()["title"] == STATE
