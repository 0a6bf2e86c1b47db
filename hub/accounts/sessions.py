"""Server-side sessions in the database: a random token in the cookie, its hash in a row."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from uuid import UUID

import msgspec

from hub import clock
from hub.accounts.schemas import Principal
from hub.db import raw, transaction
from hub.settings import get_settings
from hub.tables import ClientAccount, Organisation, UserSession

TOUCH_EVERY = timedelta(seconds=60)


def token_key(token: str) -> str:
    """The stored form of a session token (a leaked table gives no usable cookie)."""
    return hashlib.sha256(token.encode()).hexdigest()


async def start_session(kind: str, principal_id: UUID, address: str = "") -> str:
    """Create a new session and return its token (always new: no fixation)."""
    token = secrets.token_urlsafe(32)
    now = clock.now()
    async with transaction():
        await UserSession.insert(
            UserSession(
                key=token_key(token),
                principal_kind=kind,
                principal_id=principal_id,
                created_at=now,
                last_seen_at=now,
                address=address[:64],
            )
        )
    return token


async def end_session(token: str) -> None:
    """Revoke one session (sign-out)."""
    await UserSession.delete().where(UserSession.key == token_key(token))


async def end_all_sessions(kind: str, principal_id: UUID) -> None:
    """Revoke every session of one person (password change, deactivation)."""
    await UserSession.delete().where(
        (UserSession.principal_kind == kind) & (UserSession.principal_id == principal_id)
    )


async def _client_principal(client_id: UUID, key: str) -> Principal | None:
    row = (
        await ClientAccount.select(
            ClientAccount.active,
            ClientAccount.client.id.as_alias("client_id"),
            ClientAccount.client.full_name.as_alias("full_name"),
            ClientAccount.client.preferred_name.as_alias("preferred_name"),
        )
        .where(ClientAccount.client == client_id)
        .first()
    )
    if row is None or not row["active"]:
        return None
    name = row["preferred_name"] or row["full_name"]
    return Principal(kind="client", id=row["client_id"], name=name, session_key=key)


class SignedIn(msgspec.Struct, frozen=True, kw_only=True):
    """Who a request's session belongs to, and their unread notifications (for the layout)."""

    principal: Principal
    unread_notifications: int = 0


class _SessionRow(msgspec.Struct, kw_only=True):
    principal_kind: str
    principal_id: UUID
    created_at: datetime
    last_seen_at: datetime
    staff_name: str | None = None
    staff_active: bool | None = None
    is_org_admin: bool | None = None
    is_system_admin: bool | None = None
    organisation_id: UUID | None = None
    organisation_name: str | None = None
    organisation_kind: str | None = None
    unread: int = 0


UNREAD_COUNTED_UP_TO = 100
"""The badge counts unread notifications up to here and then shows "99+": counting them all
cost every request more the longer someone left them (a quarter of a millisecond of the
database at 1,600, on every page), and nobody reads a badge of 1,600 differently."""

# The session, and for a staff member who they are and their unread count, in one read: every
# request starts here, and three round trips in a row were a tenth of a referral move.
_SESSION_AND_STAFF = f"""
SELECT s.principal_kind, s.principal_id, s.created_at, s.last_seen_at,
       st.name AS staff_name, st.active AS staff_active, st.is_org_admin, st.is_system_admin,
       o.id AS organisation_id, o.name AS organisation_name, o.kind AS organisation_kind,
       (SELECT COUNT(*) FROM (
          SELECT 1 FROM notification n
           WHERE s.principal_kind = 'staff' AND n.staff = s.principal_id
             AND n.read_at IS NULL
           LIMIT {UNREAD_COUNTED_UP_TO}) AS counted) AS unread
FROM user_session s
LEFT JOIN staff st ON s.principal_kind = 'staff' AND st.id = s.principal_id
LEFT JOIN organisation o ON o.id = st.organisation
WHERE s.key = {{}}
"""


def _staff_of(row: _SessionRow, key: str) -> Principal | None:
    if not row.staff_active or row.organisation_id is None:
        return None
    return Principal(
        kind="staff",
        id=row.principal_id,
        name=row.staff_name or "",
        session_key=key,
        organisation_id=row.organisation_id,
        organisation_name=row.organisation_name or "",
        organisation_kind=row.organisation_kind or "",
        is_org_admin=bool(row.is_org_admin),
        is_system_admin=bool(row.is_system_admin),
    )


async def signed_in(token: str) -> SignedIn | None:
    """Who a session token belongs to, or None if it is unknown, expired or revoked."""
    if not token or len(token) > 100:
        return None
    key = token_key(token)
    rows = await raw(_SESSION_AND_STAFF, key)
    if not rows:
        return None
    row = msgspec.convert(rows[0], _SessionRow, strict=False)
    settings = get_settings()
    now = clock.now()
    idle_limit = timedelta(minutes=settings.session_idle_minutes)
    absolute_limit = timedelta(hours=settings.session_absolute_hours)
    if now - row.last_seen_at > idle_limit or now - row.created_at > absolute_limit:
        await UserSession.delete().where(UserSession.key == key)
        return None
    if row.principal_kind == "staff":
        principal = _staff_of(row, key)
    else:
        principal = await _client_principal(row.principal_id, key)
    if principal is None:
        await UserSession.delete().where(UserSession.key == key)
        return None
    if now - row.last_seen_at > TOUCH_EVERY:
        await UserSession.update({UserSession.last_seen_at: now}).where(UserSession.key == key)
    return SignedIn(principal=principal, unread_notifications=row.unread)


async def load_session(token: str) -> Principal | None:
    """The person a session token belongs to, or None if it is unknown, expired or revoked."""
    found = await signed_in(token)
    return found.principal if found else None


async def organisation_name(organisation_id: UUID) -> str:
    """An organisation's name (for headers and e-mails)."""
    row = await Organisation.select(Organisation.name).where(Organisation.id == organisation_id)
    return row[0]["name"] if row else ""
