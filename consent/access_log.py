"""The access log: every read of a client's data by staff, for the client and for oversight."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from uuid import UUID

import msgspec

from consent import oversight
from consent.rows import ClientReadRow, StaffReadRow
from consent.schemas import AccessLogLine, StaffRead
from consent.tables import AccessLog
from consent.vocabulary import CATEGORIES, COORDINATION, local_date
from hub import audit, clock
from hub.accounts.schemas import Principal
from hub.db import transaction
from hub.errors import Forbidden

SHOWN_TO_CLIENT = 1000
SHOWN_TO_LEAD = 500


def _in_order(categories: Sequence[str]) -> list[str]:
    return [code for code in CATEGORIES if code in categories]


async def record_reads(
    principal: Principal,
    reads: Mapping[UUID, Sequence[str]],
    *,
    context: str,
    purpose: str = COORDINATION,
    break_glass_id: UUID | None = None,
) -> None:
    """Log what was shown: client -> categories. One audit event covers the whole page."""
    reads = {client: _in_order(cats) for client, cats in reads.items() if cats}
    if not reads:
        return
    now = clock.now()
    rows = [
        AccessLog(
            at=now,
            client=client_id,
            staff=principal.id,
            organisation=principal.organisation_id,
            categories=categories,
            purpose=purpose,
            context=context,
            break_glass=break_glass_id,
        )
        for client_id, categories in reads.items()
    ]
    detail: dict[str, Any] = {"context": context, "purpose": purpose}
    if break_glass_id is not None:
        detail["break_glass_id"] = str(break_glass_id)
    if len(reads) == 1:
        [(client_id, categories)] = reads.items()
        subject_id, detail["categories"] = str(client_id), categories
    else:
        subject_id, detail["clients"] = "", sorted(str(client) for client in reads)
    async with transaction():
        await AccessLog.insert(*rows)
        await audit.record(
            "client_data.read",
            principal.actor,
            subject_type="client",
            subject_id=subject_id,
            detail=detail,
        )


async def for_client(client_id: UUID) -> list[AccessLogLine]:
    """Who saw the client's record, newest first, one line per person, day and categories."""
    rows = msgspec.convert(
        await AccessLog.select(
            AccessLog.at,
            AccessLog.staff.name.as_alias("staff_name"),
            AccessLog.organisation.name.as_alias("organisation_name"),
            AccessLog.categories,
            AccessLog.break_glass,
        )
        .where(AccessLog.client == client_id)
        .order_by(AccessLog.at, ascending=False)
        .limit(SHOWN_TO_CLIENT)
        .output(load_json=True),
        list[ClientReadRow],
    )
    lines: list[AccessLogLine] = []
    index: dict[tuple[Any, ...], int] = {}
    for row in rows:
        glass = row.break_glass is not None
        key = (
            local_date(row.at),
            row.staff_name,
            row.organisation_name,
            tuple(row.categories),
            glass,
        )
        if key in index:
            line = lines[index[key]]
            lines[index[key]] = msgspec.structs.replace(line, times=line.times + 1)
            continue
        index[key] = len(lines)
        lines.append(
            AccessLogLine(
                day=key[0],
                last_at=row.at,
                staff_name=row.staff_name,
                organisation_name=row.organisation_name,
                categories=list(row.categories),
                break_glass=glass,
                times=1,
            )
        )
    return lines


async def for_own_organisation(principal: Principal) -> list[StaffRead]:
    """Reads by the principal's organisation's staff, for its data-protection lead only."""
    if not await oversight.oversees_own_organisation(principal):
        msg = "Only your organisation's data-protection lead can see who read client records."
        raise Forbidden(msg)
    rows = msgspec.convert(
        await AccessLog.select(
            AccessLog.at,
            AccessLog.staff.name.as_alias("staff_name"),
            AccessLog.client.as_alias("client_id"),
            AccessLog.categories,
            AccessLog.context,
            AccessLog.break_glass,
        )
        .where(AccessLog.organisation == principal.organisation_id)
        .order_by(AccessLog.at, ascending=False)
        .limit(SHOWN_TO_LEAD)
        .output(load_json=True),
        list[StaffReadRow],
    )
    return [
        StaffRead(
            at=row.at,
            staff_name=row.staff_name,
            client_id=row.client_id,
            categories=row.categories,
            context=row.context,
            break_glass=row.break_glass is not None,
        )
        for row in rows
    ]
