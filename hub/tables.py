"""Tables of the shared core: accounts, sessions, sign-in attempts, audit trail, outbox."""

from __future__ import annotations

from piccolo.columns import (
    UUID,
    BigInt,
    Boolean,
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


class Organisation(Table):
    """The hub or a partner service in its network."""

    id = UUID(primary_key=True)
    name = Varchar(length=200, unique=True)
    kind = Varchar(length=16, default="partner")  # hub | partner
    data_protection_lead_id = UUID(null=True, default=None)
    created_at = Timestamptz()


class Staff(Table):
    """A member of staff of one organisation; every staff member has the staff role."""

    id = UUID(primary_key=True)
    organisation = ForeignKey(references=Organisation, on_delete=OnDelete.restrict, index=True)
    name = Varchar(length=200)
    email = Varchar(length=254, unique=True)
    password_hash = Varchar(length=255)
    is_org_admin = Boolean(default=False)
    is_system_admin = Boolean(default=False)
    active = Boolean(default=True)
    created_at = Timestamptz()
    password_changed_at = Timestamptz()
    notify_by_email = Boolean(default=True)


class Client(Table):
    """A person the network supports (identity only; the record lives in consent/)."""

    id = UUID(primary_key=True)
    full_name = Varchar(length=200)
    preferred_name = Varchar(length=200, default="")
    date_of_birth = Date(null=True, default=None)
    registered_by = ForeignKey(references=Organisation, on_delete=OnDelete.restrict)
    created_at = Timestamptz()


class ClientAccount(Table):
    """A client's optional portal sign-in, made from an invitation code."""

    id = UUID(primary_key=True)
    client = ForeignKey(references=Client, on_delete=OnDelete.cascade, unique=True)
    username = Varchar(length=254, unique=True)
    password_hash = Varchar(length=255)
    active = Boolean(default=True)
    created_at = Timestamptz()
    password_changed_at = Timestamptz()


class ClientInvitation(Table):
    """A one-time code staff give a client so they can make their portal account."""

    id = UUID(primary_key=True)
    client = ForeignKey(references=Client, on_delete=OnDelete.cascade, index=True)
    code_hash = Varchar(length=64, unique=True)
    created_by = ForeignKey(references=Staff, on_delete=OnDelete.restrict)
    created_at = Timestamptz()
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)


class UserSession(Table):
    """A signed-in session; the cookie holds a token, this row holds its SHA-256."""

    key = Varchar(length=64, primary_key=True)
    principal_kind = Varchar(length=8)  # staff | client
    principal_id = UUID(index=True)
    created_at = Timestamptz()
    last_seen_at = Timestamptz()
    address = Varchar(length=64, default="")


class SignInAttempt(Table):
    """One sign-in try, kept briefly to throttle guessing per account and per address."""

    account_key = Varchar(length=300, index=True)
    address = Varchar(length=64, index=True)
    at = Timestamptz(index=True)
    succeeded = Boolean(default=False)


class AuditEvent(Table):
    """Append-only, hash-chained trail of every state change and read of client data."""

    seq = Integer(unique=True)
    at = Timestamptz()
    actor_kind = Varchar(length=16)  # staff | client | system | anonymous
    actor_id = Varchar(length=64, default="")
    organisation_id = Varchar(length=64, default="", index=True)
    action = Varchar(length=64, index=True)
    subject_type = Varchar(length=64, default="")
    subject_id = Varchar(length=64, default="", index=True)
    detail = Text(default="{}")
    address = Varchar(length=64, default="")
    prev_hash = Varchar(length=64)
    hash = Varchar(length=64)
    payload_salt = Varchar(length=32, default="")
    """Random per row; with it the payload digest cannot be guessed from a known id."""
    payload_digest = Varchar(length=64, default="")
    """SHA-256 of salt, actor_id, subject_id, detail and address; the hash covers this, so an
    erasure can blank those fields (and the salt) while `audit verify` still holds. Empty on
    rows written before digests existed (their hash covers the fields themselves)."""
    redacted_by = Varchar(length=64, default="")
    """The erasure that blanked this row's payload ("" when never redacted)."""


class OutboxJob(Table):
    """Background work written in the same transaction as the change that causes it."""

    id = UUID(primary_key=True, default=TimeOrdered())
    kind = Varchar(length=64)
    payload = Text(default="{}")
    status = Varchar(length=16, default="pending", index=True)  # pending|running|done|failed
    attempts = Integer(default=0)
    max_attempts = Integer(default=8)
    run_after = Timestamptz(index=True)
    locked_until = Timestamptz(null=True, default=None)
    locked_by = Varchar(length=64, default="")
    last_error = Text(default="")
    created_at = Timestamptz()
    finished_at = Timestamptz(null=True, default=None)


class Notification(Table):
    """Something a staff member should know about; the words carry no client data."""

    id = UUID(primary_key=True, default=TimeOrdered())
    staff = ForeignKey(references=Staff, on_delete=OnDelete.cascade, index=True)
    at = Timestamptz(index=True)
    subject = Varchar(length=300)
    link = Varchar(length=500, default="")
    kind = Varchar(length=64, default="")
    read_at = Timestamptz(null=True, default=None)


class ApiToken(Table):
    """A partner system's key to the JSON API, for one organisation; only its SHA-256 is kept."""

    id = UUID(primary_key=True)
    organisation = ForeignKey(references=Organisation, on_delete=OnDelete.restrict, index=True)
    name = Varchar(length=200)
    scope = Varchar(length=16, default="read")  # read | read_write
    token_hash = Varchar(length=64, unique=True)
    prefix = Varchar(length=16)
    created_by = ForeignKey(references=Staff, on_delete=OnDelete.restrict)
    created_at = Timestamptz()
    last_used_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)
    revoked_by = UUID(null=True, default=None)


class AuditCheckpoint(Table):
    """A signed note of the audit trail's newest row (hub.audit_anchor); append-only."""

    seq = Integer(index=True)
    hash = Varchar(length=64)
    at = Timestamptz()
    mac = Varchar(length=64)
    """HMAC-SHA256 of seq, hash and time, keyed from SECRET_KEY."""


class BackupRecord(Table):
    """One backup made, or tried, by `wraparound backup` or the daily backup job."""

    id = UUID(primary_key=True)
    made_at = Timestamptz(index=True)
    path = Text(default="")
    size = BigInt(default=0)
    ok = Boolean(default=True)
    message = Text(default="")
    """What went wrong, or what the check found."""


class ErasureRequest(Table):
    """A client's records proposed for erasure: past retention, or asked for by the client.

    The client id is blanked once the erasure is done, so what remains says only that an
    erasure happened, why, who approved it and how many rows went (ids only).
    """

    id = UUID(primary_key=True)
    client_id = UUID(null=True, default=None, index=True)
    reason = Varchar(length=16)  # retention | client_request
    status = Varchar(length=16, default="proposed", index=True)  # proposed|erased|declined
    proposed_at = Timestamptz()
    asked_by_kind = Varchar(length=16, default="system")  # system | client | staff
    note = Text(default="")
    """Why it is kept or declined (a legal basis to keep), in the approver's words."""
    decided_by = UUID(null=True, default=None)
    decided_at = Timestamptz(null=True, default=None)
    counts = Text(default="{}")
    """Rows erased per table, as JSON."""
