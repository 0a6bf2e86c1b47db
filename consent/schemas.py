"""Structs in and out of consent's services: forms, record views, consents, logs, reviews."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

import msgspec

from consent.vocabulary import CONTACT_WAYS, IDENTITY
from hub.accounts.schemas import PortalAccountView

# --- Forms (only these fields are ever read from a request: over-posting is ignored) ---


class ClientSearch(msgspec.Struct, kw_only=True):
    """Form: search the clients shared with one's organisation by name (posted, never in a URL)."""

    q: str = ""


class ClientRegistration(msgspec.Struct, kw_only=True):
    """Form: register a client. `acknowledged_duplicates` lists possible duplicates seen."""

    full_name: str = ""
    preferred_name: str = ""
    date_of_birth: date | None = None
    pronouns: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""
    preferred_contact: str = ""
    safe_times: str = ""
    language: str = ""
    interpreter_needed: bool = False
    acknowledged_duplicates: str = ""


class EntryCreate(msgspec.Struct, kw_only=True):
    """Form: a note in one category of a client's record."""

    category: str = ""
    text: str = ""


class ConsentForm(msgspec.Struct, kw_only=True):
    """Form: a consent as the client gives it (who obtained it comes from the session)."""

    organisation_ids: list[str] = msgspec.field(default_factory=list)
    categories: list[str] = msgspec.field(default_factory=list)
    purposes: list[str] = msgspec.field(default_factory=list)
    valid_from: date | None = None
    valid_to: date | None = None
    method: str = ""
    notice_version: str = ""
    capacity: str = ""
    capacity_note: str = ""
    given_by: str = ""
    representative_name: str = ""
    representative_authority: str = ""
    representative_evidence: str = ""


class ConsentNarrowing(msgspec.Struct, kw_only=True):
    """Form: the client keeps only some of a consent's organisations and categories."""

    organisation_ids: list[str] = msgspec.field(default_factory=list)
    categories: list[str] = msgspec.field(default_factory=list)


class StaffWithdrawal(msgspec.Struct, kw_only=True):
    """Form: staff record that the client withdrew a consent, and how the client said so."""

    how: str = ""
    confirm: bool = False


class BreakGlassRequest(msgspec.Struct, kw_only=True):
    """Form: the safeguarding reason for opening a record without consent."""

    reason: str = ""


class ReviewForm(msgspec.Struct, kw_only=True):
    """Form: a reviewer signs off or flags a break-glass, in one of their reviewer roles."""

    role: str = ""
    outcome: str = ""
    note: str = ""


# --- Entry details, one Struct per kind of entry ---


class IdentityDetails(msgspec.Struct, kw_only=True):
    """Identity beyond the name and date of birth kept on the client row."""

    pronouns: str = ""

    def rows(self) -> list[tuple[str, str]]:
        """Label and value pairs for a summary list."""
        return [("Pronouns", self.pronouns)] if self.pronouns else []


class ContactDetails(msgspec.Struct, kw_only=True):
    """How and when to reach the client safely."""

    phone: str = ""
    email: str = ""
    address: str = ""
    preferred_contact: str = ""
    safe_times: str = ""

    def rows(self) -> list[tuple[str, str]]:
        """Label and value pairs for a summary list."""
        pairs = [
            ("Phone", self.phone),
            ("E-mail", self.email),
            ("Address", self.address),
            ("Preferred way to contact", CONTACT_WAYS.get(self.preferred_contact, "")),
            ("Safe times to contact", self.safe_times),
        ]
        return [(label, value) for label, value in pairs if value]


class LanguageDetails(msgspec.Struct, kw_only=True):
    """Language and interpreter needs."""

    language: str = ""
    interpreter_needed: bool = False

    def rows(self) -> list[tuple[str, str]]:
        """Label and value pairs for a summary list."""
        pairs = [("Language", self.language)] if self.language else []
        return [*pairs, ("Needs an interpreter", "Yes" if self.interpreter_needed else "No")]


class NoteDetails(msgspec.Struct, kw_only=True):
    """Free text in one category."""

    text: str = ""

    def rows(self) -> list[tuple[str, str]]:
        """Label and value pairs for a summary list."""
        return [("Note", self.text)]


ENTRY_KINDS: dict[str, type[IdentityDetails | ContactDetails | LanguageDetails | NoteDetails]] = {
    "identity": IdentityDetails,
    "contact": ContactDetails,
    "language": LanguageDetails,
    "note": NoteDetails,
}

# --- Views ---


class ClientIdentity(msgspec.Struct, frozen=True, kw_only=True):
    """Who a client is, for someone allowed to see their identity."""

    id: UUID
    full_name: str
    preferred_name: str
    date_of_birth: date | None
    has_portal_account: bool = False


