"""The daily sweep of future meetings: a worker whose organisation has left the care team and
is no longer named by the client's consent loses their invitation, and is sent the
cancellation (removing a named worker from the team does the same at once: care_team)."""

from __future__ import annotations

from uuid import UUID

from consent import policy
from consent.vocabulary import COORDINATION, PLAN_SHARING
from hub import audit, clock
from hub.audit import Actor
from hub.db import transaction
from plans.care_team import team_organisations
from plans.meeting_ics import CANCEL
from plans.meeting_notices import ARRANGED, tell
from plans.tables import Meeting, MeetingInvitee


async def _still_welcome(client_id: UUID, organisation_id: UUID, team: set[UUID]) -> bool:
    if organisation_id in team:
        return True
    for purpose in (PLAN_SHARING, COORDINATION):
        if (await policy.coverage(client_id, organisation_id, purpose)).categories:
            return True
    return False


async def withdraw_departed() -> int:
    """End future invitations of workers whose organisation may no longer come; returns how
    many ended."""
    now = clock.now()
    future = await Meeting.select(Meeting.id, Meeting.client).where(
        (Meeting.status == ARRANGED) & (Meeting.starts_at > now)
    )
    ended = 0
    for meeting in future:
        team = set(await team_organisations(meeting["client"]))
        invitees = await MeetingInvitee.select(
            MeetingInvitee.id, MeetingInvitee.organisation, MeetingInvitee.staff
        ).where(
            (MeetingInvitee.meeting == meeting["id"])
            & (MeetingInvitee.kind == "staff")
            & MeetingInvitee.removed_at.is_null()
        )
        gone = [
            row["id"]
            for row in invitees
            if row["organisation"] is not None
            and not await _still_welcome(meeting["client"], row["organisation"], team)
        ]
        if not gone:
            continue
        async with transaction():
            await MeetingInvitee.update({MeetingInvitee.removed_at: now}).where(
                MeetingInvitee.id.is_in(gone)
            )
            await tell(meeting["id"], "You are no longer invited", method=CANCEL, only=gone)
            await audit.record(
                "meeting.invitations_withdrawn",
                Actor.system(),
                subject_type="meeting",
                subject_id=str(meeting["id"]),
                detail={"invitations": len(gone)},
            )
        ended += len(gone)
    return ended
