"""Who hears about what happens to a referral; the words name the service, never the client."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from hub import notifications


def link_to(referral_id: UUID | str) -> str:
    """The referral's page."""
    return f"/referrals/{referral_id}"


async def recipients_told(
    row: dict[str, Any], subject: str, kind: str, *, skip: UUID | None = None
) -> None:
    """Tell every worker of the receiving organisation."""
    staff = await notifications.active_staff_of(row["recipient_organisation"])
    await notifications.notify(staff, subject, link_to(row["id"]), kind, skip=skip)


async def sender_told(
    row: dict[str, Any], subject: str, kind: str, *, skip: UUID | None = None
) -> None:
    """Tell the worker who sent the referral."""
    await notifications.notify([row["sender_staff"]], subject, link_to(row["id"]), kind, skip=skip)


def reference(row: dict[str, Any]) -> str:
    """A short reference people can say aloud: the service and the first characters of the id."""
    return f"{row['service_name']} (ref {str(row['id'])[:8]})"
