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
