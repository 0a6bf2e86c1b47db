"""Consent tables: involvement, record entries, consents, break-glass, reviews, access log."""

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

from hub.ids import TimeOrdered
from hub.tables import Client, Organisation, Staff


class Involvement(Table):
    """An organisation's reason to work with a client; the sharing rule's first condition.

    Written here for registration; referrals and plans (which may import consent) write their
    own sources (`referral:<id>`, `care_team`) through `consent.involvement`.
    """

    id = UUID(primary_key=True, default=TimeOrdered())
    client = ForeignKey(references=Client, on_delete=OnDelete.restrict, index=True)
    organisation = ForeignKey(references=Organisation, on_delete=OnDelete.restrict, index=True)
    source = Varchar(length=100)
    started_at = Timestamptz()
    ended_at = Timestamptz(null=True, default=None)


class ClientEntry(Table):
    """One piece of information about a client, in one data category, recorded by one org."""

    id = UUID(primary_key=True)
    client = ForeignKey(references=Client, on_delete=OnDelete.restrict, index=True)
    category = Varchar(length=32, index=True)
    kind = Varchar(length=32)  # identity | contact | language | note
    data = JSON(default="{}")
    recorded_by_organisation = ForeignKey(references=Organisation, on_delete=OnDelete.restrict)
    recorded_by_staff = ForeignKey(references=Staff, on_delete=OnDelete.restrict, null=True)
    recorded_at = Timestamptz()


class Consent(Table):
    """A consent exactly as the client gave it. Never edited: only its ending is written, once.

    A change is a new row in the same `series` with the next `version`, and the old row ends
    with reason `replaced`, in one transaction. Triggers refuse any other UPDATE.
    """

    id = UUID(primary_key=True)
    client = ForeignKey(references=Client, on_delete=OnDelete.restrict, index=True)
    series = UUID(index=True)
    version = Integer(default=1)
    supersedes = UUID(null=True, default=None)
    organisation_ids = JSON(default="[]")
    organisation_names = JSON(default="[]")  # as the client was told, for the receipt
    categories = JSON(default="[]")
    purposes = JSON(default="[]")
    valid_from = Date()
    valid_to = Date()  # the last day it is valid (UK calendar)
    method = Varchar(length=16)
    notice_version = Varchar(length=32)
    capacity = Varchar(length=32)
    capacity_note = Text(default="")
    given_by = Varchar(length=16)  # client | representative
    representative_name = Varchar(length=200, default="")
    representative_authority = Varchar(length=32, default="")
    representative_evidence = Text(default="")
    obtained_by_staff = ForeignKey(references=Staff, on_delete=OnDelete.restrict, null=True)
    obtained_by_organisation = ForeignKey(
        references=Organisation, on_delete=OnDelete.restrict, null=True
    )
    given_at = Timestamptz()
    # The ending: written once, when the client withdraws it or a new version replaces it.
    withdrawn_at = Timestamptz(null=True, default=None)
    withdrawn_reason = Varchar(length=16, default="")  # withdrawn | replaced
    withdrawn_by_kind = Varchar(length=16, default="")  # client | staff
    withdrawn_by_id = Varchar(length=64, default="")
    withdrawn_how = Varchar(length=32, default="")
    # Expiry needs no write to take effect; this only marks that it was audited (once).
    expiry_noted_at = Timestamptz(null=True, default=None)


class ConsentReference(Table):
    """A consent's short reference, read out over the phone (WR-7K3M-Q9); links keep the id."""

    id = UUID(primary_key=True)
    consent = ForeignKey(references=Consent, on_delete=OnDelete.cascade, unique=True)
    reference = Varchar(length=12, unique=True)


class BreakGlass(Table):
    """A safeguarding override: one staff member, one client, a reason, four hours."""

    id = UUID(primary_key=True)
    client = ForeignKey(references=Client, on_delete=OnDelete.restrict, index=True)
    staff = ForeignKey(references=Staff, on_delete=OnDelete.restrict, index=True)
    organisation = ForeignKey(references=Organisation, on_delete=OnDelete.restrict, index=True)
    reason = Text()
    opened_at = Timestamptz()
    expires_at = Timestamptz()
    closed_at = Timestamptz(null=True, default=None)


class BreakGlassReview(Table):
    """One reviewer role's verdict on a break-glass: signed off, or flagged with a note."""

    id = UUID(primary_key=True)
    break_glass = ForeignKey(references=BreakGlass, on_delete=OnDelete.restrict, index=True)
    role = Varchar(length=32)  # data_protection_lead | (later) lead_professional
    reviewer = ForeignKey(references=Staff, on_delete=OnDelete.restrict)
    outcome = Varchar(length=16)  # signed_off | flagged
    note = Text(default="")
    reviewed_at = Timestamptz()


class AccessLog(Table):
    """One read of a client's data by staff: who, which organisation, what, when, how."""

    id = UUID(primary_key=True)
    at = Timestamptz(index=True)
    client = ForeignKey(references=Client, on_delete=OnDelete.restrict, index=True)
    staff = ForeignKey(references=Staff, on_delete=OnDelete.restrict, index=True)
    organisation = ForeignKey(references=Organisation, on_delete=OnDelete.restrict, index=True)
    categories = JSON(default="[]")
    purpose = Varchar(length=32)
    context = Varchar(length=32)  # record | list | search | duplicate_check | consent
    break_glass = ForeignKey(references=BreakGlass, on_delete=OnDelete.restrict, null=True)


class EntryVersion(Table):
    """An entry as it read before a correction: the original stays in the history."""

    id = UUID(primary_key=True)
    entry = ForeignKey(references=ClientEntry, on_delete=OnDelete.restrict, index=True)
    kind = Varchar(length=32)
    data = JSON(default="{}")
    recorded_at = Timestamptz()
    """When this version was recorded (the entry's first recording, or an earlier correction)."""
    replaced_at = Timestamptz()
    replaced_by_staff = UUID(null=True, default=None)
    correction = UUID(null=True, default=None)
    """The client's correction request that led to the change, if one did."""


class CorrectionRequest(Table):
    """A client's request that an entry be corrected (rectification), and its answer."""

    id = UUID(primary_key=True)
    client = ForeignKey(references=Client, on_delete=OnDelete.restrict, index=True)
    entry = ForeignKey(references=ClientEntry, on_delete=OnDelete.restrict, index=True)
    organisation = ForeignKey(references=Organisation, on_delete=OnDelete.restrict, index=True)
    """The organisation that recorded the entry: it answers."""
    what_is_wrong = Text()
    should_say = Text()
    status = Varchar(length=16, default="open", index=True)  # open | corrected | declined
    asked_at = Timestamptz()
    decided_at = Timestamptz(null=True, default=None)
    decided_by = ForeignKey(references=Staff, on_delete=OnDelete.restrict, null=True)
    reason = Text(default="")
    """Why it was declined (or a note on the correction)."""
