"""Referral rows as read for lists and sweeps, typed once at the query boundary.

The whole referral is `schemas.ReferralRow`; these are the narrower selects. A select is
converted where it is read (`msgspec.convert`), so a renamed column fails there, in one place.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec

from referrals.schemas import Notice


class InboxRow(msgspec.Struct, frozen=True, kw_only=True):
    """A referral as an inbox or sent list shows it, with the organisation on the other side."""

    id: UUID
    client: UUID
    status: str
    service_name: str
    urgency: str
    requested_at: datetime
    due_at: datetime | None
    opened_at: datetime | None
    suspended_at: datetime | None
    other_organisation: str


class StatusRow(msgspec.Struct, frozen=True, kw_only=True):
    """Where a referral stands, for counting it into an inbox group or as overdue."""

    status: str
    opened_at: datetime | None = None
    due_at: datetime | None = None


class DueRow(Notice, frozen=True, kw_only=True):
    """An unanswered referral the response-time sweep looks at (and tells people about)."""

    requested_at: datetime
    due_at: datetime | None


class SettlingRow(Notice, frozen=True, kw_only=True):
    """An open referral whose suspension is brought in line with the client's consent."""

    client: UUID
    status: str
    suspended_at: datetime | None


class EventRow(msgspec.Struct, frozen=True, kw_only=True):
    """One step in a referral's history, with who took it as they were named then."""

    at: datetime
    kind: str
    from_status: str
    to_status: str
    code: str
    staff_name: str
    organisation_name: str


class MessageRow(msgspec.Struct, frozen=True, kw_only=True):
    """A message in a referral's thread, with its author and their organisation."""

    id: UUID
    at: datetime
    body: str
    author: str | None
    author_name: str
    organisation_id: UUID
    organisation: str


class ChainLinkRow(msgspec.Struct, frozen=True, kw_only=True):
    """An earlier referral in a re-routing chain: where it went, and where it came from."""

    recipient_organisation: UUID
    rerouted_from: UUID | None


class SimilarServiceRow(msgspec.Struct, frozen=True, kw_only=True):
    """A service meeting one of a referral's needs, as re-routing weighs it."""

    service_id: UUID
    need: str
    name: str
    organisation_id: UUID
    organisation_name: str
    referral_methods: str
    capacity_status: str
    capacity_note: str
    response_target_days: int | None


class ConsentVersionRow(msgspec.Struct, frozen=True, kw_only=True):
    """Which version of a consent a referral's information reaches its recipient under."""

    version: int
    given_at: datetime
