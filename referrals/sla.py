"""Response targets: a reminder to the service before a request's target passes, a flag after.

A recurring outbox job (`referrals.sla_check`, every 15 minutes) looks for requests still
unanswered. On the working day before the due day (or on the due day, for a one-day target;
never at a weekend or on a bank holiday) the receiving organisation's workers get one
reminder; once the target has passed, the sender is told once, and their referral page offers
similar services to send it to instead. Each stamp is a compare-and-set (`... WHERE
reminded_at IS NULL`) written in one transaction with its event and notifications, so two
workers running the check at once tell people once. A suspended referral (the client's
consent no longer names the service) is left alone: the service cannot answer it.
`ensure_sla_job` starts the chain at app start and from the demo.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import msgspec

from hub import audit, clock, outbox
from hub.audit import Actor
from hub.db import transaction
from referrals import notify, suspension
from referrals.lifecycle import REQUESTED
from referrals.rows import DueRow
from referrals.tables import Referral, ReferralEvent
from referrals.working_days import LONDON, is_working_day, working_days_left

SLA_JOB = "referrals.sla_check"
RUN_EVERY = timedelta(minutes=15)
# One working day can span a long weekend and Christmas: look this far ahead, then count.
LOOK_AHEAD = timedelta(days=8)

_COLUMNS = (
    Referral.id,
    Referral.service_name,
    Referral.sender_staff,
    Referral.recipient_organisation,
    Referral.requested_at,
    Referral.due_at,
)


def due_day_text(due: datetime) -> str:
    """The last day of a response target in words: "Friday 4 December"."""
    last = (due.astimezone(LONDON) - timedelta(microseconds=1)).date()
    return f"{last:%A} {last.day} {last:%B}"


def reminder_due(row: DueRow, now: datetime) -> bool:
    """Is it time to remind the service? The working day before the due day, or on it.

    Only on a working day, and never on the day the referral was sent: a one-day target is
    reminded on its due day.
    """
    if row.due_at is None or now >= row.due_at:
        return False
    today = now.astimezone(LONDON).date()
    if today == row.requested_at.astimezone(LONDON).date() or not is_working_day(today):
        return False
    return working_days_left(now, row.due_at) <= 1


async def _due_rows(where: Any) -> list[DueRow]:
    return msgspec.convert(await Referral.select(*_COLUMNS).where(where), list[DueRow])


def _unanswered() -> Any:
    return (
        (Referral.status == REQUESTED)
        & Referral.suspended_at.is_null()
        & Referral.due_at.is_not_null()
    )


async def _stamp(referral_id: UUID, column: Any, now: datetime) -> bool:
    """Set `column` to now on a still-unanswered referral, once; True when this call set it."""
    stamped = (
        await Referral.update({column: now})
        .where((Referral.id == referral_id) & column.is_null() & _unanswered())
        .returning(Referral.id)
    )
    return bool(stamped)


async def _event(referral_id: UUID, kind: str, now: datetime) -> None:
    await ReferralEvent.insert(
        ReferralEvent(referral=referral_id, at=now, kind=kind, from_status=REQUESTED)
    )
    await audit.record(
        f"referral.{kind}", Actor.system(), subject_type="referral", subject_id=str(referral_id)
    )


async def _remind(row: DueRow, now: datetime) -> bool:
    async with transaction():
        if row.due_at is None or not await _stamp(row.id, Referral.reminded_at, now):
            return False
        await _event(row.id, "reminded", now)
        notice = notify.about(row)
        subject = f"Reminder: referral to {notify.reference(notice)} needs a reply by "
        await notify.recipients_told(
            notice, subject + due_day_text(row.due_at), "referral.reminder"
        )
    return True


async def _flag_overdue(row: DueRow, now: datetime) -> bool:
    async with transaction():
        if not await _stamp(row.id, Referral.overdue_flagged_at, now):
            return False
        await _event(row.id, "overdue", now)
        subject = (
            f"Referral to {notify.reference(notify.about(row))} was not answered in time: "
            "you can send it to a similar service"
        )
        await notify.sender_told(notify.about(row), subject, "referral.overdue")
    return True


async def run_sla_check() -> dict[str, int]:
    """Remind and flag whatever is due now; returns how many of each this call sent."""
    now = clock.now()
    nearly = await _due_rows(
        _unanswered()
        & Referral.reminded_at.is_null()
        & (Referral.due_at > now)
        & (Referral.due_at <= now + LOOK_AHEAD)
    )
    reminded = 0
    for row in nearly:
        if reminder_due(row, now) and await _remind(row, now):
            reminded += 1
    late = await _due_rows(
        _unanswered() & Referral.overdue_flagged_at.is_null() & (Referral.due_at <= now)
    )
    flagged = 0
    for row in late:
        if await _flag_overdue(row, now):
            flagged += 1
    return {"reminded": reminded, "overdue": flagged}


async def ensure_sla_job() -> bool:
    """Queue the check unless one is already waiting; True when this call queued it."""
    return await outbox.ensure_scheduled(SLA_JOB)


async def seed_sla_job() -> list[tuple[str, str]]:
    """Demo seeder: make sure the check runs (no sign-ins to print)."""
    await ensure_sla_job()
    return []


async def sla_check_job(payload: dict[str, Any]) -> None:
    """Outbox handler: run the check, then queue the next (once, however many ran)."""
    _ = payload
    await run_sla_check()
    await suspension.settle_all_open()
    await outbox.ensure_scheduled(SLA_JOB, after=RUN_EVERY)
