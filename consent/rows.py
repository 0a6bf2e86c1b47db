"""Consent's rows as read from its tables, typed once at the query boundary.

A select is converted into one of these where it is read (`msgspec.convert`), and the code
after it reads attributes: a renamed or retyped column fails at that conversion, in one place.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

import msgspec


class ConsentRuleRow(msgspec.Struct, frozen=True, kw_only=True):
    """The consent columns the sharing rule reads (facts.CONSENT_FACT_COLUMNS)."""

    id: UUID
    client_id: UUID
    version: int
    organisation_ids: list[UUID]
    categories: list[str]
    purposes: list[str]
    valid_from: date
    valid_to: date
    given_at: datetime
    withdrawn_at: datetime | None
    withdrawn_reason: str
    expiry_noted_at: datetime | None


class ConsentRow(ConsentRuleRow, frozen=True, kw_only=True):
    """A consent as stored, with who obtained it and its receipt reference."""

    series: UUID
    organisation_names: list[str]
    method: str
    notice_version: str
    capacity: str
    capacity_note: str
    given_by: str
    representative_name: str
    representative_authority: str
    representative_evidence: str
    obtained_by: str | None
    obtained_by_organisation_id: UUID | None
    obtained_by_organisation: str | None
    withdrawn_how: str
    reference: str = ""

    def given(self) -> dict[str, Any]:
        """The fields the client gave, as a next version's columns take them.

        A new version copies these unless the change says otherwise; the organisations go
        back as the strings the JSON column holds.
        """
        return {
            "organisation_ids": [str(org) for org in self.organisation_ids],
            "organisation_names": list(self.organisation_names),
            "categories": list(self.categories),
            "purposes": list(self.purposes),
            "valid_from": self.valid_from,
            "valid_to": self.valid_to,
            "method": self.method,
            "notice_version": self.notice_version,
            "capacity": self.capacity,
            "capacity_note": self.capacity_note,
            "given_by": self.given_by,
            "representative_name": self.representative_name,
            "representative_authority": self.representative_authority,
            "representative_evidence": self.representative_evidence,
        }

    def named(self) -> list[tuple[UUID, str]]:
        """Each organisation the consent names, with its name as it was given."""
        return list(zip(self.organisation_ids, self.organisation_names, strict=False))


class EntryRow(msgspec.Struct, frozen=True, kw_only=True):
    """An entry of a client's record, with the organisation that recorded it."""

    id: UUID
    category: str
    kind: str
    data: dict[str, Any]
    organisation_id: UUID
    organisation_name: str
    recorded_at: datetime


class ContactEntryRow(msgspec.Struct, frozen=True, kw_only=True):
    """A contact entry, as far as choosing how to reach the client needs it."""

    category: str
    data: dict[str, Any]
    organisation_id: UUID


class ClientReadRow(msgspec.Struct, frozen=True, kw_only=True):
    """One line of the access log as the client sees it."""

    at: datetime
    staff_name: str
    organisation_name: str
    categories: list[str]
    break_glass: UUID | None


class StaffReadRow(msgspec.Struct, frozen=True, kw_only=True):
    """One line of the access log as the reader's data-protection lead sees it."""

    at: datetime
    staff_name: str
    client_id: UUID
    categories: list[str]
    context: str
    break_glass: UUID | None


class BreakGlassRow(msgspec.Struct, frozen=True, kw_only=True):
    """A break-glass override, with the names its reviewers read."""

    id: UUID
    client_id: UUID
    staff_name: str
    organisation_name: str
    reason: str
    opened_at: datetime
    expires_at: datetime
    closed_at: datetime | None


class BreakGlassReadRow(msgspec.Struct, frozen=True, kw_only=True):
    """A read made under a break-glass."""

    break_glass: UUID
    at: datetime
    categories: list[str]


class BreakGlassReviewRow(msgspec.Struct, frozen=True, kw_only=True):
    """One reviewer's verdict on a break-glass."""

    break_glass: UUID
    role: str
    reviewer_name: str
    outcome: str
    note: str
    reviewed_at: datetime


class BreakGlassOwnerRow(msgspec.Struct, frozen=True, kw_only=True):
    """Whose a break-glass is: the client, the staff member who opened it, their organisation."""

    id: UUID
    client: UUID
    staff: UUID
    organisation: UUID
    closed_at: datetime | None


class ReviewedRow(msgspec.Struct, frozen=True, kw_only=True):
    """A break-glass some reviewer role has already reviewed."""

    break_glass: UUID
    role: str


class NamedClientRow(msgspec.Struct, frozen=True, kw_only=True):
    """A client's id and the names a duplicate check compares."""

    id: UUID
    full_name: str
    preferred_name: str


class ReferenceRow(msgspec.Struct, frozen=True, kw_only=True):
    """A consent's short receipt reference."""

    consent: UUID
    reference: str


class CorrectableEntryRow(EntryRow, frozen=True, kw_only=True):
    """An entry with the client it is about, as a correction request reads it."""

    client: UUID


class CorrectionRow(msgspec.Struct, frozen=True, kw_only=True):
    """A client's correction request as stored."""

    id: UUID
    client: UUID
    entry: UUID
    organisation: UUID
    what_is_wrong: str
    should_say: str
    status: str
    asked_at: datetime
    decided_at: datetime | None
    reason: str


class EntryVersionRow(msgspec.Struct, frozen=True, kw_only=True):
    """An earlier wording of an entry, kept when it was corrected."""

    entry: UUID
    kind: str
    data: dict[str, Any]
    recorded_at: datetime
    replaced_at: datetime


class OrganisationNameRow(msgspec.Struct, frozen=True, kw_only=True):
    """An organisation a consent can name, by its name."""

    id: UUID
    name: str
