"""Structs in and out of the referral services: forms, the referral as each side sees it."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec

from consent.schemas import EntryView


class Notice(msgspec.Struct, frozen=True, kw_only=True):
    """What a notification about a referral needs: which one, for which service, to whom."""

    id: UUID
    service_name: str
    sender_staff: UUID
    recipient_organisation: UUID


class ReferralRow(msgspec.Struct, frozen=True, kw_only=True):
    """A referral as stored, with the names pages show: read once at the query boundary, so a
    renamed column fails there and nowhere else."""

    id: UUID
    client: UUID
    service: UUID
    service_name: str
    sender_organisation: UUID
    sender_staff: UUID
    recipient_organisation: UUID
    status: str
    version: int
    urgency: str
    reason_client: str
    reason_worker: str
    client_wants: str
    contact_how: str
    contact_when: str
    categories: list[str]
    consent_id: UUID | None
    consent_version: int | None
    requested_at: datetime
    due_at: datetime | None
    opened_at: datetime | None
    opened_by: UUID | None
    responded_at: datetime | None
    closed_at: datetime | None
    reason_code: str
    reason_note: str
    outcome_code: str
    outcome_note: str
    suspended_at: datetime | None
    reminded_at: datetime | None
    overdue_flagged_at: datetime | None
    rerouted_from: UUID | None
    reroute_reason: str
    updated_at: datetime
    sender_staff_name: str
    sender_organisation_name: str
    recipient_organisation_name: str
    sender_staff_email: str | None = None
    sender_staff_notify_by_email: bool | None = None
    sender_staff_active: bool | None = None
    """With the two above, the sender as a notification needs them (None: not read)."""


class ReferralForm(msgspec.Struct, kw_only=True):
    """Form: send a referral (organisations come from who is asking and the service, never here)."""

    client_id: str = ""
    service_id: str = ""
    reason_client: str = ""
    reason_worker: str = ""
    client_wants: str = ""
    urgency: str = "routine"
    contact_how: str = ""
    contact_when: str = ""
    categories: list[str] = []


class MoveForm(msgspec.Struct, kw_only=True):
    """Form: move a referral. `version` is the one the person was looking at."""

    action: str = ""
    version: int = 0
    reason_code: str = ""
    reason_note: str = ""
    outcome_code: str = ""
    outcome_note: str = ""


class MessageForm(msgspec.Struct, kw_only=True):
    """Form: a message in the referral's thread."""

    body: str = ""


class RerouteForm(msgspec.Struct, kw_only=True):
    """Form: send the referral to another service instead."""

    service_id: str = ""
    reason: str = ""


class EventView(msgspec.Struct, frozen=True, kw_only=True):
    """One step in the referral's history, as both sides see it."""

    at: datetime
    kind: str
    text: str
    who: str


class MessageView(msgspec.Struct, frozen=True, kw_only=True):
    """One message in the thread."""

    id: UUID
    at: datetime
    author: str
    organisation: str
    body: str
    own: bool


class MoveOption(msgspec.Struct, frozen=True, kw_only=True):
    """A move the reader may make now, for buttons and the API."""

    action: str
    label: str
    reasons: dict[str, str] | None = None
    needs_outcome: bool = False


class ClientSummary(msgspec.Struct, frozen=True, kw_only=True):
    """Who the referral is for, as far as the reader may see."""

    id: UUID
    name: str
    date_of_birth: str = ""


class ReferralView(msgspec.Struct, frozen=True, kw_only=True):
    """A referral as one side sees it.

    `access` is "full" (the sender, or a recipient while consent holds), "suspended" (a
    recipient whose consent was withdrawn: status only) or "tombstone" (a recipient after it
    was declined, cancelled or closed: status, dates and outcome only). Outside "full" every
    client field is empty.
    """

    id: UUID
    role: str  # sender | recipient
    access: str  # full | suspended | tombstone
    status: str
    status_label: str
    version: int
    service_id: UUID
    service_name: str
    sender_organisation: str
    sender_staff: str
    recipient_organisation: str
    requested_at: datetime
    due_at: datetime | None
    opened_at: datetime | None
    responded_at: datetime | None
    closed_at: datetime | None
    overdue: bool
    reason_label: str = ""
    outcome_label: str = ""
    suspended_reason: str = ""
    urgency: str = ""
    client: ClientSummary | None = None
    reason_client: str = ""
    reason_worker: str = ""
    client_wants: str = ""
    contact_how: str = ""
    contact_when: str = ""
    reason_note: str = ""
    outcome_note: str = ""
    categories: list[str] = []
    """What the sender chose to share when it sent the referral."""
    received_categories: list[str] = []
    """What of that the receiving organisation can see now, by the client's consent."""
    received_under: UUID | None = None
    """The consent that lets the receiver see it (the newest one naming the receiver)."""
    received_under_version: int | None = None
    received_under_given_at: datetime | None = None
    consent_id: UUID | None = None
    consent_version: int | None = None
    shared_entries: list[EntryView] = []
    moves: list[MoveOption] = []
    events: list[EventView] = []
    messages: list[MessageView] = []
    may_post: bool = False
    rerouted_from: UUID | None = None
    reroute_reason: str = ""
    rerouted_to: UUID | None = None


class InboxItem(msgspec.Struct, frozen=True, kw_only=True):
    """One line of an inbox or sent list; the client's name only where the reader may see it."""

    id: UUID
    status: str
    status_label: str
    group: str
    service_name: str
    other_organisation: str
    client_name: str
    urgency: str
    requested_at: datetime
    due_at: datetime | None
    opened: bool
    overdue: bool
    suspended: bool
    tombstone: bool


class InboxPage(msgspec.Struct, frozen=True, kw_only=True):
    """A page of an inbox: items, counts per group, paging."""

    items: list[InboxItem]
    counts: dict[str, int]
    total: int
    page: int
    per_page: int
