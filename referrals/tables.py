"""Referral tables: the referral, its moves, its conversation thread."""

from __future__ import annotations

from piccolo.columns import (
    JSON,
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

from directory.tables import Service
from hub.ids import TimeOrdered
from hub.tables import Client, Organisation, Staff


class Referral(Table):
    """One referral of a client to a service, from one organisation to another.

    `version` goes up with every move: a move only lands on the version it was made against,
    so of two people acting at once exactly one wins.
    """

    id = UUID(primary_key=True)
    client = ForeignKey(references=Client, on_delete=OnDelete.restrict, index=True)
    service = ForeignKey(references=Service, on_delete=OnDelete.restrict, index=True)
    service_name = Varchar(length=300)
    sender_organisation = ForeignKey(
        references=Organisation, on_delete=OnDelete.restrict, index=True
    )
    sender_staff = ForeignKey(references=Staff, on_delete=OnDelete.restrict)
    recipient_organisation = ForeignKey(
        references=Organisation, on_delete=OnDelete.restrict, index=True
    )
    status = Varchar(length=16, index=True)
    version = Integer(default=1)
    urgency = Varchar(length=16, default="routine")
    reason_client = Text(default="")  # why, in the client's words
    reason_worker = Text(default="")  # why, in the worker's words
    client_wants = Text(default="")
    contact_how = Varchar(length=32, default="")
    contact_when = Text(default="")
    categories = JSON(default=[])  # categories the sender chose to include
    consent_id = UUID(null=True, default=None)  # the consent it was sent under
    consent_version = Integer(null=True, default=None)
    requested_at = Timestamptz(index=True)
    due_at = Timestamptz(null=True, default=None)  # response target, from the service
    opened_at = Timestamptz(null=True, default=None)
    opened_by = UUID(null=True, default=None)
    responded_at = Timestamptz(null=True, default=None)  # accepted or declined
    closed_at = Timestamptz(null=True, default=None)
    reason_code = Varchar(length=32, default="")  # decline, failure or cancellation
    reason_note = Text(default="")
    outcome_code = Varchar(length=32, default="")
    outcome_note = Text(default="")
    suspended_at = Timestamptz(null=True, default=None)
    reminded_at = Timestamptz(null=True, default=None)
    overdue_flagged_at = Timestamptz(null=True, default=None)
    rerouted_from = UUID(null=True, default=None, index=True)
    reroute_reason = Text(default="")
    updated_at = Timestamptz()


class ReferralEvent(Table):
    """One step in a referral's life: sent, opened, each move, suspension, re-routing."""

    id = UUID(primary_key=True, default=TimeOrdered())
    referral = ForeignKey(references=Referral, on_delete=OnDelete.cascade, index=True)
    at = Timestamptz()
    kind = Varchar(length=32)  # sent | opened | moved | suspended | resumed | rerouted | overdue
    from_status = Varchar(length=16, default="")
    to_status = Varchar(length=16, default="")
    staff = UUID(null=True, default=None)
    staff_name = Varchar(length=200, default="")
    organisation = UUID(null=True, default=None)
    organisation_name = Varchar(length=200, default="")
    code = Varchar(length=32, default="")


class ReferralMessage(Table):
    """A message in the thread between sender and recipient; client data like the rest."""

    id = UUID(primary_key=True)
    referral = ForeignKey(references=Referral, on_delete=OnDelete.cascade, index=True)
    at = Timestamptz()
    author_staff = ForeignKey(references=Staff, on_delete=OnDelete.restrict)
    author_organisation = ForeignKey(references=Organisation, on_delete=OnDelete.restrict)
    author_name = Varchar(length=200, default="")  # as shown: a person, or "API: <token>"
    body = Text()


class ErasedReferralTally(Table):
    """Referrals whose client was erased: only a count per recipient, service, status and
    month sent, so a service's monitoring figures stay whole with nobody in them."""

    id = UUID(primary_key=True)
    recipient_organisation = ForeignKey(
        references=Organisation, on_delete=OnDelete.restrict, index=True
    )
    service = UUID(null=True, default=None)
    status = Varchar(length=16)
    month = Date()
    """The first day of the month the referral was sent."""
    total = Integer(default=0)
