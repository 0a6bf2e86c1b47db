"""Telling a meeting's invitees: an in-app notification for workers and an e-mail with the
calendar invite for everyone with an address (workers, the client, whoever they bring).

Call inside the transaction of the change. Subjects and e-mails carry no client data: the kind
of meeting and its time only, with a link to sign in.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from consent.tables import ClientEntry
from consent.vocabulary import CONTACT, LONDON
from hub import audit, clock, mail
from hub.audit import Actor
from hub.settings import get_settings
from hub.tables import Notification, Staff
from plans.meeting_ics import CANCEL, FILENAME, KIND_TITLES, REQUEST, content_type, meeting_ics
from plans.tables import Meeting, MeetingInvitee

ARRANGED = "arranged"


def when(starts_at: datetime) -> str:
    """A meeting's time in UK words: "Friday 11 December 2026 at 10:30"."""
    local = starts_at.astimezone(LONDON)
    return f"{local:%A} {local.day} {local:%B %Y} at {local:%H:%M}"


async def client_email(client_id: UUID) -> str:
    """The newest e-mail address on the client's contact details, or ""."""
    rows = (
        await ClientEntry.select(ClientEntry.data)
        .where((ClientEntry.client == client_id) & (ClientEntry.category == CONTACT))
        .order_by(ClientEntry.recorded_at, ascending=False)
        .output(load_json=True)
    )
    return next((row["data"].get("email", "") for row in rows if row["data"].get("email")), "")


async def _addresses(invitees: list[dict[str, Any]]) -> list[tuple[dict[str, Any], str]]:
    staff_ids = [row["staff"] for row in invitees if row["staff"]]
    emails = {
        row["id"]: row["email"]
        for row in await Staff.select(Staff.id, Staff.email).where(
            Staff.id.is_in(staff_ids or [UUID(int=0)])
        )
    }
    found = []
    for row in invitees:
        if row["kind"] == "staff":
            found.append((row, emails.get(row["staff"], "")))
        elif row["kind"] == "client":
            found.append((row, await client_email(row["client"])))
        else:
            found.append((row, row["email"]))
    return found


def _body(headline: str, meeting: dict[str, Any], kind: str) -> str:
    base = get_settings().base_url
    link = (
        f"{base}/portal/meetings" if kind == "client" else f"{base}/plans/meetings/{meeting['id']}"
    )
    lines = [headline, "", f"When: {when(meeting['starts_at'])}"]
    if meeting["place"]:
        lines.append(f"Where: {meeting['place']}")
    if meeting["video_link"]:
        lines.append(f"Video link: {meeting['video_link']}")
    if kind == "guest":
        lines += ["", "The person who asked you to come can tell you more about it."]
    else:
        lines += ["", "Sign in to Wraparound to see it and say whether you can come:", link]
    lines += ["", "This e-mail carries no personal details: they stay in Wraparound."]
    return "\n".join(lines)


async def tell(
    meeting_id: UUID, headline: str, *, method: str = REQUEST, only: list[UUID] | None = None
) -> int:
    """Notify and e-mail the meeting's current invitees (or only the invitee rows `only`),
    each e-mail with the invite for this version of the meeting. Returns how many were told."""
    meeting = await Meeting.select().where(Meeting.id == meeting_id).first()
    if meeting is None:
        return 0
    query = MeetingInvitee.select().where(MeetingInvitee.meeting == meeting_id)
    if only is not None:
        query = query.where(MeetingInvitee.id.is_in(only or [UUID(int=0)]))
    else:
        query = query.where(MeetingInvitee.removed_at.is_null())
    invitees = await query
    title = KIND_TITLES.get(meeting["kind"], "Meeting")
    subject = f"{headline}: {title}, {when(meeting['starts_at'])}"
    now = clock.now()
    staff = [row["staff"] for row in invitees if row["kind"] == "staff" and row["staff"]]
    if staff:
        await Notification.insert(
            *[
                Notification(
                    staff=staff_id,
                    at=now,
                    subject=subject[:300],
                    link=f"/plans/meetings/{meeting_id}",
                    kind="meeting",
                )
                for staff_id in staff
            ]
        )
    for row, address in await _addresses(invitees):
        if not address:
            continue
        invite = meeting_ics(
            meeting_id=meeting_id,
            kind=meeting["kind"],
            starts_at=meeting["starts_at"],
            minutes_long=meeting["minutes_long"],
            place=meeting["place"],
            video_link=meeting["video_link"],
            sequence=meeting["sequence"],
            method=method,
            attendee_email=address,
        )
        await mail.queue_email(
            address,
            f"Wraparound: {subject}"[:200],
            _body(subject, meeting, row["kind"]),
            attachment=mail.Attachment(
                filename=FILENAME, content_type=content_type(method), text=invite
            ),
        )
    return len(invitees)


async def withdraw_invitations(client_id: UUID, staff_id: UUID, actor: Actor) -> int:
    """Take a worker off every future meeting about the client (they left the care team), and
    send them the cancellation. Returns how many invitations ended."""
    now = clock.now()
    future = await Meeting.select(Meeting.id).where(
        (Meeting.client == client_id) & (Meeting.status == ARRANGED) & (Meeting.starts_at > now)
    )
    ended = 0
    for meeting in future:
        rows = (
            await MeetingInvitee.update({MeetingInvitee.removed_at: now})
            .where(
                (MeetingInvitee.meeting == meeting["id"])
                & (MeetingInvitee.staff == staff_id)
                & MeetingInvitee.removed_at.is_null()
            )
            .returning(MeetingInvitee.id)
        )
        if rows:
            ended += len(rows)
            await tell(
                meeting["id"],
                "You are no longer invited",
                method=CANCEL,
                only=[row["id"] for row in rows],
            )
            await audit.record(
                "meeting.invitation_withdrawn",
                actor,
                subject_type="meeting",
                subject_id=str(meeting["id"]),
                detail={"staff_id": str(staff_id)},
            )
    return ended
