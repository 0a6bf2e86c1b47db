"""Registers and bookings of hub sessions."""

from __future__ import annotations

from piccolo.columns import UUID, Boolean, Date, ForeignKey, Integer, OnDelete, Timestamptz, Varchar
from piccolo.table import Table

from directory.sessions.tables import HubSession
from hub.tables import Client


class Attendance(Table):
    """A line on a session's register: one registered client, or anonymous visitors counted.

    A correction changes `visitors` or sets `removed_at`; the row is kept and the audit trail
    says who changed what.
    """

    id = UUID(primary_key=True)
    session = ForeignKey(references=HubSession, on_delete=OnDelete.cascade, index=True)
    on_date = Date(index=True)
    client = ForeignKey(references=Client, null=True, default=None, on_delete=OnDelete.cascade)
    visitors = Integer(default=1)
    age_band = Varchar(length=16, default="")
    first_visit = Boolean(default=False)
    organisation = UUID()  # the organisation of the worker who ticked them in
    recorded_by = UUID()
    recorded_at = Timestamptz()
    removed_at = Timestamptz(null=True, default=None)


class Booking(Table):
    """A client's place booked on one date of a session that needs booking."""

    id = UUID(primary_key=True)
    session = ForeignKey(references=HubSession, on_delete=OnDelete.cascade, index=True)
    on_date = Date(index=True)
    client = ForeignKey(references=Client, on_delete=OnDelete.cascade, index=True)
    booked_at = Timestamptz()
    cancelled_at = Timestamptz(null=True, default=None)
