"""Consent withdrawn: the referral is suspended for the recipient at once, both sides are told,
and it resumes when consent is given again."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from uuid import UUID

import pytest

from app import JOB_HANDLERS
from consent import consents, policy
from consent.consents import CONSENT_CHANGED_JOB
from consent.tables import Consent
from consent.vocabulary import CONTACT, IDENTITY, NEEDS
from hub import clock, outbox
from hub.audit import Actor
from hub.db import transaction
from hub.errors import Refused
from hub.tables import Notification, OutboxJob
from referrals import moves, sla, suspension, views
from referrals.schemas import MoveForm
from referrals.tables import Referral, ReferralEvent
from tests.consent.factories import consent_to
from tests.referrals.factories import Network, network, sent
from tests.support import make_organisation


async def kinds_told(staff_id: UUID) -> list[str]:
    """The kinds of notification a staff member got, oldest first."""
    rows = (
        await Notification.select(Notification.kind)
        .where(Notification.staff == staff_id)
        .order_by(Notification.at)
    )
    return [row["kind"] for row in rows]


async def events(referral_id: UUID) -> list[str]:
    """The referral's event kinds, oldest first."""
    rows = (
        await ReferralEvent.select(ReferralEvent.kind)
        .where(ReferralEvent.referral == referral_id)
        .order_by(ReferralEvent.at)
    )
    return [row["kind"] for row in rows]


async def suspended_at(referral_id: UUID) -> object:
    """The stored suspension stamp."""
    row = await Referral.select(Referral.suspended_at).where(Referral.id == referral_id).first()
    return row["suspended_at"]


async def run_consent_jobs() -> int:
    """Run the queued consent.changed jobs through the app's handlers; how many ran."""
    handlers = {CONSENT_CHANGED_JOB: JOB_HANDLERS[CONSENT_CHANGED_JOB]}
    jobs = await outbox.claim("worker-test", limit=100)
    ran = 0
    for job in jobs:
        if job.kind == CONSENT_CHANGED_JOB:
            assert await outbox.run_job(job, handlers, "worker-test")
            ran += 1
    return ran


async def withdraw(net: Network) -> None:
    """The client withdraws the consent the referral was sent under."""
    await consents.end_consent(net.consent_id, policy.WITHDRAWN, Actor.system(), "in person")


async def test_withdrawal_suspends_at_once_tells_both_sides_and_consent_again_resumes() -> None:
    net = await network()
    referral_id = await sent(net)
    await run_consent_jobs()
    await withdraw(net)

    # At once, before any job has run: the recipient sees status only and cannot act.
    view = await views.get_referral(net.recipient, referral_id)
    assert (view.access, view.client, view.reason_client) == ("suspended", None, "")
    assert "withdrew" in view.suspended_reason
    with pytest.raises(Refused, match="suspended"):
        await moves.move(net.recipient, referral_id, MoveForm(action="accept", version=1))
    assert await suspended_at(referral_id) is None

    assert await run_consent_jobs() == 1
    assert await suspended_at(referral_id) is not None
    assert (await events(referral_id))[-1] == "suspended"
    for worker in (net.partner_worker, net.partner_colleague, net.hub_worker):
        assert (await kinds_told(worker.id))[-1] == "referral.suspended"
    assert await kinds_told(net.outsider_worker.id) == []
    subjects = await Notification.select(Notification.subject).where(
        Notification.kind == "referral.suspended"
    )
    assert all("Robin" not in row["subject"] for row in subjects)
    assert (await views.get_referral(net.sender, referral_id)).access == "full"

    await consent_to(net.client.id, [net.partner], (IDENTITY, CONTACT, NEEDS))
    assert (await views.get_referral(net.recipient, referral_id)).access == "full"
    assert await run_consent_jobs() == 1
    assert await suspended_at(referral_id) is None
    changes = [kind for kind in await events(referral_id) if kind in ("suspended", "resumed")]
    assert changes == ["suspended", "resumed"]
    for worker in (net.partner_worker, net.hub_worker):
        assert (await kinds_told(worker.id))[-1] == "referral.resumed"
    status = await moves.move(net.recipient, referral_id, MoveForm(action="accept", version=1))
    assert status == "accepted"


async def test_running_the_job_again_or_at_once_changes_nothing_twice() -> None:
    net = await network()
    referral_id = await sent(net)
    await withdraw(net)
    changes = await asyncio.gather(*(suspension.settle_client(net.client.id) for _ in range(4)))
    assert [c for c in changes if c] == [{referral_id: "suspended"}]
    assert await suspension.settle_client(net.client.id) == {}
    assert (await events(referral_id)).count("suspended") == 1
    assert (await kinds_told(net.hub_worker.id)).count("referral.suspended") == 1


async def test_a_new_version_that_drops_the_recipient_suspends() -> None:
    net = await network()
    other = await make_organisation("Peer Support")
    referral_id = await sent(net)
    [row] = await consents.rows_where(Consent.id == net.consent_id)
    values = row.given() | {
        "organisation_ids": [str(other.id)],
        "organisation_names": [other.name],
        "obtained_by_staff": None,
        "obtained_by_organisation": None,
    }
    async with transaction():
        await consents.insert_version(net.client.id, values, Actor.system(), replaces=row)
    await run_consent_jobs()
    assert await suspended_at(referral_id) is not None


async def test_a_change_that_still_names_the_recipient_changes_nothing() -> None:
    net = await network()
    referral_id = await sent(net)
    other = await make_organisation("Peer Support")
    extra = await consent_to(net.client.id, [other], (IDENTITY,))
    await consents.end_consent(extra, policy.WITHDRAWN, Actor.system(), "in person")
    assert await run_consent_jobs() >= 2
    assert await suspended_at(referral_id) is None
    assert "suspended" not in await events(referral_id)


async def test_closed_referrals_are_not_suspended() -> None:
    net = await network()
    referral_id = await sent(net)
    await moves.move(
        net.recipient, referral_id, MoveForm(action="decline", version=1, reason_code="duplicate")
    )
    await withdraw(net)
    await run_consent_jobs()
    assert await suspended_at(referral_id) is None
    assert (await views.get_referral(net.recipient, referral_id)).access == "tombstone"


async def test_the_job_is_queued_with_the_withdrawal() -> None:
    net = await network()
    await sent(net)
    before = await OutboxJob.count().where(OutboxJob.kind == CONSENT_CHANGED_JOB)
    await withdraw(net)
    after = await OutboxJob.count().where(OutboxJob.kind == CONSENT_CHANGED_JOB)
    assert after == before + 1


async def test_a_consent_that_runs_out_is_caught_by_the_regular_check() -> None:
    net = await network()
    referral_id = await sent(net)
    clock.freeze(clock.now())
    clock.advance(timedelta(days=400))
    await sla.sla_check_job({})
    row = await Referral.select(Referral.suspended_at).where(Referral.id == referral_id).first()
    assert row["suspended_at"] is not None
    told = await Notification.count().where(Notification.staff == net.hub_worker.id)
    assert told >= 1
