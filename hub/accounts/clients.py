"""Clients' portal accounts, made from one-time invitation codes (the record is consent/'s)."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from hub import audit, clock
from hub.accounts import roles, sessions, throttle
from hub.accounts.passwords import check_new_password, hash_password
from hub.accounts.schemas import PortalAccountView, PortalActivation, Principal
from hub.audit import Actor
from hub.db import transaction
from hub.errors import Forbidden, Invalid, NotFound
from hub.tables import AuditEvent, Client, ClientAccount, ClientInvitation

INVITATION_LIFETIME = timedelta(days=14)
# No 0/O, 1/I/L: codes are read aloud and copied by hand.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{2,63}$")


def _code_hash(code: str) -> str:
    normalised = re.sub(r"[^A-Z0-9]", "", code.upper())
    return hashlib.sha256(normalised.encode()).hexdigest()


async def issue_invitation(principal: Principal, client_id: UUID) -> str:
    """A new one-time portal invitation code for a client (earlier unused codes stop working).

    Whether this staff member may act for the client is the sharing policy's decision
    (consent/), made by the caller before this; hub knows nothing of consents.

    Raises:
        Forbidden: the principal is not staff.
        NotFound: no such client.
        Invalid: the client already has a portal account.
    """
    if roles.staff_organisation(principal) is None:
        msg = "Only staff can do this"
        raise Forbidden(msg)
    born = await Client.select(Client.date_of_birth).where(Client.id == client_id).first()
    if born is None:
        msg = "No such client"
        raise NotFound(msg)
    if born["date_of_birth"] is None:
        msg = (
            "Record the client's date of birth first: they confirm it when they set up the account"
        )
        raise Invalid(msg, {"client": msg})
    if await ClientAccount.exists().where(ClientAccount.client == client_id):
        msg = "This client already has a portal account"
        raise Invalid(msg, {"client": msg})
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))
    code = f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"
    now = clock.now()
    async with transaction():
        await ClientInvitation.update({ClientInvitation.used_at: now}).where(
            (ClientInvitation.client == client_id) & ClientInvitation.used_at.is_null()
        )
        await ClientInvitation.insert(
            ClientInvitation(
                client=client_id,
                code_hash=_code_hash(code),
                created_by=principal.id,
                created_at=now,
                expires_at=now + INVITATION_LIFETIME,
            )
        )
        await audit.record(
            "client.invitation_created",
            principal.actor,
            subject_type="client",
            subject_id=str(client_id),
        )
    return code


CODE_PROBLEM = (
    "Enter the invitation code exactly as it is on your slip, and your date of birth as the "
    "service has it"
)


async def _valid_invitation(form: PortalActivation, now: datetime) -> dict[str, Any] | None:
    """The unused, unexpired invitation for this code, if the date of birth matches too."""
    invitation = (
        await ClientInvitation.select(
            ClientInvitation.id,
            ClientInvitation.client,
            ClientInvitation.used_at,
            ClientInvitation.expires_at,
            ClientInvitation.client.date_of_birth.as_alias("date_of_birth"),
        )
        .where(ClientInvitation.code_hash == _code_hash(form.code))
        .first()
    )
    if invitation is None or invitation["used_at"] is not None or invitation["expires_at"] < now:
        return None
    born = invitation["date_of_birth"]
    if born is None or form.date_of_birth is None or born != form.date_of_birth:
        return None
    return dict(invitation)


async def activate_portal_account(form: PortalActivation, address: str) -> UUID:
    """Turn an invitation code into a portal account; returns the client's id.

    The code is checked first, with the client's date of birth: until both are right every
    username gets the same answer, so the form cannot be used to find out who has an account.

    Raises:
        Invalid: unknown, used or expired code, a date of birth that does not match, or a
            username or password that will not do.
        TooManyRequests: too many wrong codes from this address.
    """
    # Codes are guessed from an address, so the "account" throttled is the address itself.
    throttle_key = f"invitation:{address}"
    await throttle.check_allowed(throttle_key, address)
    now = clock.now()
    invitation = await _valid_invitation(form, now)
    if invitation is None:
        await throttle.note_attempt(throttle_key, address, succeeded=False)
        raise Invalid(CODE_PROBLEM, {"code": CODE_PROBLEM})
    username = form.username.strip().lower()
    errors: dict[str, str] = {}
    if not USERNAME.match(username):
        errors["username"] = (
            "Username must be 3 to 64 characters: letters, numbers, dots, dashes or @"
        )
    elif await ClientAccount.exists().where(ClientAccount.username == username):
        errors["username"] = "That username is taken; choose another"
    try:
        check_new_password(form.password, form.password_confirm)
    except Invalid as exc:
        errors.update(exc.errors)
    if errors:
        raise Invalid(next(iter(errors.values())), errors)
    client_id: UUID = invitation["client"]
    new_hash = await hash_password(form.password)
    async with transaction():
        used = (
            await ClientInvitation.update({ClientInvitation.used_at: now})
            .where((ClientInvitation.id == invitation["id"]) & ClientInvitation.used_at.is_null())
            .returning(ClientInvitation.id)
        )
        if not used or await ClientAccount.exists().where(ClientAccount.client == client_id):
            msg = "This invitation code has already been used"
            raise Invalid(msg, {"code": msg})
        await ClientAccount.insert(
            ClientAccount(
                client=client_id,
                username=username,
                password_hash=new_hash,
                active=True,
                created_at=now,
                password_changed_at=now,
            )
        )
        await audit.record(
            "client_account.created",
            Actor(kind="client", id=str(client_id)),
            subject_type="client",
            subject_id=str(client_id),
            address=address,
        )
    await throttle.note_attempt(throttle_key, address, succeeded=True)
    return client_id


async def portal_account(client_id: UUID) -> PortalAccountView:
    """Whether the client has a portal account, since when, and when it was last used."""
    row = (
        await ClientAccount.select(ClientAccount.active, ClientAccount.created_at)
        .where(ClientAccount.client == client_id)
        .first()
    )
    if row is None:
        return PortalAccountView(exists=False)
    last = (
        await AuditEvent.select(AuditEvent.at)
        .where(
            (AuditEvent.action == "sign_in.succeeded")
            & (AuditEvent.actor_kind == "client")
            & (AuditEvent.actor_id == str(client_id))
        )
        .order_by(AuditEvent.seq, ascending=False)
        .first()
    )
    return PortalAccountView(
        exists=True,
        active=row["active"],
        activated_at=row["created_at"],
        last_used_at=last["at"] if last else None,
    )


async def disable_portal_account(principal: Principal, client_id: UUID, address: str = "") -> None:
    """Stop the account signing in and end every portal session (the steward's decision is
    the caller's, in consent/)."""
    async with transaction():
        changed = (
            await ClientAccount.update({ClientAccount.active: False})
            .where(ClientAccount.client == client_id)
            .returning(ClientAccount.id)
        )
        if not changed:
            msg = "This client has no portal account"
            raise Invalid(msg, {"client": msg})
        await sessions.end_all_sessions("client", client_id)
        await audit.record(
            "client_account.disabled",
            principal.actor,
            subject_type="client",
            subject_id=str(client_id),
            address=address,
        )


async def reset_portal_account(principal: Principal, client_id: UUID, address: str = "") -> None:
    """Remove the account and end every portal session; the client starts again with a new
    invitation (unused codes stop working too)."""
    async with transaction():
        removed = (
            await ClientAccount.delete()
            .where(ClientAccount.client == client_id)
            .returning(ClientAccount.id)
        )
        if not removed:
            msg = "This client has no portal account"
            raise Invalid(msg, {"client": msg})
        await ClientInvitation.update({ClientInvitation.used_at: clock.now()}).where(
            (ClientInvitation.client == client_id) & ClientInvitation.used_at.is_null()
        )
        await sessions.end_all_sessions("client", client_id)
        await audit.record(
            "client_account.reset",
            principal.actor,
            subject_type="client",
            subject_id=str(client_id),
            address=address,
        )
