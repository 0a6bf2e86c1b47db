"""Recording a meeting once held: who came, notes, decisions and agreed actions, each action
created in the plan with its owner organisation and due date, all in one transaction.

A review meeting is the plan's review: recording it writes the review (plans.reviews) with the
client's wellbeing ratings and sets the next review 4 to 8 weeks on. Before recording, each
organisation's unmet actions from the last meeting are listed for the "tactful challenge".
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import msgspec

from consent.vocabulary import CATEGORIES, PLAN, local_date
from hub import audit, clock, mail
from hub.accounts.schemas import Principal
from hub.db import transaction
from hub.errors import Forbidden, Invalid, NotFound
from hub.settings import get_settings
from hub.tables import Notification
from plans import reviews
from plans.access import plan_access
from plans.care_team import team_organisations
from plans.content import today
from plans.meeting_notices import ARRANGED, client_email
from plans.meetings import HELD
from plans.reviews import ReviewForm, open_plan
from plans.tables import Action, Goal, Meeting, MeetingAction, MeetingInvitee

ACTION_ROWS = (1, 2, 3)
UNMET = ("not_started", "in_progress", "on_hold")


class RecordForm(ReviewForm, kw_only=True):
    """Form: the meeting's record; for a review meeting, the review's ratings too."""

    attended: list[str] = []
    notes_category: str = PLAN
    action1_description: str = ""
    action1_goal: str = ""
    action1_organisation: str = ""
    action1_due: date | None = None
    action2_description: str = ""
    action2_goal: str = ""
    action2_organisation: str = ""
    action2_due: date | None = None
    action3_description: str = ""
    action3_goal: str = ""
    action3_organisation: str = ""
    action3_due: date | None = None


class UnmetAction(msgspec.Struct, frozen=True, kw_only=True):
    """An action agreed at the last meeting and not yet done."""

    organisation_id: UUID
    organisation_name: str
    description: str
    due_on: date | None
    status: str


async def meeting_for_recording(principal: Principal, meeting_id: UUID) -> dict[str, Any]:
    """The meeting, if this worker may record it now (the lead, or who arranged it; on or after
    its day)."""
    meeting = await Meeting.select().where(Meeting.id == meeting_id).first()
    if meeting is None:
        raise NotFound("No such meeting")
    access = await plan_access(principal, meeting["client"])
    if not (access.is_lead or meeting["arranged_by"] == principal.id):
        msg = "Only the lead professional or who arranged the meeting can record it"
        raise Forbidden(msg)
    if meeting["status"] != ARRANGED:
        msg = "This meeting has already been recorded or was cancelled"
        raise Forbidden(msg)
    if local_date(meeting["starts_at"]) > today():
        msg = "A meeting can be recorded from its day onwards"
        raise Forbidden(msg)
    return meeting


async def unmet_from_last_meeting(client_id: UUID, before: Any) -> list[UnmetAction]:
    """Each organisation's actions agreed at the last held meeting that are not yet done."""
    last = (
        await Meeting.select(Meeting.id)
        .where((Meeting.client == client_id) & (Meeting.status == HELD))
        .where(Meeting.starts_at < before)
        .order_by(Meeting.starts_at, ascending=False)
        .first()
    )
    if last is None:
        return []
    links = await MeetingAction.select(MeetingAction.action).where(
        MeetingAction.meeting == last["id"]
    )
    rows = await Action.select(
        Action.organisation,
        Action.organisation.name.as_alias("organisation_name"),
        Action.description,
        Action.due_on,
        Action.status,
    ).where(
        Action.id.is_in([row["action"] for row in links] or [UUID(int=0)])
        & Action.status.is_in(list(UNMET))
    )
    return sorted(
        (
            UnmetAction(
                organisation_id=row["organisation"],
                organisation_name=row["organisation_name"] or "",
                description=row["description"],
                due_on=row["due_on"],
                status=row["status"],
            )
            for row in rows
        ),
        key=lambda a: (a.organisation_name, a.description),
    )


async def _actions(
    form: RecordForm, meeting: dict[str, Any], errors: dict[str, str]
) -> list[dict[str, Any]]:
    goals = {
        str(row["id"])
        for row in await Goal.select(Goal.id).where(
            (Goal.plan == meeting["plan"]) & (Goal.status != "closed")
        )
    }
    team = {str(org) for org in await team_organisations(meeting["client"])}
    found = []
    for n in ACTION_ROWS:
        description = getattr(form, f"action{n}_description").strip()
        goal = getattr(form, f"action{n}_goal")
        organisation = getattr(form, f"action{n}_organisation")
        due = getattr(form, f"action{n}_due")
        if not description:
            continue
        if len(description) > 2000:
            errors[f"action{n}_description"] = "Keep this to 2000 characters or fewer"
        if goal not in goals:
            errors[f"action{n}_goal"] = f"Choose the goal action {n} is for"
        if organisation not in team:
            errors[f"action{n}_organisation"] = (
                f"Choose an organisation on the client's care team to own action {n}"
            )
        if due is not None and due < local_date(meeting["starts_at"]):
            errors[f"action{n}_due"] = f"Action {n} cannot be due before the meeting"
        found.append(
            {"description": description, "goal": goal, "organisation": organisation, "due": due}
        )
    return found


