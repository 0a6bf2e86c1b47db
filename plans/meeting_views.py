"""A meeting as one reader may see it, under the sharing rule: the page, the minutes and the
client's own copy.

Everyone invited sees the kind of meeting, when and where it is, their own answer and their
own organisation's actions. The rest (who the client is, agenda, who else is coming, notes,
decisions, other organisations' actions) follows the sharing rule for the reader's
organisation: the plan category for most of it, the notes' own category for the notes, and
identity for the client's name. The client sees all of it, in plain words.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

import msgspec

from consent import access_log, policy
from consent.vocabulary import IDENTITY, PLAN, PLAN_SHARING, category_label, local_date
from hub.accounts.schemas import Principal
from hub.errors import NotFound
from hub.tables import Client
from plans.care_team import current_lead, is_on_team
from plans.content import today
from plans.meeting_answers import ANSWERS
from plans.meeting_ics import KIND_TITLES
from plans.meeting_notices import ARRANGED, when
from plans.meeting_record import UnmetAction, unmet_from_last_meeting
from plans.tables import Action, Meeting, MeetingAction, MeetingInvitee

CLIENT_WORDS = {
    "attending": "coming",
    "not_attending": "not coming",
    "sending": "sending someone else",
    "pending": "not answered yet",
}


class InviteeView(msgspec.Struct, frozen=True, kw_only=True):
    """One invitee as the page lists them."""

    id: UUID
    kind: str
    name: str
    organisation_name: str
    answer: str
    answer_label: str
    answer_note: str
    attended: str


class ActionLine(msgspec.Struct, frozen=True, kw_only=True):
    """An action agreed at the meeting."""

    id: UUID
    description: str
    organisation_id: UUID
    organisation_name: str
    due_on: date | None
    status: str


class MeetingView(msgspec.Struct, frozen=True, kw_only=True):
    """What one reader sees of one meeting."""

    id: UUID
    client_id: UUID
    kind: str
    title: str
    starts_at: datetime
    when: str
    minutes_long: int
    place: str
    video_link: str
    status: str
    full: bool
    """The reader sees everything the plan category covers."""
    is_client: bool
    client_name: str
    agenda: str
    invitees: list[InviteeView]
    mine: InviteeView | None
    notes: str
    notes_label: str
    decisions: str
    actions: list[ActionLine]
    unmet: list[UnmetAction]
    withheld: list[str]
    may_change: bool
    may_record: bool


async def _invitees(meeting_id: UUID) -> list[dict[str, Any]]:
    return await MeetingInvitee.select(
        *MeetingInvitee.all_columns(),
        MeetingInvitee.staff.name.as_alias("staff_name"),
        MeetingInvitee.staff.organisation.name.as_alias("organisation_name"),  # type: ignore[union-attr]
    ).where((MeetingInvitee.meeting == meeting_id) & MeetingInvitee.removed_at.is_null())


def _invitee(row: dict[str, Any], client_name: str, for_client: bool) -> InviteeView:
    name = {"client": client_name or "The client", "guest": row["name"]}.get(
        row["kind"], row["staff_name"] or ""
    )
    label = CLIENT_WORDS if for_client else {**ANSWERS, "pending": "Not answered yet"}
    return InviteeView(
        id=row["id"],
        kind=row["kind"],
        name=name,
        organisation_name=row["organisation_name"] or "",
        answer=row["answer"],
        answer_label=label.get(row["answer"], row["answer"]),
        answer_note=row["answer_note"],
        attended=row["attended"],
    )


async def _actions(meeting_id: UUID) -> list[ActionLine]:
    links = await MeetingAction.select(MeetingAction.action).where(
        MeetingAction.meeting == meeting_id
    )
    rows = await Action.select(
        Action.id,
        Action.description,
        Action.organisation,
        Action.organisation.name.as_alias("organisation_name"),
        Action.due_on,
        Action.status,
    ).where(Action.id.is_in([row["action"] for row in links] or [UUID(int=0)]))
    return sorted(
        (
            ActionLine(
                id=row["id"],
                description=row["description"],
                organisation_id=row["organisation"],
                organisation_name=row["organisation_name"] or "",
                due_on=row["due_on"],
                status=row["status"],
            )
            for row in rows
        ),
        key=lambda a: (a.organisation_name, a.description),
    )


async def meeting_view(principal: Principal, meeting_id: UUID) -> MeetingView:
    """The meeting as this reader may see it (NotFound when they may see nothing of it)."""
    meeting = await Meeting.select().where(Meeting.id == meeting_id).first()
    if meeting is None:
        raise NotFound("No such meeting")
    client_id = meeting["client"]
    rows = await _invitees(meeting_id)
    if principal.is_client:
        if principal.id == client_id:
            return await _build(meeting, rows, None, principal, full=True, notes=True, name=True)
        if not any(row["kind"] == "client" and row["client"] == principal.id for row in rows):
            raise NotFound("No such meeting")
        # Another member of the household, at a family group conference: when and where.
        return await _build(meeting, rows, None, principal, full=False, notes=False, name=False)
    mine = next((row for row in rows if row["staff"] == principal.id), None)
    decision = (
        await policy.decide(principal, client_id, PLAN_SHARING)
        if principal.organisation_id
        else None
    )
    on_team = principal.organisation_id is not None and await is_on_team(
        client_id, principal.organisation_id
    )
    if mine is None and not (on_team and decision is not None and decision.visible):
        raise NotFound("No such meeting")
    organiser = meeting["organisation"]
    full = bool(on_team and decision is not None and decision.may_read(PLAN, organiser))
    notes = bool(full and decision and decision.may_read(meeting["notes_category"], organiser))
    name = bool(decision is not None and decision.identity_visible)
    view = await _build(meeting, rows, decision, principal, full=full, notes=notes, name=name)
    shown = ([IDENTITY] if name else []) + ([PLAN] if full else [])
    if notes and meeting["notes"]:
        shown.append(meeting["notes_category"])
    await access_log.record_reads(
        principal, {client_id: shown}, context="meeting", purpose=PLAN_SHARING
    )
    return view


async def _build(
    meeting: dict[str, Any],
    rows: list[dict[str, Any]],
    decision: policy.Decision | None,
    principal: Principal,
    *,
    full: bool,
    notes: bool,
    name: bool,
) -> MeetingView:
    client_id = meeting["client"]
    client_name = ""
    if name:
        row = await Client.select(Client.full_name).where(Client.id == client_id).first()
        client_name = row["full_name"] if row else ""
    for_client = principal.is_client
    invitees = [_invitee(row, client_name, for_client) for row in rows]
    if for_client:
        mine_row = next(
            (row for row in rows if row["kind"] == "client" and row["client"] == principal.id),
            None,
        )
    else:
        mine_row = next((row for row in rows if row["staff"] == principal.id), None)
    mine = _invitee(mine_row, client_name, for_client) if mine_row else None
    actions = await _actions(meeting["id"])
    if not full:
        actions = [
            a for a in actions if a.organisation_id == principal.organisation_id and not for_client
        ]
        invitees = [mine] if mine else []
    withheld = []
    if not full and decision is not None:
        withheld.append(
            "Who else is invited, the agenda, notes, decisions and other organisations' "
            "actions: " + decision.withheld.get(PLAN, "not shared with your organisation.")
        )
    elif full and not notes and meeting["notes"] and decision is not None:
        category = meeting["notes_category"]
        withheld.append(
            f"The notes are about {category_label(category)}: "
            + decision.withheld.get(category, "not shared with your organisation.")
        )
    lead = await current_lead(client_id)
    is_lead = lead is not None and lead.staff_id == principal.id and not for_client
    arranged = meeting["status"] == ARRANGED
    may_change = arranged and (is_lead or meeting["arranged_by"] == principal.id)
    return MeetingView(
        id=meeting["id"],
        client_id=client_id,
        kind=meeting["kind"],
        title=KIND_TITLES.get(meeting["kind"], "Meeting"),
        starts_at=meeting["starts_at"],
        when=when(meeting["starts_at"]),
        minutes_long=meeting["minutes_long"],
        place=meeting["place"],
        video_link=meeting["video_link"],
        status=meeting["status"],
        full=full,
        is_client=for_client,
        client_name=client_name,
        agenda=meeting["agenda"] if full else "",
        invitees=invitees,
        mine=mine,
        notes=meeting["notes"] if notes else "",
        notes_label=category_label(meeting["notes_category"]),
        decisions=meeting["decisions"] if full else "",
        actions=actions,
        unmet=await unmet_from_last_meeting(client_id, meeting["starts_at"]) if full else [],
        withheld=withheld,
        may_change=may_change,
        may_record=may_change and local_date(meeting["starts_at"]) <= today(),
    )


class MeetingLine(msgspec.Struct, frozen=True, kw_only=True):
    """A meeting in a list: the plan's, or the client's in the portal."""

    id: UUID
    title: str
    when: str
    status: str
    answer: str


async def meetings_of(client_id: UUID, *, for_client: bool = False) -> list[MeetingLine]:
    """The client's meetings, soonest last (no access check: the caller has checked)."""
    invited = await MeetingInvitee.select(MeetingInvitee.meeting).where(
        (MeetingInvitee.kind == "client")
        & (MeetingInvitee.client == client_id)
        & MeetingInvitee.removed_at.is_null()
    )
    where: Any = Meeting.client == client_id
    if for_client and invited:
        where = where | Meeting.id.is_in([row["meeting"] for row in invited])
    rows = (
        await Meeting.select(Meeting.id, Meeting.kind, Meeting.starts_at, Meeting.status)
        .where(where)
        .order_by(Meeting.starts_at, ascending=False)
    )
    answers: dict[UUID, str] = {}
    if for_client and rows:
        for row in await MeetingInvitee.select(MeetingInvitee.meeting, MeetingInvitee.answer).where(
            MeetingInvitee.meeting.is_in([r["id"] for r in rows])
            & (MeetingInvitee.kind == "client")
            & (MeetingInvitee.client == client_id)
        ):
            answers[row["meeting"]] = row["answer"]
    return [
        MeetingLine(
            id=row["id"],
            title=KIND_TITLES.get(row["kind"], "Meeting"),
            when=when(row["starts_at"]),
            status=row["status"],
            answer=_answer_in_list(row["status"], answers.get(row["id"], "")),
        )
        for row in rows
    ]


def _answer_in_list(status: str, answer: str) -> str:
    """The client's answer, in their words, for a meeting still to come; a held or cancelled
    meeting's answer no longer matters, and an unanswered one asks for an answer."""
    if status != "arranged" or not answer:
        return ""
    if answer == "pending":
        return "please tell us if you can come"
    return "you said: " + CLIENT_WORDS.get(answer, answer)
