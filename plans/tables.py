"""Plan tables: care team members, lead professional choices, the plan and its parts."""

from __future__ import annotations

from piccolo.columns import (
    UUID,
    Date,
    ForeignKey,
    Integer,
    OnDelete,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from hub.tables import Client, Organisation, Staff


class CareTeamMember(Table):
    """A named worker on a client's care team (the organisations themselves are derived)."""

    id = UUID(primary_key=True)
    client = ForeignKey(references=Client, on_delete=OnDelete.restrict, index=True)
    organisation = ForeignKey(references=Organisation, on_delete=OnDelete.restrict)
    staff = ForeignKey(references=Staff, on_delete=OnDelete.restrict, index=True)
    added_by = UUID(null=True, default=None)
    added_at = Timestamptz()
    removed_at = Timestamptz(null=True, default=None)


class LeadChoice(Table):
    """The client's choice of lead professional; every choice is kept, the newest one counts."""

    id = UUID(primary_key=True)
    client = ForeignKey(references=Client, on_delete=OnDelete.restrict, index=True)
    staff = ForeignKey(references=Staff, on_delete=OnDelete.restrict, index=True)
    organisation = ForeignKey(references=Organisation, on_delete=OnDelete.restrict)
    chosen_at = Timestamptz()
    how = Varchar(length=32)  # portal | in_person | phone | letter | other
    how_note = Text(default="")
    recorded_by_kind = Varchar(length=16)  # client | staff
    recorded_by_id = UUID()
    ended_at = Timestamptz(null=True, default=None)


class Plan(Table):
    """One integrated plan per client."""

    id = UUID(primary_key=True)
    client = ForeignKey(references=Client, on_delete=OnDelete.restrict, unique=True)
    status = Varchar(length=16, default="open")  # open | closed
    strengths = Text(default="")
    obstacles = Text(default="")  # what gets in the way
    next_review_on = Date(null=True, default=None)
    review_overdue_flagged_on = Date(null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz()
    closed_at = Timestamptz(null=True, default=None)
    closure_note = Text(default="")


class Goal(Table):
    """A goal in the client's own words; a worker's suggestion stays proposed until agreed."""

    id = UUID(primary_key=True)
    plan = ForeignKey(references=Plan, on_delete=OnDelete.cascade, index=True)
    words = Text()
    success = Text(default="")  # what success looks like to the client
    priority = Integer(default=2)  # 1 high, 2 medium, 3 low
    status = Varchar(length=16, default="agreed")  # proposed | agreed | closed
    outcome = Varchar(length=24, default="")  # achieved | partly | not | no_longer_wanted
    proposed_by_kind = Varchar(length=16)  # client | staff
    organisation = UUID(null=True, default=None)  # the organisation that recorded it
    created_at = Timestamptz()
    agreed_at = Timestamptz(null=True, default=None)


class Action(Table):
    """A step towards a goal, owned by one organisation (and optionally one worker)."""

    id = UUID(primary_key=True)
    plan = ForeignKey(references=Plan, on_delete=OnDelete.cascade, index=True)
    goal = ForeignKey(references=Goal, on_delete=OnDelete.cascade, index=True)
    description = Text()
    organisation = ForeignKey(references=Organisation, on_delete=OnDelete.restrict, index=True)
    staff = ForeignKey(references=Staff, null=True, default=None, on_delete=OnDelete.set_null)
    due_on = Date(null=True, default=None)
    status = Varchar(length=16, default="not_started")
    created_at = Timestamptz()
    updated_at = Timestamptz()
    overdue_flagged_on = Date(null=True, default=None)


class Review(Table):
    """A review of the plan with the client, every 4 to 8 weeks."""

    id = UUID(primary_key=True)
    plan = ForeignKey(references=Plan, on_delete=OnDelete.cascade, index=True)
    held_on = Date()
    participants = Text(default="")
    notes = Text(default="")
    decisions = Text(default="")
    next_review_on = Date(null=True, default=None)
    recorded_by = ForeignKey(references=Staff, on_delete=OnDelete.restrict)
    organisation = ForeignKey(references=Organisation, on_delete=OnDelete.restrict)
    created_at = Timestamptz()
    meeting = UUID(null=True, default=None)  # the review meeting this review was held as


class Rating(Table):
    """At one review, the client's 1-10 rating of one wellbeing area, and the worker's if any."""

    id = UUID(primary_key=True)
    review = ForeignKey(references=Review, on_delete=OnDelete.cascade, index=True)
    area = Varchar(length=32)
    client_score = Integer()
    worker_score = Integer(null=True, default=None)


class AreaWords(Table):
    """What the client calls one wellbeing area in their own words ("My flat" for "Where I
    live"), shown on their progress chart; one row per plan and area."""

    id = UUID(primary_key=True)
    plan = ForeignKey(references=Plan, on_delete=OnDelete.cascade, index=True)
    area = Varchar(length=32)
    words = Varchar(length=80)
    updated_at = Timestamptz()


class Meeting(Table):
    """A multi-agency meeting about one client's plan (or a household's, for a family group
    conference): arranged, then held and recorded, or cancelled."""

    id = UUID(primary_key=True)
    plan = ForeignKey(references=Plan, on_delete=OnDelete.cascade, index=True)
    client = ForeignKey(references=Client, on_delete=OnDelete.restrict, index=True)
    household = UUID(null=True, default=None)
    kind = Varchar(length=24)  # planning | review | closure | family_group_conference
    starts_at = Timestamptz()
    minutes_long = Integer(default=60)
    place = Text(default="")
    video_link = Text(default="")
    agenda = Text(default="")
    status = Varchar(length=16, default="arranged")  # arranged | held | cancelled
    sequence = Integer(default=0)  # the .ics SEQUENCE: bumped on every change sent out
    arranged_by = ForeignKey(references=Staff, on_delete=OnDelete.restrict)
    organisation = ForeignKey(references=Organisation, on_delete=OnDelete.restrict)
    notes = Text(default="")
    notes_category = Varchar(length=32, default="plan")
    decisions = Text(default="")
    recorded_by = UUID(null=True, default=None)
    recorded_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class MeetingInvitee(Table):
    """One person invited to a meeting: the client, a named worker, or someone the client
    brings; their answer, and (once recorded) whether they came."""

    id = UUID(primary_key=True)
    meeting = ForeignKey(references=Meeting, on_delete=OnDelete.cascade, index=True)
    kind = Varchar(length=8)  # client | staff | guest
    client = UUID(null=True, default=None)
    staff = ForeignKey(references=Staff, null=True, default=None, on_delete=OnDelete.restrict)
    organisation = UUID(null=True, default=None)
    name = Varchar(length=200, default="")  # a guest's name
    email = Varchar(length=254, default="")  # a guest's e-mail
    answer = Varchar(length=16, default="pending")  # pending | attending | not_attending | sending
    answer_note = Text(default="")  # who they send instead
    answered_at = Timestamptz(null=True, default=None)
    attended = Varchar(length=8, default="")  # "" until recorded | yes | no
    removed_at = Timestamptz(null=True, default=None)


class MeetingAction(Table):
    """An action agreed at a meeting (the action itself lives in the plan)."""

    id = UUID(primary_key=True)
    meeting = ForeignKey(references=Meeting, on_delete=OnDelete.cascade, index=True)
    action = ForeignKey(references=Action, on_delete=OnDelete.cascade, index=True)


class Connection(Table):
    """Someone, some group or some place the client is connected to, and how close it feels.

    A change of closeness ends the row and starts a new one (`previous`), so the plan can
    show how connections changed between reviews."""

    id = UUID(primary_key=True)
    client = ForeignKey(references=Client, on_delete=OnDelete.restrict, index=True)
    name = Varchar(length=200)
    kind = Varchar(length=24)  # family | friend | peer | hub_group | faith | club | volunteer...
    closeness = Varchar(length=8)  # close | some | distant
    wants_more = Integer(default=0)  # 1 when the client wants more of it
    organisation = ForeignKey(references=Organisation, on_delete=OnDelete.restrict)
    previous = UUID(null=True, default=None)
    created_at = Timestamptz()
    ended_at = Timestamptz(null=True, default=None)


class Household(Table):
    """Clients who live together or care for one another; each keeps their own record."""

    id = UUID(primary_key=True)
    name = Varchar(length=120)
    organisation = ForeignKey(references=Organisation, on_delete=OnDelete.restrict)
    created_by = ForeignKey(references=Staff, on_delete=OnDelete.restrict)
    created_at = Timestamptz()


class HouseholdMember(Table):
    """A client in a household: how they are related to another member, and for a child,
    who holds parental responsibility."""

    id = UUID(primary_key=True)
    household = ForeignKey(references=Household, on_delete=OnDelete.cascade, index=True)
    client = ForeignKey(references=Client, on_delete=OnDelete.restrict, index=True)
    relationship = Varchar(length=16)  # first | partner | child | relative | carer
    related_to = UUID(null=True, default=None)  # the member's client id this one relates to
    responsible = UUID(null=True, default=None)  # client id holding parental responsibility
    added_at = Timestamptz()


class HouseholdGoal(Table):
    """A goal the household shares, in its own words."""

    id = UUID(primary_key=True)
    household = ForeignKey(references=Household, on_delete=OnDelete.cascade, index=True)
    words = Text()
    success = Text(default="")
    created_at = Timestamptz()


class HouseholdGoalShare(Table):
    """One member sharing a household goal."""

    id = UUID(primary_key=True)
    goal = ForeignKey(references=HouseholdGoal, on_delete=OnDelete.cascade, index=True)
    client = ForeignKey(references=Client, on_delete=OnDelete.restrict, index=True)
