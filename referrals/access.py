"""Who may see a referral, and how much: the sender in full, the recipient as consent allows.

Every page and API route about one referral starts here. Another organisation's referral and
one that does not exist give the same NotFound (audited). A recipient's view is worked out on
every request: a declined, cancelled or closed referral is a tombstone (status, dates,
outcome); an open one whose consent no longer names the recipient is suspended (status only).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec

from consent import policy
from consent.facts import ClientFacts, fact_columns, facts_from
from consent.vocabulary import IDENTITY
from hub import audit, clock
from hub.accounts import roles
from hub.accounts.schemas import Principal
from hub.errors import NotFound
from hub.prepared import Prepared
from referrals.lifecycle import RECIPIENT, SENDER, TERMINAL
from referrals.schemas import ReferralRow
from referrals.tables import Referral

FULL = "full"
SUSPENDED = "suspended"
TOMBSTONE = "tombstone"

COLUMNS: tuple[Any, ...] = (
    *Referral.all_columns(),
    Referral.sender_staff.name.as_alias("sender_staff_name"),
    Referral.sender_staff.email.as_alias("sender_staff_email"),
    Referral.sender_staff.notify_by_email.as_alias("sender_staff_notify_by_email"),
    Referral.sender_staff.active.as_alias("sender_staff_active"),
    Referral.sender_organisation.name.as_alias("sender_organisation_name"),
    Referral.recipient_organisation.name.as_alias("recipient_organisation_name"),
)


class Access(msgspec.Struct, frozen=True, kw_only=True):
    """How one reader stands towards one referral."""

    side: str
    level: str
    decision: policy.Decision | None = None
    suspended_reason: str = ""


async def load(referral_id: UUID) -> ReferralRow | None:
    """The referral with the names pages need, as a typed row, or None."""
    row = (
        await Referral.select(*COLUMNS)
        .where(Referral.id == referral_id)
        .output(load_json=True)
        .first()
    )
    return None if row is None else msgspec.convert(row, ReferralRow)


async def refuse(principal: Principal, referral_id: UUID) -> NotFound:
    """Audit a refused look at a referral and return the NotFound to raise."""
    await audit.record(
        "referral.refused",
        principal.actor,
        subject_type="referral",
        subject_id=str(referral_id),
    )
    return NotFound("No such referral")


def side_of(principal: Principal, row: ReferralRow) -> str | None:
    """SENDER or RECIPIENT for a staff member of either organisation, else None."""
    organisation = roles.staff_organisation(principal)
    if organisation is None:
        return None
    if row.recipient_organisation == organisation:
        return RECIPIENT
    if row.sender_organisation == organisation:
        return SENDER
    return None


def recipient_covered(decision: policy.Decision | None) -> bool:
    """Does consent (not break-glass) still let the recipient know who the client is?"""
    return decision is not None and decision.involved and IDENTITY in decision.consented


async def access_for(principal: Principal, row: ReferralRow, facts: ClientFacts | None) -> Access:
    """The reader's access to this referral, or NotFound (audited) when they have none.

    `facts` are the sharing rule's facts about the referral's client, read for this reader.
    """
    side = side_of(principal, row)
    if side is None:
        raise await refuse(principal, row.id)
    decision = await policy.decide_on(facts, policy.reader_of(principal))
    if side == SENDER:
        return Access(side=side, level=FULL, decision=decision)
    if row.status in TERMINAL:
        return Access(side=side, level=TOMBSTONE)
    if not recipient_covered(decision):
        reason = "The client's consent no longer lets your organisation see this referral."
        if decision is not None and IDENTITY in decision.withheld:
            reason = decision.withheld[IDENTITY]
        return Access(side=side, level=SUSPENDED, decision=decision, suspended_reason=reason)
    return Access(side=side, level=FULL, decision=decision)


_CLIENT = f'"{Referral._meta.tablename}"."{Referral.client._meta.db_column_name}"'
_READ = Prepared(
    lambda referral_id: (
        Referral.select(*COLUMNS).where(Referral.id == referral_id).output(load_json=True)
    )
)
_READ_WITH_FACTS = Prepared(
    lambda referral_id, staff_id, now: (
        Referral.select(*COLUMNS, *fact_columns(_CLIENT, staff_id, now))
        .where(Referral.id == referral_id)
        .output(load_json=True)
    )
)


async def referral_and_access(
    principal: Principal, referral_id: UUID
) -> tuple[ReferralRow, Access]:
    """The referral and the reader's access to it; NotFound (audited) when none.

    One read: the referral, its names and what the sharing rule needs about its client.
    """
    reader = policy.staff_reader(principal)
    if reader is None:
        found = await _READ.first(referral_id)
    else:
        found = await _READ_WITH_FACTS.first(referral_id, reader.staff_id, clock.now())
    if found is None:
        raise await refuse(principal, referral_id)
    row = msgspec.convert(found, ReferralRow)
    facts = facts_from(found, row.client) if reader is not None else None
    return row, await access_for(principal, row, facts)
