"""What the receiving organisation can see of a referral's client now, for both sides' pages.

The sender's "Information shared" is the receiver's view, worked out by the sharing policy
for the receiving organisation (consent and involvement, never anyone's break-glass): not what
was ticked when it was sent, nor what the sender can see of its own records.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec

from consent import policy, record
from consent.schemas import EntryView
from consent.tables import Consent
from referrals.access import recipient_covered
from referrals.lifecycle import TERMINAL
from referrals.rows import ConsentVersionRow
from referrals.schemas import ReferralRow


class Received(msgspec.Struct, frozen=True, kw_only=True):
    """The categories the receiver sees now, and the consent that lets it."""

    categories: list[str] = []
    consent_id: UUID | None = None
    consent_version: int | None = None
    consent_given_at: datetime | None = None


async def receiver_decision(row: ReferralRow) -> policy.Decision | None:
    """The receiving organisation's decision now; None once it has only a tombstone or the
    client's consent no longer names it (suspended)."""
    if row.status in TERMINAL:
        return None
    decision = await policy.decide_for_organisation(row.recipient_organisation, row.client)
    return decision if recipient_covered(decision) else None


async def received(row: ReferralRow, decision: policy.Decision | None) -> Received:
    """What of the referral's chosen categories `decision` (the receiver's) lets it see."""
    if decision is None:
        return Received()
    categories = [code for code in row.categories if code in decision.consented]
    cover = await policy.coverage(row.client, row.recipient_organisation)
    consent = None
    if cover.consent_id is not None:
        found = (
            await Consent.select(Consent.version, Consent.given_at)
            .where(Consent.id == cover.consent_id)
            .first()
        )
        consent = None if found is None else msgspec.convert(found, ConsentVersionRow)
    return Received(
        categories=categories,
        consent_id=cover.consent_id,
        consent_version=consent.version if consent else None,
        consent_given_at=consent.given_at if consent else None,
    )


async def entries_received(
    sender: policy.Decision, receiver: policy.Decision | None, categories: list[str]
) -> list[EntryView]:
    """The entries the sender may see that reach the receiver through this referral (not the
    receiver's own records, which it has anyway)."""
    if receiver is None or not categories:
        return []
    reaching = {
        entry.id for entry in await record.shared_entries(receiver, categories) if not entry.own
    }
    return [e for e in await record.shared_entries(sender, categories) if e.id in reaching]
