"""Signing in and out, and changing one's password."""

from __future__ import annotations

import hashlib
from uuid import UUID

from hub import audit, clock
from hub.accounts import sessions, throttle
from hub.accounts.passwords import check_new_password, hash_password, verify_password
from hub.accounts.schemas import PasswordChange, Principal
from hub.audit import Actor
from hub.db import transaction
from hub.errors import Invalid
from hub.tables import ClientAccount, Staff, UserSession

WRONG_DETAILS = "Enter a correct e-mail address and password"
WRONG_CLIENT_DETAILS = "Enter a correct username and password"


def _account_fingerprint(account_key: str) -> str:
    # The audit trail notes failed tries without storing what was typed.
    return hashlib.sha256(account_key.encode()).hexdigest()[:16]


async def _sign_in(
    kind: str,
    account_key: str,
    principal_id: UUID | None,
    password_hash: str | None,
    active: bool,
    password: str,
    address: str,
    previous_token: str,
    organisation_id: str = "",
    *,
    known_device: bool = False,
) -> str:
    attempt = await throttle.begin_attempt(account_key, address, known_device=known_device)
    ok = await verify_password(password_hash, password) and active and principal_id is not None
    await throttle.finish_attempt(attempt, ok)
    if not ok or principal_id is None:
        actor = Actor(kind=kind, id=str(principal_id or ""), organisation_id=organisation_id)
        await audit.record(
            "sign_in.failed",
            actor,
            detail={"account": _account_fingerprint(account_key), "inactive": not active},
            address=address,
        )
        message = WRONG_DETAILS if kind == "staff" else WRONG_CLIENT_DETAILS
        raise Invalid(message, {"password": message})
    if previous_token:
        await sessions.end_session(previous_token)
    token = await sessions.start_session(kind, principal_id, address)
    actor = Actor(kind=kind, id=str(principal_id), organisation_id=organisation_id)
    await audit.record("sign_in.succeeded", actor, address=address)
    return token


def staff_account(email: str) -> str:
    """The key sign-in limits and known devices use for a staff e-mail address."""
    return f"staff:{email.strip().lower()}"


def client_account(username: str) -> str:
    """The key sign-in limits and known devices use for a portal username."""
    return f"client:{username.strip().lower()}"


async def sign_in_staff(
    email: str,
    password: str,
    address: str,
    previous_token: str = "",
    *,
    known_device: bool = False,
) -> str:
    """Check a staff member's e-mail and password; return a new session token.

    Raises:
        Invalid: wrong e-mail or password, or a deactivated account (same message).
        TooManyRequests: too many failures for this account (or, from a browser that never
            signed in to it, this address) in the last minute.
    """
    email = email.strip().lower()
    if not email or not password:
        msg = "Enter your e-mail address and password"
        raise Invalid(msg, {"email" if not email else "password": msg})
    row = (
        await Staff.select(Staff.id, Staff.password_hash, Staff.active, Staff.organisation)
        .where(Staff.email == email)
        .first()
    )
    return await _sign_in(
        "staff",
        staff_account(email),
        row["id"] if row else None,
        row["password_hash"] if row else None,
        bool(row and row["active"]),
        password,
        address,
        previous_token,
        str(row["organisation"]) if row else "",
        known_device=known_device,
    )


async def sign_in_client(
    username: str,
    password: str,
    address: str,
    previous_token: str = "",
    *,
    known_device: bool = False,
) -> str:
    """Check a client's portal username and password; return a new session token."""
    username = username.strip().lower()
    if not username or not password:
        msg = "Enter your username and password"
        raise Invalid(msg, {"username" if not username else "password": msg})
    row = (
        await ClientAccount.select(
            ClientAccount.client, ClientAccount.password_hash, ClientAccount.active
        )
        .where(ClientAccount.username == username)
        .first()
    )
    return await _sign_in(
        "client",
        client_account(username),
        row["client"] if row else None,
        row["password_hash"] if row else None,
        bool(row and row["active"]),
        password,
        address,
        previous_token,
        known_device=known_device,
    )


async def sign_out(principal: Principal, token: str) -> None:
    """End this session."""
    await sessions.end_session(token)
    await audit.record("sign_out", principal.actor)


async def change_password(principal: Principal, form: PasswordChange, address: str) -> str:
    """Change one's own password, end every other session, and return a fresh session token."""
    table = Staff if principal.is_staff else ClientAccount
    where = Staff.id == principal.id if principal.is_staff else ClientAccount.client == principal.id
    row = await table.select(table.password_hash).where(where).first()
    if row is None or not await verify_password(row["password_hash"], form.current_password):
        msg = "Your current password is not right"
        raise Invalid(msg, {"current_password": msg})
    check_new_password(form.password, form.password_confirm)
    new_hash = await hash_password(form.password)
    async with transaction():
        await table.update(
            {
                table.password_hash: new_hash,
                table.password_changed_at: clock.now(),
            }
        ).where(where)
        await UserSession.delete().where(
            (UserSession.principal_kind == principal.kind)
            & (UserSession.principal_id == principal.id)
        )
        await audit.record("password.changed", principal.actor, address=address)
    return await sessions.start_session(principal.kind, principal.id, address)
