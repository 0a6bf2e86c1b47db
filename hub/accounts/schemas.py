"""Structs in and out of the accounts services."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

import msgspec

from hub.audit import Actor


class Principal(msgspec.Struct, frozen=True, kw_only=True):
    """Who is signed in on this request: a staff member or a client.

    A partner system calling the JSON API is a staff principal of the token's organisation
    whose `id` is the staff member who made the token, with `token_id` and `token_scope` set.
    """

    kind: str  # staff | client
    id: UUID
    name: str
    session_key: str
    organisation_id: UUID | None = None
    organisation_name: str = ""
    organisation_kind: str = ""
    is_org_admin: bool = False
    is_system_admin: bool = False
    token_id: UUID | None = None
    token_scope: str = ""  # read | read_write, for API tokens only

    @property
    def is_staff(self) -> bool:
        """True for staff of any organisation."""
        return self.kind == "staff"

    @property
    def is_client(self) -> bool:
        """True for a client signed in to the portal."""
        return self.kind == "client"

    @property
    def role(self) -> str:
        """The role whose home page this person sees."""
        if self.is_client:
            return "client"
        if self.is_org_admin or self.is_system_admin:
            return "org admin"
        if self.organisation_kind == "hub":
            return "hub worker"
        return "partner worker"

    @property
    def is_api(self) -> bool:
        """True for a partner system calling the JSON API with a token."""
        return self.token_id is not None

    @property
    def actor(self) -> Actor:
        """This person (or API token) as the audit trail records them."""
        org = str(self.organisation_id) if self.organisation_id else ""
        if self.token_id is not None:
            return Actor(kind="api", id=str(self.token_id), organisation_id=org)
        return Actor(kind=self.kind, id=str(self.id), organisation_id=org)


class Organisation(msgspec.Struct, frozen=True, kw_only=True):
    """An organisation in the network."""

    id: UUID
    name: str
    kind: str
    data_protection_lead_id: UUID | None = None
    oversight_gap: str = ""
    """Why its break-glass reviews are at risk ("" when a lead or admin can review them)."""


class OrganisationCreate(msgspec.Struct, kw_only=True):
    """Form: a new organisation."""

    name: str = ""
    kind: str = "partner"


class OrganisationUpdate(msgspec.Struct, kw_only=True):
    """Form: an organisation's name, kind and data-protection lead."""

    name: str = ""
    kind: str = "partner"
    data_protection_lead_id: str = ""


class StaffMember(msgspec.Struct, frozen=True, kw_only=True):
    """A staff member as pages show them."""

    id: UUID
    organisation_id: UUID
    name: str
    email: str
    is_org_admin: bool
    is_system_admin: bool
    active: bool
    may_change: bool = False
    """May the person looking change this account (only system admins change system admins)?"""


class StaffCreate(msgspec.Struct, kw_only=True):
    """Form: a new staff member (the organisation comes from who is asking, never the form)."""

    name: str = ""
    email: str = ""
    password: str = ""
    password_confirm: str = ""
    is_org_admin: bool = False


class StaffUpdate(msgspec.Struct, kw_only=True):
    """Form: a staff member's name, role and whether they may sign in."""

    name: str = ""
    is_org_admin: bool = False
    active: bool = True


class PasswordChange(msgspec.Struct, kw_only=True):
    """Form: change one's own password."""

    current_password: str = ""
    password: str = ""
    password_confirm: str = ""


class PortalActivation(msgspec.Struct, kw_only=True):
    """Form: a client turns an invitation code into a portal account.

    The date of birth is something the code's holder must also know: a code alone (seen by
    the worker who printed it, or found) does not make an account.
    """

    code: str = ""
    date_of_birth: date | None = None
    username: str = ""
    password: str = ""
    password_confirm: str = ""


class PortalAccountView(msgspec.Struct, frozen=True, kw_only=True):
    """A client's portal account as staff who look after it see it (never the password)."""

    exists: bool
    active: bool = False
    activated_at: datetime | None = None
    last_used_at: datetime | None = None


class StaffSignIn(msgspec.Struct, kw_only=True):
    """Form: staff sign-in."""

    email: str = ""
    password: str = ""


class ClientSignIn(msgspec.Struct, kw_only=True):
    """Form: client portal sign-in."""

    username: str = ""
    password: str = ""
