"""Suspending a referral when the client's consent stops naming its recipient, and resuming it.

What the recipient may see is worked out live on every request (referrals.access), so a
withdrawal takes effect at once without this module. This is the `consent.changed` outbox
handler that tells people: for each open referral of the client it asks the sharing policy
whether consent still lets the recipient know who the client is, and when that answer changed
it stamps (or clears) `suspended_at`, records the event and tells both sides, in one
transaction per referral. The referral row is locked first and the answer worked out afresh
under the lock, so jobs for quick successive changes settle on the latest state.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec

from consent import policy
from consent.facts import load_facts
from consent.vocabulary import COORDINATION
from hub import audit, clock
from hub.audit import Actor
from hub.db import locked, transaction
from referrals import notify
from referrals.access import recipient_covered
from referrals.lifecycle import OPEN
from referrals.rows import SettlingRow
from referrals.tables import Referral, ReferralEvent

SUSPENDED = "suspended"
RESUMED = "resumed"
# Decisions here are for an organisation, not a person: no break-glass can match this id.
_NOBODY = uuid.UUID(int=0)


async def covered(client_id: UUID, organisation_id: UUID, now: datetime) -> bool:
    """Does the client's consent (never break-glass) let the organisation know who they are?"""
    facts = (await load_facts([client_id], staff_id=None)).get(client_id)
    if facts is None:
        return False
    reader = policy.Reader(staff_id=_NOBODY, organisation_id=organisation_id)
    return recipient_covered(policy.decide_from_facts(facts, reader, COORDINATION, now))


async def _lock(referral_id: UUID) -> SettlingRow | None:
    """The referral, locked until the transaction ends (SQLite's write lock already is)."""
    query = Referral.select(
        Referral.id,
        Referral.client,
        Referral.status,
        Referral.service_name,
        Referral.sender_staff,
        Referral.recipient_organisation,
        Referral.suspended_at,
    ).where(Referral.id == referral_id)
    row = await locked(query).first()
    return None if row is None else msgspec.convert(row, SettlingRow)


async def _settle(referral_id: UUID) -> str | None:
    """Bring one referral's stored suspension in line with consent; the change made, if any."""
    async with transaction():
        row = await _lock(referral_id)
        if row is None or row.status not in OPEN:
            return None
        now = clock.now()
        is_covered = await covered(row.client, row.recipient_organisation, now)
        if is_covered == (row.suspended_at is None):
            return None
        change = RESUMED if is_covered else SUSPENDED
        await Referral.update({Referral.suspended_at: None if is_covered else now}).where(
            Referral.id == referral_id
        )
        await ReferralEvent.insert(
            ReferralEvent(
                referral=referral_id,
                at=now,
                kind=change,
                from_status=row.status,
                to_status=row.status,
            )
        )
        await audit.record(
            f"referral.{change}",
            Actor.system(),
            subject_type="referral",
            subject_id=str(referral_id),
        )
        notice = notify.about(row)
        if is_covered:
            subject = (
                f"Referral to {notify.reference(notice)} resumed: the client gave consent again"
            )
        else:
            subject = (
                f"Referral to {notify.reference(notice)} suspended: the client's consent changed"
            )
        await notify.recipients_told(notice, subject, f"referral.{change}")
        await notify.sender_told(notice, subject, f"referral.{change}")
    return change


async def settle_client(client_id: UUID) -> dict[UUID, str]:
    """Suspend or resume each open referral of the client as consent now says; the changes."""
    open_ids = Referral.select(Referral.id).where(
        (Referral.client == client_id) & Referral.status.is_in(list(OPEN))
    )
    changes: dict[UUID, str] = {}
    for referral_id in await open_ids.output(as_list=True):
        change = await _settle(referral_id)
        if change is not None:
            changes[referral_id] = change
    return changes


async def consent_changed_job(payload: dict[str, Any]) -> None:
    """Outbox handler for consent.changed: suspend or resume the client's referrals."""
    await settle_client(UUID(payload["client_id"]))


async def settle_all_open() -> dict[UUID, str]:
    """Settle every open referral: catches consents that ran out, which queue no job."""
    clients = Referral.select(Referral.client).where(Referral.status.is_in(list(OPEN))).distinct()
    changes: dict[UUID, str] = {}
    for client_id in await clients.output(as_list=True):
        changes.update(await settle_client(client_id))
    return changes
