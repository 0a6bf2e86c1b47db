"""The conversation on a referral: client data, so only for those who may see the referral."""

from __future__ import annotations

from uuid import UUID

import msgspec

from hub import audit, clock
from hub.accounts.schemas import Principal
from hub.db import transaction
from hub.errors import Invalid, Refused
from referrals import notify
from referrals.access import FULL, referral_and_access
from referrals.lifecycle import SENDER
from referrals.rows import MessageRow
from referrals.schemas import MessageForm, MessageView, ReferralRow
from referrals.tables import ReferralMessage

MAX_MESSAGE = 4000


async def messages_for(referral_id: UUID, organisation_id: UUID | None) -> list[MessageView]:
    """The thread, oldest first; call only after access was checked as FULL."""
    rows = msgspec.convert(
        await ReferralMessage.select(
            ReferralMessage.id,
            ReferralMessage.at,
            ReferralMessage.body,
            ReferralMessage.author_staff.name.as_alias("author"),
            ReferralMessage.author_name,
            ReferralMessage.author_organisation.as_alias("organisation_id"),
            ReferralMessage.author_organisation.name.as_alias("organisation"),
        )
        .where(ReferralMessage.referral == referral_id)
        .order_by(ReferralMessage.at),
        list[MessageRow],
    )
    return [
        MessageView(
            id=row.id,
            at=row.at,
            author=row.author_name or row.author or "",
            organisation=row.organisation,
            body=row.body,
            own=row.organisation_id == organisation_id,
        )
        for row in rows
    ]


async def post_message(principal: Principal, referral_id: UUID, form: MessageForm) -> UUID:
    """Add a message to the thread and tell the other side; NotFound/Refused if not allowed."""
    row, access = await referral_and_access(principal, referral_id)
    if access.level != FULL:
        msg = "You can no longer write on this referral: it is closed or suspended for you."
        raise Refused(msg)
    body = form.body.strip()
    if not body:
        raise Invalid("Enter a message", {"body": "Enter a message"})
    if len(body) > MAX_MESSAGE:
        message = f"Keep a message to {MAX_MESSAGE} characters or fewer"
        raise Invalid(message, {"body": message})
    message_row = ReferralMessage(
        referral=referral_id,
        at=clock.now(),
        author_staff=principal.id,
        author_organisation=principal.organisation_id,
        author_name=principal.name,
        body=body,
    )
    async with transaction():
        await ReferralMessage.insert(message_row)
        await audit.record(
            "referral.message",
            principal.actor,
            subject_type="referral",
            subject_id=str(referral_id),
        )
        await _tell_other_side(row, access.side, principal)
    return UUID(str(message_row.id))


async def _tell_other_side(row: ReferralRow, side: str, principal: Principal) -> None:
    notice = notify.about(row)
    subject = f"New message on the referral to {notify.reference(notice)}"
    if side == SENDER:
        await notify.recipients_told(notice, subject, "referral.message", skip=principal.id)
    else:
        await notify.sender_told(notice, subject, "referral.message", skip=principal.id)
