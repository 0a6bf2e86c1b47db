"""Who hears about what happens to a referral; the words name the service, never the client."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

import msgspec

from hub import notifications
from referrals.schemas import Notice, ReferralRow


def link_to(referral_id: UUID | str) -> str:
    """The referral's page."""
    return f"/referrals/{referral_id}"


def about(row: Mapping[str, Any] | ReferralRow | Notice) -> Notice:
    """The notice fields of a referral row read by a query of its own (or a whole row)."""
    if isinstance(row, ReferralRow | Notice):
        return Notice(
            id=row.id,
            service_name=row.service_name,
            sender_staff=row.sender_staff,
            recipient_organisation=row.recipient_organisation,
        )
    return msgspec.convert(dict(row), Notice)


async def recipients_told(
    referral: Notice,
    subject: str,
    kind: str,
    *,
    skip: UUID | None = None,
    people: list[notifications.Recipient] | None = None,
) -> None:
    """Tell every worker of the receiving organisation.

    `people`: its active staff, when already read (`notifications.active_staff_column`).
    """
    if people is not None:
        told = [person for person in people if person.id != skip]
        await notifications.tell(told, subject, link_to(referral.id), kind)
        return
    await notifications.notify_organisation(
        referral.recipient_organisation, subject, link_to(referral.id), kind, skip=skip
    )


async def sender_told(
    referral: Notice,
    subject: str,
    kind: str,
    *,
    skip: UUID | None = None,
    read: ReferralRow | None = None,
) -> None:
    """Tell the worker who sent the referral.

    `read`: the referral as read for this change, with the sender's address and whether they
    are active (`access.COLUMNS`), so they are not read again.
    """
    if read is None or read.sender_staff_active is None:
        await notifications.notify(
            [referral.sender_staff], subject, link_to(referral.id), kind, skip=skip
        )
        return
    sender = notifications.Recipient(
        id=read.sender_staff,
        email=read.sender_staff_email or "",
        notify_by_email=bool(read.sender_staff_notify_by_email),
    )
    told = [sender] if read.sender_staff_active and read.sender_staff != skip else []
    await notifications.tell(told, subject, link_to(referral.id), kind)


def reference(referral: Notice) -> str:
    """A short reference people can say aloud: the service and the first characters of the id."""
    return f"{referral.service_name} (ref {str(referral.id)[:8]})"