async def record(principal: Principal, meeting_id: UUID, form: RecordForm) -> None:
    """Record the meeting: attendance, notes, decisions, agreed actions (and for a review
    meeting, the review). Invalid lists every problem; nothing is saved half-way."""
    meeting = await meeting_for_recording(principal, meeting_id)
    access = await plan_access(principal, meeting["client"])
    invitees = await MeetingInvitee.select(
        *MeetingInvitee.all_columns(), MeetingInvitee.staff.name.as_alias("staff_name")
    ).where((MeetingInvitee.meeting == meeting_id) & MeetingInvitee.removed_at.is_null())
    invited = {str(row["id"]): row for row in invitees}
    errors: dict[str, str] = {}
    attended = set(form.attended)
    if attended - set(invited):
        errors["attended"] = "Only people invited to the meeting can be recorded as attending"
    elif not attended:
        errors["attended"] = "Tick who came to the meeting"
    if form.notes_category not in CATEGORIES:
        errors["notes_category"] = "Choose what the notes are about"
    for field in ("notes", "decisions"):
        if len(getattr(form, field)) > reviews.MAX_LONG:
            errors[field] = f"Keep this to {reviews.MAX_LONG} characters or fewer"
    actions = await _actions(form, meeting, errors)
    validated = None
    if meeting["kind"] == "review":
        validated = _review_part(form, meeting, invited, attended, errors)
    if errors:
        raise Invalid(next(iter(errors.values())), errors)
    plan_id = await open_plan(meeting["client"])
    now = clock.now()
    async with transaction():
        await Meeting.update(
            {
                Meeting.status: HELD,
                Meeting.notes: form.notes.strip(),
                Meeting.notes_category: form.notes_category,
                Meeting.decisions: form.decisions.strip(),
                Meeting.recorded_by: principal.id,
                Meeting.recorded_at: now,
                Meeting.updated_at: now,
            }
        ).where((Meeting.id == meeting_id) & (Meeting.status == ARRANGED))
        for invitee_id in invited:
            await MeetingInvitee.update(
                {MeetingInvitee.attended: "yes" if invitee_id in attended else "no"}
            ).where(MeetingInvitee.id == UUID(invitee_id))
        for item in actions:
            action = Action(
                plan=plan_id,
                goal=UUID(item["goal"]),
                description=item["description"],
                organisation=UUID(item["organisation"]),
                due_on=item["due"],
                status="not_started",
                created_at=now,
                updated_at=now,
            )
            await Action.insert(action)
            await MeetingAction.insert(MeetingAction(meeting=meeting_id, action=action.id))
        if validated is not None:
            await reviews.save_review(principal, access, plan_id, validated, meeting_id)
        await audit.record(
            "meeting.recorded",
            principal.actor,
            subject_type="meeting",
            subject_id=str(meeting_id),
            detail={"attended": len(attended), "actions": len(actions)},
        )
        await _minutes_ready(meeting_id, [invited[i] for i in attended], now)


def _review_part(
    form: RecordForm,
    meeting: dict[str, Any],
    invited: dict[str, dict[str, Any]],
    attended: set[str],
    errors: dict[str, str],
) -> Any:
    names = sorted(
        {
            "the client" if row["kind"] == "client" else row["staff_name"] or row["name"]
            for key, row in invited.items()
            if key in attended
        }
    )
    # The review is read under the plan category: notes in any other category stay in the
    # meeting's minutes, where the sharing rule sees their own category.
    review_form = msgspec.structs.replace(
        form,
        held_on=local_date(meeting["starts_at"]),
        participants=form.participants.strip() or ", ".join(names) or "—",
        notes=form.notes if form.notes_category == PLAN else "",
    )
    try:
        return reviews.validate(review_form)
    except Invalid as exc:
        errors.update(exc.errors)
        return None


async def _minutes_ready(meeting_id: UUID, attendees: list[dict[str, Any]], now: Any) -> None:
    """Tell each worker who came that the minutes are ready, and the client (by e-mail, when
    one is on their record) that their copy is in the portal."""
    for row in attendees:
        address = await client_email(row["client"]) if row["kind"] == "client" else ""
        if address:
            link = f"{get_settings().base_url}/portal/meetings/{meeting_id}"
            await mail.queue_email(
                address,
                "Wraparound: what happened at your meeting",
                "Your copy of what was said and agreed at your meeting is ready.\n"
                f"Sign in to read or print it: {link}\n",
            )
    staff = [row["staff"] for row in attendees if row["kind"] == "staff" and row["staff"]]
    if staff:
        await Notification.insert(
            *[
                Notification(
                    staff=staff_id,
                    at=now,
                    subject="Minutes of a meeting you attended are ready",
                    link=f"/plans/meetings/{meeting_id}/minutes",
                    kind="meeting",
                )
                for staff_id in staff
            ]
        )
