"""Server-side sessions in the database: a random token in the cookie, its hash in a row."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from uuid import UUID

from hub import clock
from hub.accounts.schemas import Principal
from hub.db import transaction
from hub.settings import get_settings
from hub.tables import ClientAccount, Organisation, Staff, UserSession

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


async def _staff_principal(staff_id: UUID, key: str) -> Principal | None:
    row = (
        await Staff.select(
            Staff.id,
            Staff.name,
            Staff.active,
            Staff.is_org_admin,
            Staff.is_system_admin,
            Staff.organisation.id.as_alias("organisation_id"),
            Staff.organisation.name.as_alias("organisation_name"),
            Staff.organisation.kind.as_alias("organisation_kind"),
        )
        .where(Staff.id == staff_id)
        .first()
    )
    if row is None or not row["active"]:
        return None
    return Principal(
        kind="staff",
        id=row["id"],
        name=row["name"],
        session_key=key,
        organisation_id=row["organisation_id"],
        organisation_name=row["organisation_name"],
        organisation_kind=row["organisation_kind"],
        is_org_admin=row["is_org_admin"],
        is_system_admin=row["is_system_admin"],
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


async def load_session(token: str) -> Principal | None:
    """The person a session token belongs to, or None if it is unknown, expired or revoked."""
    if not token or len(token) > 100:
        return None
    key = token_key(token)
    row = await UserSession.select().where(UserSession.key == key).first()
    if row is None:
        return None
    settings = get_settings()
    now = clock.now()
    idle_limit = timedelta(minutes=settings.session_idle_minutes)
    absolute_limit = timedelta(hours=settings.session_absolute_hours)
    if now - row["last_seen_at"] > idle_limit or now - row["created_at"] > absolute_limit:
        await UserSession.delete().where(UserSession.key == key)
        return None
    if row["principal_kind"] == "staff":
        principal = await _staff_principal(row["principal_id"], key)
    else:
        principal = await _client_principal(row["principal_id"], key)
    if principal is None:
        await UserSession.delete().where(UserSession.key == key)
        return None
    if now - row["last_seen_at"] > TOUCH_EVERY:
        await UserSession.update({UserSession.last_seen_at: now}).where(UserSession.key == key)
    return principal


async def organisation_name(organisation_id: UUID) -> str:
    """An organisation's name (for headers and e-mails)."""
    row = await Organisation.select(Organisation.name).where(Organisation.id == organisation_id)
    return row[0]["name"] if row else ""
