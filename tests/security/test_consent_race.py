"""A withdrawal racing a referral: one wins cleanly; nothing is sent after a withdrawal commits.

The audit trail is appended inside each transaction, one at a time, so its order is the order
in which the two changes committed. A referral is allowed only if it was recorded before the
withdrawal; after, the send must have been refused with nothing written.
"""

from __future__ import annotations

import asyncio
import contextvars
from typing import Any

import pytest

from consent import consents, policy
from hub.audit import Actor
from hub.tables import AuditEvent
from referrals import sending
from referrals.sending import ConsentMissing
from referrals.tables import Referral
from tests.consent.fixtures import pooled
from tests.referrals.factories import network, referral_form

__all__ = ["pooled"]


async def _order(consent_id: Any) -> tuple[int | None, int | None]:
    """Audit positions of the referral being sent and of the consent being withdrawn."""
    sent = await AuditEvent.select(AuditEvent.seq).where(AuditEvent.action == "referral.sent")
    withdrawn = await AuditEvent.select(AuditEvent.seq).where(
        (AuditEvent.action == "consent.withdrawn") & (AuditEvent.subject_id == str(consent_id))
    )
    return (
        sent[0]["seq"] if sent else None,
        withdrawn[0]["seq"] if withdrawn else None,
    )


async def _withdraw(consent_id: Any) -> None:
    await consents.end_consent(consent_id, policy.WITHDRAWN, Actor.system(), "phone")


async def _clean_outcome(net: Any, outcome: BaseException | Any) -> None:
    """Either sent before the withdrawal committed, or refused with nothing written."""
    sent_at, withdrawn_at = await _order(net.consent_id)
    assert withdrawn_at is not None
    if isinstance(outcome, BaseException):
        assert isinstance(outcome, ConsentMissing), outcome
        assert await Referral.count() == 0
        assert sent_at is None
    else:
        rows = await Referral.select(Referral.consent_id)
        assert [row["consent_id"] for row in rows] == [net.consent_id]
        assert sent_at is not None
        assert sent_at < withdrawn_at, "a referral was written after the withdrawal committed"


async def test_a_withdrawal_between_the_check_and_the_write_is_never_missed(monkeypatch):
    """The withdrawal is started right after the send has checked the consent."""
    net = await network()
    # Both ways a send checks call it: on facts read with the service (then checked again at
    # the commit), or on facts read holding the client's consents.
    real_check = policy.decide_and_cover_on
    started: list[asyncio.Task[None]] = []
    # The withdrawal runs as another request would: outside the send's transaction.
    elsewhere = contextvars.copy_context()

    async def check_then_withdraw(*args: Any, **kwargs: Any) -> Any:
        checked = await real_check(*args, **kwargs)
        if not started:
            started.append(asyncio.create_task(_withdraw(net.consent_id), context=elsewhere))
            # Give the withdrawal every chance to commit before the send goes on.
            done, _ = await asyncio.wait(started, timeout=0.5)
            _ = done
        return checked

    monkeypatch.setattr(policy, "decide_and_cover_on", check_then_withdraw)
    outcome: BaseException | Any
    try:
        outcome = await sending.send_referral(net.sender, referral_form(net))
    except ConsentMissing as refused:
        outcome = refused
    await asyncio.gather(*started)
    await _clean_outcome(net, outcome)


@pytest.mark.parametrize("withdraw_first", [True, False])
async def test_send_and_withdrawal_at_once(withdraw_first: bool) -> None:
    net = await network()
    send = sending.send_referral(net.sender, referral_form(net))
    withdraw = _withdraw(net.consent_id)
    pair = (withdraw, send) if withdraw_first else (send, withdraw)
    results = await asyncio.gather(*pair, return_exceptions=True)
    outcome = results[1] if withdraw_first else results[0]
    assert not isinstance(results[0 if withdraw_first else 1], BaseException)
    await _clean_outcome(net, outcome)


async def test_after_a_withdrawal_nothing_is_sent() -> None:
    net = await network()
    await _withdraw(net.consent_id)
    with pytest.raises(ConsentMissing):
        await sending.send_referral(net.sender, referral_form(net))
    assert await Referral.count() == 0