class ClientListItem(msgspec.Struct, frozen=True, kw_only=True):
    """A row of the clients list: the name only when identity is shared."""

    id: UUID
    identity: ClientIdentity | None
    shared: list[str]
    """Labels of the categories shared with the reader's organisation."""


class DuplicateCandidate(msgspec.Struct, frozen=True, kw_only=True):
    """A record the worker may already see that could be the same person."""

    id: UUID
    full_name: str
    preferred_name: str
    date_of_birth: date | None
    similarity: float


class EntryVersionView(msgspec.Struct, frozen=True, kw_only=True):
    """An earlier wording of an entry, before a correction."""

    rows: list[tuple[str, str]]
    recorded_at: datetime
    replaced_at: datetime


class EntryView(msgspec.Struct, frozen=True, kw_only=True):
    """One entry, as a page shows it."""

    id: UUID
    category: str
    kind: str
    rows: list[tuple[str, str]]
    recorded_by: str
    recorded_at: datetime
    own: bool


class CategorySection(msgspec.Struct, frozen=True, kw_only=True):
    """One category on a client's page: what is shown, and if not shared, why."""

    code: str
    label: str
    sensitive: bool
    shared: bool
    entries: list[EntryView]
    reason: str = ""
    """Why the category is not shared (entries shown are then only the reader's own)."""


class ConsentView(msgspec.Struct, frozen=True, kw_only=True):
    """A consent, for staff pages, receipts and the portal."""

    id: UUID
    client_id: UUID
    series: UUID
    version: int
    status: str
    organisation_ids: list[UUID]
    organisation_names: list[str]
    categories: list[str]
    purposes: list[str]
    valid_from: date
    valid_to: date
    method: str
    notice_version: str
    capacity: str
    capacity_note: str
    given_by: str
    representative_name: str
    representative_authority: str
    representative_evidence: str
    obtained_by: str
    obtained_by_organisation: str
    given_at: datetime
    withdrawn_at: datetime | None
    withdrawn_reason: str
    withdrawn_how: str
    full: bool = True
    """False when the reader sees only their own organisation's part of it."""
    reference: str = ""
    """The short reference on its receipt (WR-7K3M-Q9), read out over the phone."""

    @property
    def live(self) -> bool:
        """Active now or starting later: can still be withdrawn or changed."""
        return self.status in ("active", "pending")


class ConsentGroup(msgspec.Struct, frozen=True, kw_only=True):
    """One consent with all its versions, as the portal lists it."""

    series: UUID
    heading: str
    """Who may see and why: "Housing First: referral and coordination of support"."""
    current: ConsentView | None
    """The version in force (or starting later); None once it has ended."""
    versions: list[ConsentView]
    """Every version, newest first (the current one included)."""


class ClientRecord(msgspec.Struct, frozen=True, kw_only=True):
    """A client's record as one worker may see it."""

    id: UUID
    identity: ClientIdentity | None
    sections: list[CategorySection]
    consents: list[ConsentView]
    may_act: bool
    break_glass_id: UUID | None = None
    break_glass_until: datetime | None = None
    portal: PortalAccountView | None = None
    """The client's portal account, for those who look after it (None for anyone else)."""

    @property
    def shown(self) -> list[CategorySection]:
        """Categories with something to show: shared ones, and the reader's own entries."""
        return [section for section in self.sections if section.shared or section.entries]

    @property
    def withheld(self) -> list[CategorySection]:
        """Categories of which this worker sees nothing (their name shows as identity)."""
        return [
            section
            for section in self.sections
            if not section.shared
            and not section.entries
            and not (section.code == IDENTITY and self.identity)
        ]


class Receipt(msgspec.Struct, frozen=True, kw_only=True):
    """A consent receipt: the consent, and the client it belongs to."""

    consent: ConsentView
    client_name: str


class BreakGlassView(msgspec.Struct, frozen=True, kw_only=True):
    """A break-glass, for reviewers."""

    id: UUID
    client_id: UUID
    staff_name: str
    organisation_name: str
    reason: str
    opened_at: datetime
    expires_at: datetime
    closed_at: datetime | None
    reads: list[tuple[datetime, list[str]]]
    reviews: list[tuple[str, str, str, str, datetime]]
    """(role label, reviewer name, outcome, note, when)."""


class AccessLogLine(msgspec.Struct, frozen=True, kw_only=True):
    """Reads grouped for the client: one person, one day, the same categories."""

    day: date
    last_at: datetime
    staff_name: str
    organisation_name: str
    categories: list[str]
    break_glass: bool
    times: int


class StaffRead(msgspec.Struct, frozen=True, kw_only=True):
    """One read by a member of the data-protection lead's organisation."""

    at: datetime
    staff_name: str
    client_id: UUID
    categories: list[str]
    context: str
    break_glass: bool
