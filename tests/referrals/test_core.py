"""Sending, seeing and moving referrals through the services (both databases)."""

from __future__ import annotations

import asyncio

import pytest

from consent import consents, policy
from consent.vocabulary import IDENTITY, MENTAL_HEALTH
from hub.audit import Actor
from hub.errors import Conflict, Invalid, NotFound, Refused
from hub.tables import Notification
from referrals import moves, sending, views
from referrals.schemas import MoveForm
from referrals.tables import Referral
from tests.consent.factories import consent_to
from tests.directory.factories import make_service
from tests.referrals.factories import network, referral_form, sent


async def test_send_records_consent_and_involves_recipient() -> None:
    net = await network()
    referral_id = await sent(net)
    row = await Referral.select().where(Referral.id == referral_id).first()
    assert row["status"] == "requested"
    assert row["consent_id"] == net.consent_id
    assert row["consent_version"] == 1
    decision = await policy.decide(net.recipient, net.client.id)
    assert decision is not None
    assert decision.involved
    told = await Notification.count().where(Notification.staff == net.partner_worker.id)
    assert told == 1


async def test_no_consent_naming_recipient_sends_nothing() -> None:
    net = await network()
    await consents.end_consent(net.consent_id, policy.WITHDRAWN, Actor.system(), "test")
    with pytest.raises(sending.ConsentMissing) as missing:
        await sent(net)
    assert "Housing First" in str(missing.value)
    assert missing.value.consent_url.startswith(f"/clients/{net.client.id}/consents/new?")
    assert await Referral.count() == 0


async def test_category_outside_consent_is_named() -> None:
    net = await network()
    with pytest.raises(sending.ConsentMissing) as missing:
        await sent(net, categories=[IDENTITY, MENTAL_HEALTH])
    assert missing.value.missing == [MENTAL_HEALTH]
    assert await Referral.count() == 0


async def test_service_without_network_referrals_is_refused() -> None:
    net = await network(referral_methods=["phone"])
    with pytest.raises(Invalid) as invalid:
        await sent(net)
    assert "service_id" in invalid.value.errors


async def test_recipient_opens_accepts_and_completes() -> None:
    net = await network()
    referral_id = await sent(net)
    view = await views.get_referral(net.recipient, referral_id)
    assert view.access == "full"
    assert view.client is not None
    assert view.client.name == "Robin Client"
    assert view.opened_at is not None
    assert [m.action for m in view.moves] == ["accept", "decline"]
    await moves.move(net.recipient, referral_id, MoveForm(action="accept", version=view.version))
    with pytest.raises(Invalid):
        await moves.move(net.recipient, referral_id, MoveForm(action="complete", version=2))
    status = await moves.move(
        net.recipient, referral_id, MoveForm(action="complete", version=2, outcome_code="need_met")
    )
    assert status == "completed"
    tomb = await views.get_referral(net.recipient, referral_id)
    assert tomb.access == "tombstone"
    assert tomb.client is None
    assert tomb.reason_client == ""
    assert tomb.outcome_label == "Need met"
    assert not (await policy.decide(net.recipient, net.client.id)).involved


async def test_sender_cannot_accept_and_recipient_cannot_cancel() -> None:
    net = await network()
    referral_id = await sent(net)
    with pytest.raises(Refused, match="Only the service"):
        await moves.move(net.sender, referral_id, MoveForm(action="accept", version=1))
    with pytest.raises(Refused, match="Only whoever sent it"):
        await moves.move(
            net.recipient, referral_id, MoveForm(action="cancel", version=1, reason_code="other")
        )


async def test_outsider_gets_not_found() -> None:
    net = await network()
    referral_id = await sent(net)
    with pytest.raises(NotFound):
        await views.get_referral(net.outsider_principal, referral_id)


async def test_simultaneous_accept_and_decline_exactly_one_wins() -> None:
    net = await network()
    referral_id = await sent(net)
    results = await asyncio.gather(
        moves.move(net.recipient, referral_id, MoveForm(action="accept", version=1)),
        moves.move(
            net.colleague,
            referral_id,
            MoveForm(action="decline", version=1, reason_code="no_capacity"),
        ),
        return_exceptions=True,
    )
    wins = [r for r in results if isinstance(r, str)]
    losses = [r for r in results if isinstance(r, Conflict)]
    assert len(wins) == 1, results
    assert len(losses) == 1, results
    assert "Someone else changed this referral first" in str(losses[0])
    row = (
        await Referral.select(Referral.status, Referral.version)
        .where(Referral.id == referral_id)
        .first()
    )
    assert row["status"] == wins[0]
    assert row["version"] == 2


async def test_withdrawn_consent_suspends_for_recipient() -> None:
    net = await network()
    referral_id = await sent(net)
    await consents.end_consent(net.consent_id, policy.WITHDRAWN, Actor.system(), "test")
    view = await views.get_referral(net.recipient, referral_id)
    assert view.access == "suspended"
    assert view.client is None
    with pytest.raises(Refused, match="suspended"):
        await moves.move(net.recipient, referral_id, MoveForm(action="accept", version=1))
    sender_view = await views.get_referral(net.sender, referral_id)
    assert sender_view.access == "full"


async def test_form_errors_name_fields() -> None:
    net = await network()
    with pytest.raises(Invalid) as invalid:
        await sending.send_referral(net.sender, referral_form(net, reason_client="", urgency="x"))
    assert {"reason_client", "urgency"} <= set(invalid.value.errors)


async def test_partner_refers_to_another_partner_the_same_way() -> None:
    net = await network()
    referral_id = await sent(net)
    await moves.move(net.recipient, referral_id, MoveForm(action="accept", version=1))
    listing = await make_service(net.outsider, name="Elsewhere Advice")
    with pytest.raises(sending.ConsentMissing):
        await sending.send_referral(net.recipient, referral_form(net, service_id=str(listing.id)))
    await consent_to(net.client.id, [net.outsider], [IDENTITY])
    onward = await sending.send_referral(
        net.recipient, referral_form(net, service_id=str(listing.id), categories=[IDENTITY])
    )
    row = await Referral.select().where(Referral.id == onward).first()
    assert row["sender_organisation"] == net.partner.id
    assert row["recipient_organisation"] == net.outsider.id
    view = await views.get_referral(net.outsider_principal, onward)
    assert view.role == "recipient"
    assert view.client is not None
