"""The plan's holdings of a client's personal data (for the subject access pack)."""

from __future__ import annotations

from hub.personal_data import Holding
from plans.attendance.personal_data import HOLDINGS as ATTENDANCE_HOLDINGS
from plans.tables import (
    Action,
    AreaWords,
    CareTeamMember,
    Goal,
    LeadChoice,
    Plan,
    Rating,
    Review,
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
)
