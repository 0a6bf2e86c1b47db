"""A hub session: what a listing does not say about a timetabled drop-in, group or course.

Title, running organisation, need category, place, times and cancelled dates live in the
session's directory listing (Service, ServiceTaxonomy, ServiceAtLocation, Schedule,
ScheduleException): search, "open now" and the Open Referral API read them there.
"""

from __future__ import annotations

from piccolo.columns import UUID as UUIDColumn
from piccolo.columns import Boolean, Date, ForeignKey, Integer, OnDelete, Timestamptz, Varchar
from piccolo.table import Table

from directory.tables import Service
from hub.tables import Staff


class HubSession(Table):
    """A timetabled session at the hub; `service` is its listing."""

    id = UUIDColumn(primary_key=True)
    service = ForeignKey(references=Service, on_delete=OnDelete.cascade, unique=True)
    recurrence = Varchar(length=16, default="weekly")  # weekly | fortnightly | monthly | one_off
    first_date = Date()
    last_date = Date(null=True, default=None)
    room = Varchar(length=200, default="")
    capacity = Integer(null=True, default=None)
    booking_needed = Boolean(default=False)
    created_by = ForeignKey(references=Staff, null=True, default=None, on_delete=OnDelete.set_null)
    created_at = Timestamptz()
