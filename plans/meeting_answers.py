"""An invitee's answer to a meeting: attending, not attending, or sending someone instead.

Workers answer on the meeting's page, the client in the portal; only a current invitation of
a meeting still to be held can be answered.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec

from hub import audit, clock
from hub.accounts.schemas import Principal
from hub.db import transaction
from hub.errors import Forbidden, Invalid, NotFound
from plans.meeting_notices import ARRANGED
from plans.tables import Meeting, MeetingInvitee

ANSWERS = {
    "attending": "Attending",
    "not_attending": "Not attending",
    "sending": "Sending someone instead",
}


class AnswerForm(msgspec.Struct, kw_only=True):
    """Form: an invitee's answer."""

    answer: str = ""
    answer_note: str = ""


async def my_invitation(principal: Principal, meeting_id: UUID) -> dict[str, Any]:
    """The signed-in person's current invitation to the meeting, or NotFound."""
    query = MeetingInvitee.select().where(
        (MeetingInvitee.meeting == meeting_id) & MeetingInvitee.removed_at.is_null()
    )
    if principal.is_client:
        query = query.where(
            (MeetingInvitee.kind == "client") & (MeetingInvitee.client == principal.id)
        )
    else:
        query = query.where(MeetingInvitee.staff == principal.id)
    row = await query.first()
    if row is None:
        raise NotFound("No such meeting")
    return row


async def answer(principal: Principal, meeting_id: UUID, form: AnswerForm) -> None:
    """An invitee says whether they are coming (or who they are sending)."""
    invitation = await my_invitation(principal, meeting_id)
    meeting = await Meeting.select(Meeting.status).where(Meeting.id == meeting_id).first()
    if meeting is None or meeting["status"] != ARRANGED:
        msg = "This meeting has already been held or cancelled"
        raise Forbidden(msg)
    errors: dict[str, str] = {}
    if form.answer not in ANSWERS:
        errors["answer"] = "Say whether you are coming"
    note = form.answer_note.strip()
    if form.answer == "sending" and not note:
        errors["answer_note"] = "Say who you are sending"
    elif len(note) > 200:
        errors["answer_note"] = "Keep this to 200 characters or fewer"
    if errors:
        raise Invalid(next(iter(errors.values())), errors)
    async with transaction():
        await MeetingInvitee.update(
            {
                MeetingInvitee.answer: form.answer,
                MeetingInvitee.answer_note: note if form.answer == "sending" else "",
                MeetingInvitee.answered_at: clock.now(),
            }
        ).where(MeetingInvitee.id == invitation["id"])
        await audit.record(
            "meeting.answered",
            principal.actor,
            subject_type="meeting",
            subject_id=str(meeting_id),
            detail={"answer": form.answer},
        )
