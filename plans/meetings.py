"""Multi-agency meetings: arranging one (kind, time, place or video link, agenda, invitees),
moving and cancelling it, and each invitee's answer.

Invitees are the client (and anyone they bring, with an e-mail), and named workers of
care-team organisations; a worker of an organisation not on the team only when the client's
consent names it. The lead arranges; any care-team member may arrange the first planning
meeting. Every change is one transaction and tells every invitee (plans.meeting_notices).
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Any
from uuid import UUID

import msgspec

from consent import policy
from consent.vocabulary import LONDON, PLAN_SHARING
from hub import audit, clock
from hub.accounts.schemas import Principal
from hub.db import transaction
from hub.errors import Forbidden, Invalid, NotFound
from hub.tables import Organisation, Staff
from hub.web.numbers import whole_number
from plans.access import PlanAccess, plan_access
from plans.care_team import care_team
from plans.households import household_of, member_ids
from plans.meeting_ics import CANCEL, KIND_TITLES
from plans.meeting_notices import ARRANGED, tell
from plans.reviews import open_plan
from plans.tables import Meeting, MeetingInvitee

KINDS = KIND_TITLES
FAMILY_CONFERENCE = "family_group_conference"
HELD = "held"
CANCELLED = "cancelled"
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
TIME = re.compile(r"^(\d{1,2})[:.](\d{2})$")
MAX_TEXT = 4000


class ArrangeForm(msgspec.Struct, kw_only=True):
    """Form: arrange (or move) a meeting."""

    kind: str = ""
    starts_on: date | None = None
    starts_time: str = ""
    minutes_long: str = "60"
    place: str = ""
    video_link: str = ""
    agenda: str = ""
    staff_ids: list[str] = []
    invite_client: bool = False
    guest_name: str = ""
    guest_email: str = ""
    other_email: str = ""


class MissingConsent(Invalid):
    """A worker of an organisation not on the care team, whom no consent names."""

    def __init__(self, organisation_name: str, reason: str) -> None:
        self.organisation_name = organisation_name
        self.reason = reason
        msg = (
            f"{organisation_name} is not on the client's care team and the client's consent "
            f"does not name them: {reason} Record a consent that names {organisation_name} "
            "before inviting them."
        )
        super().__init__(msg, {"other_email": msg})


def starts_at_of(day: date, hour_minute: tuple[int, int]) -> datetime:
    """A UK local day and time as an aware moment."""
    return datetime.combine(day, time(*hour_minute), tzinfo=LONDON)


def _when(form: ArrangeForm, errors: dict[str, str]) -> tuple[datetime | None, int]:
    minutes = whole_number(form.minutes_long.strip() or "60", 15, 480)
    if minutes is None:
        errors["minutes_long"] = "Enter how long the meeting is, from 15 to 480 minutes"
    found = TIME.match(form.starts_time.strip())
    if form.starts_on is None:
        errors["starts_on"] = "Enter the date of the meeting"
    if found is None or int(found[1]) > 23 or int(found[2]) > 59:
        errors["starts_time"] = "Enter the time of the meeting, like 10:30"
    if form.starts_on is None or found is None or "starts_time" in errors:
        return None, minutes or 60
    starts_at = starts_at_of(form.starts_on, (int(found[1]), int(found[2])))
    if starts_at <= clock.now():
        errors["starts_on"] = "The meeting must be in the future"
    return starts_at, minutes or 60


def _details(form: ArrangeForm, errors: dict[str, str]) -> dict[str, str]:
    values = {
        "place": form.place.strip(),
        "video_link": form.video_link.strip(),
        "agenda": form.agenda.strip(),
    }
    for field, value in values.items():
        if len(value) > MAX_TEXT:
            errors[field] = f"Keep this to {MAX_TEXT} characters or fewer"
    if not values["place"] and not values["video_link"]:
        errors["place"] = "Say where the meeting is, or give a video link"
    if values["video_link"] and not values["video_link"].startswith("https://"):
        errors["video_link"] = "Give the video link as a web address starting https://"
    return values


async def _staff_invitees(
    client_id: UUID, form: ArrangeForm, errors: dict[str, str]
) -> list[dict[str, Any]]:
    team = await care_team(client_id)
    workers = {str(w.staff_id): w for w in team.workers}
    chosen: list[dict[str, Any]] = []
    for value in dict.fromkeys(form.staff_ids):
        worker = workers.get(value)
        if worker is None:
            errors["staff_ids"] = "Choose workers from the client's care team"
            continue
        chosen.append({"staff": worker.staff_id, "organisation": worker.organisation_id})
    if form.other_email.strip():
        chosen.append(await _other_worker(client_id, form.other_email.strip(), team, errors))
    people = await Staff.select(Staff.id, Staff.name, Staff.email).where(
        Staff.id.is_in([c["staff"] for c in chosen if c] or [UUID(int=0)])
    )
    for person in people:
        if not person["email"].strip():
            errors["staff_ids"] = f"{person['name']} has no e-mail address, so cannot be invited"
    return [c for c in chosen if c]


async def _other_worker(
    client_id: UUID, email: str, team: Any, errors: dict[str, str]
) -> dict[str, Any]:
    person = (
        await Staff.select(Staff.id, Staff.organisation, Staff.organisation.name.as_alias("org"))
        .where((Staff.email == email.lower()) & (Staff.active == True))  # noqa: E712
        .first()
    )
    if person is None:
        errors["other_email"] = "No worker in Wraparound has that e-mail address"
        return {}
    if person["organisation"] not in {o.id for o in team.organisations}:
        cover = await policy.coverage(client_id, person["organisation"], PLAN_SHARING)
        if not cover.categories:
            cover = await policy.coverage(client_id, person["organisation"])
        if not cover.categories:
            raise MissingConsent(person["org"], cover.reason)
    return {"staff": person["id"], "organisation": person["organisation"]}


def _guest(form: ArrangeForm, errors: dict[str, str]) -> dict[str, str] | None:
    name, email = form.guest_name.strip(), form.guest_email.strip()
    if not name and not email:
        return None
    if not name:
        errors["guest_name"] = "Give the name of the person the client is bringing"
    if not email:
        errors["guest_email"] = (
            f"Give an e-mail address for {name or 'the person the client is bringing'}: "
            "everyone invited gets the invite by e-mail"
        )
    elif not EMAIL.match(email):
        errors["guest_email"] = "Enter an e-mail address in the correct format"
    return {"name": name[:200], "email": email[:254]}


async def may_arrange(access: PlanAccess, kind: str) -> bool:
    """The lead arranges; anyone on the team the first planning meeting (before any lead)."""
    if access.is_lead:
        return True
    if kind != "planning" or access.is_client:
        return False
    return not await Meeting.exists().where(
        (Meeting.client == access.client_id)
        & (Meeting.kind == "planning")
        & (Meeting.status != CANCELLED)
    )


async def arrange(principal: Principal, client_id: UUID, form: ArrangeForm) -> UUID:
    """Arrange a meeting and invite everyone chosen (Invalid lists every problem; nothing is
    saved unless all is well)."""
    access = await plan_access(principal, client_id)
    errors: dict[str, str] = {}
    if form.kind not in KINDS:
        errors["kind"] = "Choose the kind of meeting"
    elif not await may_arrange(access, form.kind):
        msg = (
            "Only the client's lead professional can arrange this meeting "
            "(anyone on the care team can arrange the first planning meeting)"
        )
        raise Forbidden(msg)
    plan_id = await open_plan(client_id)
    starts_at, minutes = _when(form, errors)
    details = _details(form, errors)
    staff = await _staff_invitees(client_id, form, errors)
    guest = _guest(form, errors)
    if guest and not form.invite_client and form.kind != FAMILY_CONFERENCE:
        errors["invite_client"] = "Invite the client too, if they are bringing someone"
    members: list[UUID] = []
    household = None
    if form.kind == FAMILY_CONFERENCE:
        household = await household_of(client_id)
        if household is None:
            errors["kind"] = (
                "A family group conference invites the client's household: link the client's "
                "household first"
            )
        else:
            members = await member_ids(household)
    if not staff and not form.invite_client and not members:
        errors["staff_ids"] = "Invite at least one person"
    if errors or starts_at is None:
        raise Invalid(next(iter(errors.values()), "Check the meeting"), errors)
    now = clock.now()
    meeting = Meeting(
        plan=plan_id,
        client=client_id,
        kind=form.kind,
        household=household,
        starts_at=starts_at,
        minutes_long=minutes,
        arranged_by=principal.id,
        organisation=access.organisation_id,
        created_at=now,
        updated_at=now,
        place=details["place"],
        video_link=details["video_link"],
        agenda=details["agenda"],
    )
    rows = [MeetingInvitee(meeting=meeting.id, kind="staff", **person) for person in staff]
    for member in members or ([client_id] if form.invite_client else []):
        rows.append(MeetingInvitee(meeting=meeting.id, kind="client", client=member))
    if guest:
        rows.append(
            MeetingInvitee(
                meeting=meeting.id, kind="guest", name=guest["name"], email=guest["email"]
            )
        )
    async with transaction():
        await Meeting.insert(meeting)
        await MeetingInvitee.insert(*rows)
        await audit.record(
            "meeting.arranged",
            principal.actor,
            subject_type="client",
            subject_id=str(client_id),
            detail={"meeting_id": str(meeting.id), "kind": form.kind, "invitees": len(rows)},
        )
        await tell(UUID(str(meeting.id)), "Meeting invitation")
    return UUID(str(meeting.id))


async def _own_meeting(principal: Principal, meeting_id: UUID) -> dict[str, Any]:
    """A meeting still to happen that this worker may change (the lead, or who arranged it)."""
    meeting = await Meeting.select().where(Meeting.id == meeting_id).first()
    if meeting is None:
        raise NotFound("No such meeting")
    access = await plan_access(principal, meeting["client"])
    if not (access.is_lead or meeting["arranged_by"] == principal.id):
        msg = "Only the lead professional or who arranged the meeting can change it"
        raise Forbidden(msg)
    if meeting["status"] != ARRANGED:
        msg = "This meeting has already been held or cancelled"
        raise Forbidden(msg)
    return meeting


async def move(principal: Principal, meeting_id: UUID, form: ArrangeForm) -> None:
    """Move the meeting to a new time or place; every invitee gets the updated invite."""
    meeting = await _own_meeting(principal, meeting_id)
    errors: dict[str, str] = {}
    starts_at, minutes = _when(form, errors)
    details = _details(form, errors)
    if errors or starts_at is None:
        raise Invalid(next(iter(errors.values()), "Check the meeting"), errors)
    async with transaction():
        await Meeting.update(
            {
                Meeting.starts_at: starts_at,
                Meeting.minutes_long: minutes,
                Meeting.place: details["place"],
                Meeting.video_link: details["video_link"],
                Meeting.agenda: details["agenda"],
                Meeting.sequence: meeting["sequence"] + 1,
                Meeting.updated_at: clock.now(),
            }
        ).where(Meeting.id == meeting_id)
        await audit.record(
            "meeting.moved", principal.actor, subject_type="meeting", subject_id=str(meeting_id)
        )
        await tell(meeting_id, "Meeting moved")


async def cancel(principal: Principal, meeting_id: UUID) -> None:
    """Cancel the meeting; every invitee gets the cancellation."""
    meeting = await _own_meeting(principal, meeting_id)
    async with transaction():
        await Meeting.update(
            {
                Meeting.status: CANCELLED,
                Meeting.sequence: meeting["sequence"] + 1,
                Meeting.updated_at: clock.now(),
            }
        ).where(Meeting.id == meeting_id)
        await audit.record(
            "meeting.cancelled", principal.actor, subject_type="meeting", subject_id=str(meeting_id)
        )
        await tell(meeting_id, "Meeting cancelled", method=CANCEL)


async def organisation_names(ids: list[UUID]) -> dict[UUID, str]:
    """Organisation id -> name."""
    rows = await Organisation.select(Organisation.id, Organisation.name).where(
        Organisation.id.is_in(ids or [UUID(int=0)])
    )
    return {row["id"]: row["name"] for row in rows}


class WorkerChoice(msgspec.Struct, frozen=True, kw_only=True):
    """A care-team worker to invite."""

    staff_id: UUID
    label: str


class ArrangeStart(msgspec.Struct, frozen=True, kw_only=True):
    """What the arrange form offers: the team's workers and the kinds this worker may use."""

    client_id: UUID
    workers: list[WorkerChoice]
    kinds: list[tuple[str, str]]


async def may_arrange_any(access: PlanAccess) -> bool:
    """May this reader arrange some kind of meeting now?"""
    return any([await may_arrange(access, kind) for kind in KINDS])


async def arrange_start(principal: Principal, client_id: UUID) -> ArrangeStart:
    """The arrange form's choices (NotFound to anyone not on the care team)."""
    access = await plan_access(principal, client_id)
    team = await care_team(client_id)
    kinds = [(kind, title) for kind, title in KINDS.items() if await may_arrange(access, kind)]
    if not kinds:
        msg = "Only the client's lead professional can arrange a meeting"
        raise Forbidden(msg)
    return ArrangeStart(
        client_id=client_id,
        workers=[
            WorkerChoice(staff_id=w.staff_id, label=f"{w.name} ({w.organisation_name})")
            for w in team.workers
        ],
        kinds=kinds,
    )


async def meeting_client(meeting_id: UUID) -> UUID:
    """The client a meeting is about (NotFound when there is no such meeting)."""
    row = await Meeting.select(Meeting.client).where(Meeting.id == meeting_id).first()
    if row is None:
        raise NotFound("No such meeting")
    return UUID(str(row["client"]))
