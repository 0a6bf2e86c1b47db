"""The sender's "Information shared" is exactly what the receiving organisation's policy check
lets it see: never the sender's own records in categories it did not send, and it shrinks
when the client's consent does."""

from __future__ import annotations

from consent import consents, policy
from consent.vocabulary import CONTACT, HOUSING, IDENTITY, NEEDS
from hub.audit import Actor
from referrals.views import get_referral
from tests.consent.factories import consent_to, note
from tests.consent.fixtures import client, pooled
from tests.referrals.factories import Network, network, sent
from tests.support import sign_in

__all__ = ["client", "pooled"]


async def _receiver_allows(net: Network, categories: list[str]) -> set[str]:
    """What the receiving organisation's own policy decision lets it read, of `categories`."""
    decision = await policy.decide(net.recipient, net.client.id)
    assert decision is not None
    return {c for c in categories if c in decision.consented}


async def _sender_and_recipient(net: Network, referral_id):
    return (
        await get_referral(net.sender, referral_id),
        await get_referral(net.recipient, referral_id),
    )


async def test_the_sender_lists_what_the_receiver_sees_and_nothing_of_its_own(client):
    net = await network()  # the client agreed: identity, contact, needs with Housing First
    await note(net.client.id, net.hub, NEEDS, "Needs a food bank")
    await note(net.client.id, net.hub, HOUSING, "Sofa surfing")
    await note(net.client.id, net.hub, CONTACT, "Mobile works mornings")
    referral_id = await sent(net, categories=[IDENTITY, CONTACT])

    mine, theirs = await _sender_and_recipient(net, referral_id)
    allowed = await _receiver_allows(net, mine.categories)
    assert set(mine.received_categories) == allowed == {IDENTITY, CONTACT}
    assert set(theirs.received_categories) == allowed
    assert {e.category for e in mine.shared_entries} == {e.category for e in theirs.shared_entries}
    assert {e.category for e in mine.shared_entries} == {CONTACT}
    assert mine.received_under == net.consent_id

    await sign_in(client, net.hub_worker.email)
    page = (await client.get(f"/referrals/{referral_id}")).text
    assert "What Housing First can see: identity and contact details." in page
    assert "Sofa surfing" not in page
    assert "Needs a food bank" not in page


async def test_when_consent_narrows_the_sender_sees_the_receiver_see_less(client):
    net = await network()
    await note(net.client.id, net.hub, CONTACT, "Mobile works mornings")
    referral_id = await sent(net, categories=[IDENTITY, CONTACT, NEEDS])
    await consents.end_consent(net.consent_id, policy.WITHDRAWN, Actor.system(), "test")
    narrower = await consent_to(net.client.id, [net.partner], [IDENTITY])

    mine, theirs = await _sender_and_recipient(net, referral_id)
    allowed = await _receiver_allows(net, mine.categories)
    assert set(mine.received_categories) == allowed == {IDENTITY}
    assert theirs.received_categories == mine.received_categories
    assert mine.shared_entries == []
    assert mine.received_under == narrower

    await sign_in(client, net.hub_worker.email)
    page = (await client.get(f"/referrals/{referral_id}")).text
    assert "What Housing First can see: identity." in page
    assert "not shared now, because the client's consent does not cover it" in page
    assert "Mobile works mornings" not in page


async def test_a_suspended_referral_shows_the_sender_that_nothing_is_seen_now():
    net = await network()
    referral_id = await sent(net, categories=[IDENTITY, CONTACT])
    await consents.end_consent(net.consent_id, policy.WITHDRAWN, Actor.system(), "test")
    mine = await get_referral(net.sender, referral_id)
    assert mine.received_categories == []
    assert mine.shared_entries == []
