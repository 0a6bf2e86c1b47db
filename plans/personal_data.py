"""The plan's holdings of a client's personal data (for the subject access pack)."""

from __future__ import annotations

from typing import Any

from hub.personal_data import Holding
from plans.attendance.personal_data import HOLDINGS as ATTENDANCE_HOLDINGS
from plans.tables import (
    Action,
    AreaWords,
    CareTeamMember,
    Connection,
    Goal,
    HouseholdGoalShare,
    HouseholdMember,
    LeadChoice,
    Meeting,
    MeetingAction,
    MeetingInvitee,
    Plan,
    Rating,
    Review,
)


async def unlink_household(rows: list[dict[str, Any]]) -> None:
    """Other members stay in the household, no longer pointing at the erased client."""
    for row in rows:
        client = row["client"]
        await HouseholdMember.update({HouseholdMember.related_to: None}).where(
            HouseholdMember.related_to == client
        )
        await HouseholdMember.update({HouseholdMember.responsible: None}).where(
            HouseholdMember.responsible == client
        )


HOLDINGS = (
    Holding("Care team members", CareTeamMember, "client"),
    Holding("Lead professional choices", LeadChoice, "client"),
    Holding("Plan", Plan, "client"),
    Holding("Goals", Goal, "plan", parent="Plan"),
    Holding("Actions", Action, "plan", parent="Plan"),
    Holding("Wellbeing areas in the client's words", AreaWords, "plan", parent="Plan"),
    Holding("Reviews", Review, "plan", parent="Plan"),
    Holding("Wellbeing ratings", Rating, "review", parent="Reviews"),
    *ATTENDANCE_HOLDINGS,
    Holding("Meetings", Meeting, "client"),
    Holding("Meeting invitations", MeetingInvitee, "meeting", parent="Meetings"),
    Holding("Invitations to household meetings", MeetingInvitee, "client"),
    Holding("Actions agreed at meetings", MeetingAction, "meeting", parent="Meetings"),
    Holding("Friends and community connections", Connection, "client"),
    Holding("Household membership", HouseholdMember, "client", on_erase=unlink_household),
    Holding("Shared household goals", HouseholdGoalShare, "client"),
)
