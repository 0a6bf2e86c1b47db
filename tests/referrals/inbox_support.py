"""A partner inbox holding one referral in each status, made through the real moves."""

from __future__ import annotations

from uuid import UUID

from referrals import moves
from referrals.schemas import MoveForm
from referrals.views import get_referral
from tests.referrals.factories import Network, sent


async def _moved(net: Network, *steps: MoveForm) -> UUID:
    referral_id = await sent(net)
    for step in steps:
        await moves.move(net.recipient, referral_id, step)
    return referral_id


async def one_of_each_status(net: Network) -> dict[str, UUID]:
    """Referral ids by what they are: new, opened, accepted, in-progress, on-hold and closed."""
    accept = MoveForm(action="accept", version=1)
    opened = await sent(net)
    await get_referral(net.recipient, opened)
    return {
        "new": await sent(net),
        "opened": opened,
        "accepted": await _moved(net, accept),
        "in-progress": await _moved(net, accept, MoveForm(action="start", version=2)),
        "on-hold": await _moved(net, accept, MoveForm(action="hold", version=2)),
        "completed": await _moved(
            net, accept, MoveForm(action="complete", version=2, outcome_code="need_met")
        ),
        "rejected": await _moved(
            net, MoveForm(action="decline", version=1, reason_code="no_capacity")
        ),
    }
