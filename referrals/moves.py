"""Moving a referral through its lifecycle, safely when two people act at once.

A move is planned against the status and version the person saw, then written with a
compare-and-set (`WHERE version = seen`): of two simultaneous moves exactly one lands and the
other is told what happened instead. Ending a referral ends the recipient's involvement in the
same transaction, so its client data is gone from their view at once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from consent.involvement import end_involvement
from hub import audit, clock
from hub.accounts.schemas import Principal
from hub.db import NotLanded, in_transaction, insert_rows, transaction
from hub.errors import Conflict, Invalid, Refused
from hub.prepared import Prepared
from referrals import notify
from referrals.access import FULL, Access, referral_and_access
from referrals.lifecycle import (
    ACCEPTED,
    OUTCOMES,
    RECIPIENT,
    REJECTED,
    STATUS_LABELS,
    TERMINAL,
    Move,
    MoveRefused,
    plan_move,
)
from referrals.schemas import MoveForm, ReferralRow
from referrals.tables import Referral, ReferralEvent

MAX_NOTE = 4000


def _errors(
    move_reasons: dict[str, str] | None, needs_outcome: bool, form: MoveForm
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if move_reasons is not None:
        if form.reason_code not in move_reasons:
            errors["reason_code"] = "Choose a reason"
        elif form.reason_code == "other" and not form.reason_note.strip():
            errors["reason_note"] = "Say what the reason is"
    if needs_outcome:
        if form.outcome_code not in OUTCOMES:
            errors["outcome_code"] = "Choose the outcome"
        elif form.outcome_code == "other" and not form.outcome_note.strip():
            errors["outcome_note"] = "Say what the outcome was"
    for field in ("reason_note", "outcome_note"):
        if len(getattr(form, field)) > MAX_NOTE:
            errors[field] = f"Keep this to {MAX_NOTE} characters or fewer"
    return errors


async def _latest_move(referral_id: UUID) -> dict[str, Any] | None:
    return (
        await ReferralEvent.select(
            ReferralEvent.at, ReferralEvent.staff_name, ReferralEvent.organisation_name
        )
        .where(ReferralEvent.referral == referral_id)
        .order_by(ReferralEvent.at, ascending=False)
        .first()
    )


async def _lost_race(referral_id: UUID) -> Conflict:
    """The Conflict for someone whose move landed second, saying what happened first."""
    row = await Referral.select(Referral.status).where(Referral.id == referral_id).first()
    status = STATUS_LABELS.get(row["status"], str(row["status"])).lower() if row else "changed"
    latest = await _latest_move(referral_id)
    who = f" by {latest['staff_name']} ({latest['organisation_name']})" if latest else ""
    when = f" at {latest['at']:%H:%M}" if latest else ""
    return Conflict(
        f"Someone else changed this referral first{who}{when}: it is now {status}. "
        "Nothing you entered was saved; look at it again before you act."
    )


async def _checked_move(
    principal: Principal, referral_id: UUID, form: MoveForm
) -> tuple[ReferralRow, Access, Move]:
    """The referral, the reader's access and the move planned, or why it cannot be made."""
    row, access = await referral_and_access(principal, referral_id)
    if form.version and form.version != row.version:
        raise await _lost_race(referral_id)
    try:
        planned = plan_move(row.status, form.action, access.side)
    except MoveRefused as refused:
        raise Refused(refused.message) from None
    if access.side == RECIPIENT and access.level != FULL:
        msg = (
            "This referral is suspended: the client's consent no longer covers your "
            "organisation, so it cannot be moved until they give it again."
        )
        raise Refused(msg)
    errors = _errors(planned.reasons, planned.needs_outcome, form)
    if errors:
        raise Invalid(next(iter(errors.values())), errors)
    return row, access, planned


def _new_values(row: ReferralRow, planned: Move, form: MoveForm, now: datetime) -> dict[Any, Any]:
    """The columns the move changes: status, version, dates, reason or outcome."""
    values: dict[Any, Any] = {
        Referral.status: planned.to,
        Referral.version: row.version + 1,
        Referral.updated_at: now,
    }
    if planned.to in (ACCEPTED, REJECTED):
        values[Referral.responded_at] = now
    if planned.to in TERMINAL:
        values[Referral.closed_at] = now
    if planned.reasons is not None:
        values[Referral.reason_code] = form.reason_code
        values[Referral.reason_note] = form.reason_note.strip()
    if planned.needs_outcome:
        values[Referral.outcome_code] = form.outcome_code
        values[Referral.outcome_note] = form.outcome_note.strip()
    return values


_LANDINGS: dict[tuple[Any, ...], Prepared] = {}


