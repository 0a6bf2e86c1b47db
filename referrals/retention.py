"""Referrals in the retention schedule, and the tombstone count a recipient keeps on erasure."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any
from uuid import UUID

from hub.retention import RetentionRule, years_before
from hub.settings import get_settings
from referrals.tables import ErasedReferralTally, Referral


async def clients_still_needed(now: datetime) -> set[UUID]:
    """Clients with a referral still open, or closed within the retention years."""
    cutoff = years_before(now, get_settings().retention_referral_years)
    rows = await Referral.select(Referral.client).where(
        Referral.closed_at.is_null() | (Referral.closed_at >= cutoff)
    )
    return {row["client"] for row in rows}


def rule() -> RetentionRule:
    """The schedule's line for referrals."""
    years = get_settings().retention_referral_years
    return RetentionRule(
        "Closed referrals, their messages and history",
        f"{years} years after the referral closed; open ones are kept",
        "erased with the client; the recipient keeps only a count",
        clients_still_needed,
    )


async def keep_tombstone_counts(rows: list[dict[str, Any]]) -> None:
    """Before an erased client's referrals go: add them to their recipients' counts."""
    for row in rows:
        sent: datetime = row["requested_at"] or row["updated_at"]
        month = date(sent.year, sent.month, 1)
        where = (
            (ErasedReferralTally.recipient_organisation == row["recipient_organisation"])
            & (ErasedReferralTally.status == row["status"])
            & (ErasedReferralTally.month == month)
            & (ErasedReferralTally.service == row["service"])
        )
        existing = await ErasedReferralTally.select(ErasedReferralTally.id).where(where).first()
        if existing:
            await ErasedReferralTally.update(
                {ErasedReferralTally.total: ErasedReferralTally.total + 1}
            ).where(ErasedReferralTally.id == existing["id"])
            continue
        await ErasedReferralTally.insert(
            ErasedReferralTally(
                id=uuid.uuid4(),
                recipient_organisation=row["recipient_organisation"],
                service=row["service"],
                status=row["status"],
                month=month,
                total=1,
            )
        )
