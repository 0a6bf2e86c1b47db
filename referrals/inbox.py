"""An organisation's referrals: received (its inbox) and sent, with counts, filters and search.

Only the organisation's own referrals are ever read. A client's name shows only where the
reader may see it now: never on a tombstone or a suspended referral.
"""

from __future__ import annotations

from collections import Counter
from uuid import UUID

import msgspec

from consent import access_log, policy, record
from consent.vocabulary import IDENTITY
from hub.accounts import roles
from hub.accounts.schemas import Principal
from referrals.access import recipient_covered
from referrals.lifecycle import INBOX_GROUPS, OPEN, STATUS_LABELS, TERMINAL, inbox_group
from referrals.rows import InboxRow, StatusRow
from referrals.schemas import InboxItem, InboxPage
from referrals.tables import Referral
from referrals.views import is_overdue

RECEIVED = "received"
SENT = "sent"
MAX_PER_PAGE = 100


async def _rows(principal: Principal, box: str) -> list[InboxRow]:
    mine = Referral.recipient_organisation if box == RECEIVED else Referral.sender_organisation
    other = (
        Referral.sender_organisation.name
        if box == RECEIVED
        else Referral.recipient_organisation.name
    )
    return msgspec.convert(
        await Referral.select(
            Referral.id,
            Referral.client,
            Referral.status,
            Referral.service_name,
            Referral.urgency,
            Referral.requested_at,
            Referral.due_at,
            Referral.opened_at,
            Referral.suspended_at,
            other.as_alias("other_organisation"),
        )
        .where(mine == principal.organisation_id)
        .order_by(Referral.requested_at, ascending=False),
        list[InboxRow],
    )


async def _names(principal: Principal, rows: list[InboxRow], box: str) -> dict[UUID, str]:
    """Names of the clients the reader may identify on this list (and log them as read)."""
    wanted = list({row.client for row in rows if box == SENT or row.status in OPEN})
    if not wanted:
        return {}
    decisions = {d.client_id: d for d in await policy.visible_clients(principal, among=wanted)}
    if box == RECEIVED:
        allowed = [c for c, d in decisions.items() if recipient_covered(d)]
    else:
        allowed = [c for c, d in decisions.items() if d.identity_visible]
    people = await record.identities(allowed)
    return {client_id: person.full_name for client_id, person in people.items()}


async def inbox(
    principal: Principal,
    *,
    box: str = RECEIVED,
    group: str = "",
    status: str = "",
    query: str = "",
    overdue_only: bool = False,
    page: int = 1,
    per_page: int = 25,
) -> InboxPage:
    """One page of the organisation's received (or sent) referrals, newest first."""
    rows = await _rows(principal, box)
    names = await _names(principal, rows, box)
    items = []
    for row in rows:
        tombstone = box == RECEIVED and row.status in TERMINAL
        name = "" if tombstone else names.get(row.client, "")
        suspended = box == RECEIVED and row.status in OPEN and not name
        items.append(
            InboxItem(
                id=row.id,
                status=row.status,
                status_label=STATUS_LABELS.get(row.status, row.status),
                group=inbox_group(row.status, row.opened_at is not None),
                service_name=row.service_name,
                other_organisation=row.other_organisation,
                client_name=name,
                urgency=row.urgency,
                requested_at=row.requested_at,
                due_at=row.due_at,
                opened=row.opened_at is not None,
                overdue=is_overdue(row.status, row.due_at),
                suspended=suspended,
                tombstone=tombstone,
            )
        )
    counts = Counter(item.group for item in items)
    if group in INBOX_GROUPS:
        items = [item for item in items if item.group == group]
    if status in STATUS_LABELS:
        items = [item for item in items if item.status == status]
    if overdue_only:
        items = [item for item in items if item.overdue]
    words = query.strip().lower()
    if words:
        items = [
            item
            for item in items
            if words in item.client_name.lower()
            or words in item.service_name.lower()
            or words in item.other_organisation.lower()
            or str(item.id).startswith(words)
        ]
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    page = max(1, page)
    shown = items[(page - 1) * per_page : page * per_page]
    await access_log.record_reads(
        principal,
        {item_client: [IDENTITY] for item_client in _clients_named(shown, rows)},
        context="referral inbox",
    )
    return InboxPage(
        items=shown,
        counts={key: counts.get(key, 0) for key in INBOX_GROUPS},
        total=len(items),
        page=page,
        per_page=per_page,
    )


def _clients_named(shown: list[InboxItem], rows: list[InboxRow]) -> list[UUID]:
    by_id = {row.id: row.client for row in rows}
    return list({by_id[item.id] for item in shown if item.client_name})


async def counts(principal: Principal) -> dict[str, int]:
    """Inbox counts per group, plus sent referrals now overdue (for the home page)."""
    if roles.staff_organisation(principal) is None:
        return {}
    received = msgspec.convert(
        await Referral.select(Referral.status, Referral.opened_at).where(
            Referral.recipient_organisation == principal.organisation_id
        ),
        list[StatusRow],
    )
    result = Counter(inbox_group(r.status, r.opened_at is not None) for r in received)
    sent = msgspec.convert(
        await Referral.select(Referral.status, Referral.due_at).where(
            (Referral.sender_organisation == principal.organisation_id)
            & (Referral.status == "requested")
        ),
        list[StatusRow],
    )
    summary = {key: result.get(key, 0) for key in INBOX_GROUPS}
    summary["sent_overdue"] = sum(1 for r in sent if is_overdue(r.status, r.due_at))
    return summary
