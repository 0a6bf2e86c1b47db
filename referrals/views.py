"""A referral as one reader sees it: the whole of it, or only a tombstone or suspension notice.

Reading a referral in full logs what was shown to the client's access log and, the first time
its recipient looks, stamps it "opened".
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec

from consent import access_log, record
from consent.vocabulary import CONTACT, IDENTITY
from hub import clock
from hub.accounts.schemas import Principal
from referrals.access import FULL, Access, referral_and_access
from referrals.lifecycle import (
    CANCEL_REASONS,
    DECLINE_REASONS,
    FAILURE_REASONS,
    OUTCOMES,
    RECIPIENT,
    REQUESTED,
    SENDER,
    STATUS_LABELS,
    moves_for,
)
from referrals.moves import stamp_opened
from referrals.received import entries_received, received, receiver_decision
from referrals.rows import EventRow
from referrals.schemas import ClientSummary, EventView, MoveOption, ReferralRow, ReferralView
from referrals.tables import Referral, ReferralEvent
from referrals.thread import messages_for

REASONS = {**DECLINE_REASONS, **FAILURE_REASONS, **CANCEL_REASONS}


def is_overdue(status: str, due_at: datetime | None) -> bool:
    """Still unanswered after its response target."""
    return status == REQUESTED and due_at is not None and clock.now() >= due_at


def _event_text(event: EventRow) -> str:
    if event.kind == "moved":
        text = STATUS_LABELS.get(event.to_status, event.to_status)
        label = REASONS.get(event.code) or OUTCOMES.get(event.code)
        return f"{text}: {label}" if label else text
    return {
        "sent": "Sent",
        "opened": "Opened by the service",
        "suspended": "Suspended: the client's consent changed",
        "resumed": "Resumed: the client gave consent again",
        "rerouted": "Re-routed to another service",
        "overdue": "Not answered within the response target",
        "reminded": "Reminder sent to the service",
    }.get(event.kind, event.kind)


async def _events(referral_id: UUID) -> list[EventView]:
    rows = msgspec.convert(
        await ReferralEvent.select()
        .where(ReferralEvent.referral == referral_id)
        .order_by(ReferralEvent.at),
        list[EventRow],
    )
    return [
        EventView(
            at=row.at,
            kind=row.kind,
            text=_event_text(row),
            who=", ".join(p for p in (row.staff_name, row.organisation_name) if p),
        )
        for row in rows
    ]


async def _rerouted_to(referral_id: UUID) -> UUID | None:
    found = Referral.select(Referral.id).where(Referral.rerouted_from == referral_id)
    ids = await found.output(as_list=True)
    return ids[0] if ids else None


def _base(row: ReferralRow, access: Access) -> dict[str, Any]:
    return {
        "id": row.id,
        "role": access.side,
        "access": access.level,
        "status": row.status,
        "status_label": STATUS_LABELS.get(row.status, row.status),
        "version": row.version,
        "service_id": row.service,
        "service_name": row.service_name,
        "sender_organisation": row.sender_organisation_name,
        "sender_staff": row.sender_staff_name,
        "recipient_organisation": row.recipient_organisation_name,
        "requested_at": row.requested_at,
        "due_at": row.due_at,
        "opened_at": row.opened_at,
        "responded_at": row.responded_at,
        "closed_at": row.closed_at,
        "overdue": is_overdue(row.status, row.due_at),
        "reason_label": REASONS.get(row.reason_code, ""),
        "outcome_label": OUTCOMES.get(row.outcome_code, ""),
        "suspended_reason": access.suspended_reason,
    }


async def get_referral(principal: Principal, referral_id: UUID) -> ReferralView:
    """The referral as this reader may see it; NotFound (audited) when it is not theirs."""
    row, access = await referral_and_access(principal, referral_id)
    base = _base(row, access)
    if access.level != FULL:
        return ReferralView(**base)
    if access.side == RECIPIENT:
        opened_at = await stamp_opened(principal, row)
        if opened_at is not None:
            base["opened_at"] = opened_at
    decision = access.decision
    # `received` reads only what consent gives (`consented`): an override is not sharing.
    receiver = await receiver_decision(row) if access.side == SENDER else decision
    reaching = await received(row, receiver)
    shown: list[str] = []
    client = None
    entries = []
    if decision is not None and decision.visible:
        if access.side == RECIPIENT:
            entries = await record.shared_entries(decision, set(row.categories))
        else:
            entries = await entries_received(decision, receiver, reaching.categories)
        if decision.identity_visible:
            person = (await record.identities([row.client])).get(row.client)
            if person is not None:
                client = ClientSummary(
                    id=row.client,
                    name=person.full_name,
                    date_of_birth=str(person.date_of_birth or ""),
                )
                shown.append(IDENTITY)
        shown += [e.category for e in entries]
    contact_shared = access.side != RECIPIENT or (
        decision is not None and CONTACT in row.categories and CONTACT in decision.consented
    )
    if contact_shared and row.contact_how:
        shown.append(CONTACT)
    await access_log.record_reads(
        principal,
        {row.client: sorted(set(shown))},
        context="referral",
    )
    return ReferralView(
        **base,
        urgency=row.urgency,
        client=client,
        reason_client=row.reason_client,
        reason_worker=row.reason_worker,
        client_wants=row.client_wants,
        contact_how=row.contact_how if contact_shared else "",
        contact_when=row.contact_when if contact_shared else "",
        reason_note=row.reason_note,
        outcome_note=row.outcome_note,
        categories=list(row.categories),
        received_categories=reaching.categories,
        received_under=reaching.consent_id,
        received_under_version=reaching.consent_version,
        received_under_given_at=reaching.consent_given_at,
        consent_id=row.consent_id,
        consent_version=row.consent_version,
        shared_entries=entries,
        moves=[
            MoveOption(
                action=m.action, label=m.label, reasons=m.reasons, needs_outcome=m.needs_outcome
            )
            for m in moves_for(row.status, access.side)
        ],
        events=await _events(referral_id),
        messages=await messages_for(referral_id, principal.organisation_id),
        may_post=True,
        rerouted_from=row.rerouted_from,
        reroute_reason=row.reroute_reason,
        rerouted_to=await _rerouted_to(referral_id),
    )
