"""Reads the API needs beyond the referral view: the thread on its own, one new message."""

from __future__ import annotations

from uuid import UUID

from hub import audit
from hub.accounts.schemas import Principal
from hub.errors import Forbidden, NotFound
from referrals.access import FULL, referral_and_access
from referrals.schemas import MessageView
from referrals.thread import messages_for


async def thread(principal: Principal, referral_id: UUID) -> list[MessageView]:
    """The thread for those who see the referral in full; Forbidden once it is closed to them."""
    _, access = await referral_and_access(principal, referral_id)
    if access.level != FULL:
        msg = (
            "The thread is closed to your organisation: the referral was declined, cancelled "
            "or closed, or the client's consent no longer covers you."
        )
        raise Forbidden(msg)
    await audit.record(
        "referral.thread_read",
        principal.actor,
        subject_type="referral",
        subject_id=str(referral_id),
    )
    return await messages_for(referral_id, principal.organisation_id)


async def message(principal: Principal, referral_id: UUID, message_id: UUID) -> MessageView:
    """One message the caller just posted (access was checked as it was posted)."""
    for line in await messages_for(referral_id, principal.organisation_id):
        if line.id == message_id:
            return line
    msg = "No such message"
    raise NotFound(msg)