def _landing(columns: tuple[Any, ...]) -> Prepared:
    """The compare-and-set of a move that sets `columns`: one prepared statement per set."""
    found = _LANDINGS.get(columns)
    if found is None:

        def build(referral_id: Any, version: Any, status: Any, *values: Any) -> Any:
            return (
                Referral.update(dict(zip(columns, values, strict=True)))
                .where(
                    (Referral.id == referral_id)
                    & (Referral.version == version)
                    & (Referral.status == status)
                )
                .returning(Referral.id)
            )

        found = _LANDINGS[columns] = Prepared(build, arity=3 + len(columns))
    return found


def event_by(
    principal: Principal, referral_id: UUID, now: datetime, kind: str, **more: Any
) -> ReferralEvent:
    """A referral's event of `kind`, made now by `principal` (named as they are now)."""
    return ReferralEvent(
        referral=referral_id,
        at=now,
        kind=kind,
        staff=principal.id,
        staff_name=principal.name,
        organisation=principal.organisation_id,
        organisation_name=principal.organisation_name,
        **more,
    )


async def _record_move(
    principal: Principal,
    row: ReferralRow,
    planned: Move,
    form: MoveForm,
    now: datetime,
    side: str,
    *,
    at_commit: bool,
) -> None:
    """The event, the end of involvement, the audit entry and the notifications of a move.

    `at_commit`: they may all wait for the transaction's last statement.
    """
    referral_id = row.id
    code = form.reason_code or form.outcome_code
    moved = event_by(
        principal,
        referral_id,
        now,
        "moved",
        from_status=row.status,
        to_status=planned.to,
        code=code,
    )
    await insert_rows([moved], at_commit=True)
    if planned.to in TERMINAL:
        await end_involvement(
            row.client,
            row.recipient_organisation,
            f"referral:{referral_id}",
            principal,
            at_commit=at_commit,
        )
    await audit.record(
        f"referral.{planned.action}",
        principal.actor,
        subject_type="referral",
        subject_id=str(referral_id),
        detail={"from": row.status, "to": planned.to, "code": code},
    )
    label = STATUS_LABELS[planned.to].lower()
    notice = notify.about(row)
    subject = f"Referral to {notify.reference(notice)}: {label}"
    await notify.sender_told(
        notice, subject, f"referral.{planned.action}", skip=principal.id, read=row
    )
    if side != RECIPIENT:
        await notify.recipients_told(
            notice, subject, f"referral.{planned.action}", skip=principal.id
        )


async def move(principal: Principal, referral_id: UUID, form: MoveForm) -> str:
    """Make the move the form asks for; returns the new status.

    Only if the referral is still as the reader saw it (version and status compared and set
    in one statement): of two moves at once, exactly one lands.

    Raises NotFound (not theirs), Refused (not allowed in its state now), Conflict (someone
    else acted first) or Invalid (a reason or outcome is missing).
    """
    row, access, planned = await _checked_move(principal, referral_id, form)
    now = clock.now()
    # A move in a transaction of its own may leave its compare-and-set to the commit (nothing
    # below reads the referral row); one in a caller's (the demo's) may be read after it.
    on_its_own = not in_transaction()
    try:
        async with transaction():
            values = _new_values(row, planned, form, now)
            await _landing(tuple(values)).must_change(
                referral_id, row.version, row.status, *values.values(), at_commit=on_its_own
            )
            await _record_move(
                principal, row, planned, form, now, access.side, at_commit=on_its_own
            )
    except NotLanded:
        raise await _lost_race(referral_id) from None
    return planned.to


async def stamp_opened(principal: Principal, row: ReferralRow) -> datetime | None:
    """Record the first time the recipient looks; the moment, when this look was the first."""
    if row.opened_at is not None:
        return None
    now = clock.now()
    on_its_own = not in_transaction()
    try:
        async with transaction():
            await _STAMP.must_change(now, principal.id, row.id, at_commit=on_its_own)
            await _opened_recorded(principal, row, now)
    except NotLanded:
        return None
    return now


_STAMP = Prepared(
    lambda now, staff, referral_id: (
        Referral.update({Referral.opened_at: now, Referral.opened_by: staff})
        .where((Referral.id == referral_id) & Referral.opened_at.is_null())
        .returning(Referral.id)
    )
)


async def _opened_recorded(principal: Principal, row: ReferralRow, now: datetime) -> None:
    """The event, audit entry and notification of a recipient's first look."""
    await insert_rows([event_by(principal, row.id, now, "opened")], at_commit=True)
    await audit.record(
        "referral.opened", principal.actor, subject_type="referral", subject_id=str(row.id)
    )
    await notify.sender_told(
        notify.about(row),
        f"Referral to {notify.reference(notify.about(row))}: opened",
        "referral.opened",
        read=row,
    )
