"""In-app notifications, and the e-mail copy each staff member may turn on or off.

Features call `notify` inside the transaction of the change. The subject must carry no client
data (a reference or a service name, never a person's name): it is shown in lists and e-mailed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any
from uuid import UUID

import msgspec
from piccolo.querystring import QueryString

from hub import clock, mail
from hub.db import insert_many, is_sqlite, transaction
from hub.ids import time_ordered_id
from hub.prepared import Prepared
from hub.settings import get_settings
from hub.tables import Notification, Staff


class NotificationView(msgspec.Struct, frozen=True, kw_only=True):
    """One notification as its page shows it."""

    id: UUID
    at: Any
    subject: str
    link: str
    kind: str
    unread: bool


async def active_staff_of(organisation_id: UUID) -> list[UUID]:
    """Every staff member of the organisation who can still sign in."""
    rows = await Staff.select(Staff.id).where(
        (Staff.organisation == organisation_id) & (Staff.active == True)  # noqa: E712
    )
    return [row["id"] for row in rows]


def _email_body(subject: str, link: str) -> str:
    base = get_settings().base_url
    lines = [subject, ""]
    if link:
        lines += ["Sign in to Wraparound to see it:", f"{base}{link}", ""]
    lines += [
        "This e-mail carries no personal details: they stay in Wraparound.",
        f"You can turn these e-mails off on your account page: {base}/account/notifications",
    ]
    return "\n".join(lines)


async def notify(
    staff_ids: Iterable[UUID],
    subject: str,
    link: str = "",
    kind: str = "",
    *,
    skip: UUID | None = None,
) -> int:
    """Tell each staff member (except `skip`, usually whoever acted); e-mail those who want it."""
    wanted = list(dict.fromkeys(s for s in staff_ids if s != skip))
    if not wanted:
        return 0
    async with transaction():
        people = await Staff.select(Staff.id, Staff.email, Staff.notify_by_email).where(
            Staff.id.is_in(wanted) & (Staff.active == True)  # noqa: E712
        )
        return await _tell(people, subject, link, kind)


class Recipient(msgspec.Struct, frozen=True, kw_only=True):
    """A staff member read beside something else (an active one), with their e-mail choice."""

    id: UUID
    email: str
    notify_by_email: bool


async def tell(people: Iterable[Recipient], subject: str, link: str = "", kind: str = "") -> int:
    """`notify` people already read elsewhere (active ones only): saves reading them again."""
    rows = [msgspec.structs.asdict(person) for person in people]
    if not rows:
        return 0
    async with transaction():
        return await _tell(rows, subject, link, kind)


async def notify_organisation(
    organisation_id: UUID, subject: str, link: str = "", kind: str = "", *, skip: UUID | None = None
) -> int:
    """`notify` every active staff member of an organisation, found in the same read."""
    async with transaction():
        people = await _ORGANISATION_STAFF.rows(organisation_id)
        return await _tell([row for row in people if row["id"] != skip], subject, link, kind)


def active_staff_column(organisation: str, alias: str) -> QueryString:
    """A column of another query: the active staff of `organisation` (its SQL: a column or a
    placeholder), as a JSON array of recipients for `recipients_from`. Read beside what is
    read anyway, so notifying them costs no read of its own."""
    staff = f'"{Staff._meta.tablename}"'
    member = "'id', st.id, 'email', st.email, 'notify_by_email', st.notify_by_email"
    if is_sqlite():
        listed = f"json_group_array(json_object({member}))"
    else:
        listed = f"coalesce(json_agg(json_build_object({member})), '[]')"
    return QueryString(
        f"(SELECT {listed} FROM {staff} st "
        f"WHERE st.organisation = {organisation} AND st.active) AS {alias}"
    )


def recipients_from(column: str | list[Any]) -> list[Recipient]:
    """The recipients `active_staff_column` read."""
    listed = json.loads(column) if isinstance(column, str) else column
    return msgspec.convert(listed, list[Recipient], strict=False)


_ORGANISATION_STAFF = Prepared(
    lambda organisation_id: Staff.select(Staff.id, Staff.email, Staff.notify_by_email).where(
        (Staff.organisation == organisation_id) & (Staff.active == True)  # noqa: E712
    )
)


async def _tell(people: list[dict[str, Any]], subject: str, link: str, kind: str) -> int:
    """The notifications of `people` and the e-mails of those who want them (in a transaction)."""
    if not people:
        return 0
    now, subject = clock.now(), subject[:300]
    # Straight to the driver: a Notification object per person cost more than the write.
    await insert_many(
        Notification._meta.tablename,
        ("id", "staff", "at", "subject", "link", "kind", "read_at"),
        [(time_ordered_id(), row["id"], now, subject, link, kind, None) for row in people],
        at_commit=True,
    )
    title, body = f"Wraparound: {subject}"[:200], _email_body(subject, link)
    await mail.queue_emails(
        [(row["email"], title, body) for row in people if row["notify_by_email"]]
    )
    return len(people)


async def unread_count(staff_id: UUID) -> int:
    """How many notifications the staff member has not read."""
    return int(
        await Notification.count().where(
            (Notification.staff == staff_id) & Notification.read_at.is_null()
        )
    )


async def recent(staff_id: UUID, limit: int = 50) -> list[NotificationView]:
    """The staff member's newest notifications, newest first."""
    rows = (
        await Notification.select(
            Notification.id,
            Notification.at,
            Notification.subject,
            Notification.link,
            Notification.kind,
            Notification.read_at,
        )
        .where(Notification.staff == staff_id)
        .order_by(Notification.at, ascending=False)
        .limit(limit)
    )
    return [
        NotificationView(
            id=row["id"],
            at=row["at"],
            subject=row["subject"],
            link=row["link"],
            kind=row["kind"],
            unread=row["read_at"] is None,
        )
        for row in rows
    ]


async def mark_read(staff_id: UUID, notification_id: UUID | None = None) -> None:
    """Mark one of the staff member's notifications read (or all of them)."""
    query = Notification.update({Notification.read_at: clock.now()}).where(
        (Notification.staff == staff_id) & Notification.read_at.is_null()
    )
    if notification_id is not None:
        query = query.where(Notification.id == notification_id)
    async with transaction():
        await query


async def set_email_preference(staff_id: UUID, on: bool) -> None:
    """Turn e-mail copies of notifications on or off for one staff member."""
    async with transaction():
        await Staff.update({Staff.notify_by_email: on}).where(Staff.id == staff_id)


async def email_preference(staff_id: UUID) -> bool:
    """Does the staff member get e-mail copies?"""
    row = await Staff.select(Staff.notify_by_email).where(Staff.id == staff_id).first()
    return bool(row and row["notify_by_email"])
