"""API tokens: an organisation's keys to the JSON API, made and revoked by its admins.

A token is shown once, when it is made; only its SHA-256 is kept, so a leaked table gives no
usable key. A token acts as the staff member who made it (the access log names a person) but
the audit trail records the token itself, and its scope decides whether it may change anything.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import msgspec

from hub import audit, clock
from hub.accounts import roles
from hub.accounts.schemas import Principal
from hub.db import transaction
from hub.errors import Forbidden, Invalid, NotFound
from hub.tables import ApiToken

READ = "read"
READ_WRITE = "read_write"
SCOPES: dict[str, str] = {
    READ: "Read only: list and read referrals and their messages",
    READ_WRITE: "Read and write: also move referrals and post messages",
}
TOKEN_START = "wa_"  # noqa: S105 - the public prefix every token starts with
MAX_TOKEN_LENGTH = 200
MAX_NAME = 200
TOUCH_EVERY = timedelta(seconds=60)


class ApiTokenCreate(msgspec.Struct, kw_only=True):
    """Form: a new API token (the organisation comes from who is asking, never the form)."""

    name: str = ""
    scope: str = ""


class ApiTokenView(msgspec.Struct, frozen=True, kw_only=True):
    """A token as the admin page lists it: never the token itself."""

    id: UUID
    name: str
    scope: str
    prefix: str
    created_by: str
    """The admin who answers for the token (its maker, or whoever took it over)."""
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    suspended: bool = False
    """Its admin is no longer an active admin: it is refused until another takes it over."""

    @property
    def scope_label(self) -> str:
        """The scope in words."""
        return "Read and write" if self.scope == READ_WRITE else "Read only"


class NewApiToken(msgspec.Struct, frozen=True, kw_only=True):
    """A token just made: the only time its plain text exists outside the caller's system."""

    id: UUID
    name: str
    scope: str
    token: str


def token_hash(token: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(token.encode()).hexdigest()


def _organisation_of(principal: Principal) -> UUID:
    """The admin's organisation; Forbidden for anyone else (and for API tokens themselves)."""
    if not roles.is_admin(principal) or principal.is_api or principal.organisation_id is None:
        msg = "Only organisation administrators manage API tokens"
        raise Forbidden(msg)
    return principal.organisation_id


def _check(form: ApiTokenCreate) -> dict[str, str]:
    errors: dict[str, str] = {}
    name = form.name.strip()
    if not name:
        errors["name"] = "Enter a name for the token, such as the system that will use it"
    elif len(name) > MAX_NAME:
        errors["name"] = f"Keep the name to {MAX_NAME} characters or fewer"
    if form.scope not in SCOPES:
        errors["scope"] = "Choose what the token may do"
    return errors


async def create_token(principal: Principal, form: ApiTokenCreate) -> NewApiToken:
    """Make a token for the admin's own organisation; Invalid when the form is incomplete."""
    organisation_id = _organisation_of(principal)
    errors = _check(form)
    if errors:
        raise Invalid(next(iter(errors.values())), errors)
    prefix = secrets.token_hex(4)
    token = f"{TOKEN_START}{prefix}_{secrets.token_urlsafe(32)}"
    row = ApiToken(
        organisation=organisation_id,
        name=form.name.strip(),
        scope=form.scope,
        token_hash=token_hash(token),
        prefix=prefix,
        created_by=principal.id,
        created_at=clock.now(),
    )
    async with transaction():
        await ApiToken.insert(row)
        await audit.record(
            "api_token.created",
            principal.actor,
            subject_type="api_token",
            subject_id=str(row.id),
            detail={"name": row.name, "scope": row.scope, "prefix": prefix},
        )
    return NewApiToken(id=UUID(str(row.id)), name=row.name, scope=row.scope, token=token)


_ANSWERER = (
    ApiToken.organisation.as_alias("token_organisation"),
    ApiToken.created_by.active.as_alias("admin_active"),
    ApiToken.created_by.is_org_admin.as_alias("admin_is_org_admin"),
    ApiToken.created_by.is_system_admin.as_alias("admin_is_system_admin"),
    ApiToken.created_by.organisation.as_alias("admin_organisation"),
)


def _answered_for(row: dict[str, Any]) -> bool:
    return roles.answers_for(
        active=row["admin_active"],
        is_org_admin=row["admin_is_org_admin"],
        is_system_admin=row["admin_is_system_admin"],
        member_of=row["admin_organisation"],
        organisation=row["token_organisation"],
    )


async def list_tokens(principal: Principal) -> list[ApiTokenView]:
    """The admin's organisation's tokens, live ones first, newest first."""
    organisation_id = _organisation_of(principal)
    rows = (
        await ApiToken.select(
            ApiToken.id,
            ApiToken.name,
            ApiToken.scope,
            ApiToken.prefix,
            ApiToken.created_by.name.as_alias("created_by"),
            ApiToken.created_at,
            ApiToken.last_used_at,
            ApiToken.revoked_at,
            *_ANSWERER,
        )
        .where(ApiToken.organisation == organisation_id)
        .order_by(ApiToken.created_at, ascending=False)
    )
    tokens = [
        msgspec.convert({**row, "suspended": not _answered_for(row)}, ApiTokenView) for row in rows
    ]
    return sorted(tokens, key=lambda token: token.revoked_at is not None)


async def revoke_token(principal: Principal, token_id: UUID) -> None:
    """Revoke one of the admin's organisation's tokens at once; another's is NotFound."""
    organisation_id = _organisation_of(principal)
    async with transaction():
        row = (
            await ApiToken.select(ApiToken.id, ApiToken.revoked_at)
            .where((ApiToken.id == token_id) & (ApiToken.organisation == organisation_id))
            .first()
        )
        if row is None:
            msg = "No such API token"
            raise NotFound(msg)
        if row["revoked_at"] is not None:
            return
        await ApiToken.update(
            {ApiToken.revoked_at: clock.now(), ApiToken.revoked_by: principal.id}
        ).where(ApiToken.id == token_id)
        await audit.record(
            "api_token.revoked",
            principal.actor,
            subject_type="api_token",
            subject_id=str(token_id),
        )


async def take_over(principal: Principal, token_id: UUID) -> None:
    """This admin now answers for a live token of their organisation (a suspended one works
    again); audited with who answered for it before."""
    organisation_id = _organisation_of(principal)
    async with transaction():
        row = (
            await ApiToken.select(ApiToken.created_by, ApiToken.revoked_at)
            .where((ApiToken.id == token_id) & (ApiToken.organisation == organisation_id))
            .first()
        )
        if row is None or row["revoked_at"] is not None:
            msg = "No such API token"
            raise NotFound(msg)
        await ApiToken.update({ApiToken.created_by: principal.id}).where(ApiToken.id == token_id)
        await audit.record(
            "api_token.taken_over",
            principal.actor,
            subject_type="api_token",
            subject_id=str(token_id),
            detail={"from": str(row["created_by"])},
        )


async def authenticate(token: str) -> Principal | None:
    """The principal a bearer token stands for, or None if it is unknown, revoked or
    suspended (the admin who answers for it is no longer an active admin)."""
    if not token.startswith(TOKEN_START) or len(token) > MAX_TOKEN_LENGTH:
        return None
    row = (
        await ApiToken.select(
            ApiToken.id,
            ApiToken.name,
            ApiToken.scope,
            ApiToken.created_by,
            ApiToken.last_used_at,
            ApiToken.revoked_at,
            ApiToken.organisation.id.as_alias("organisation_id"),
            ApiToken.organisation.name.as_alias("organisation_name"),
            ApiToken.organisation.kind.as_alias("organisation_kind"),
            *_ANSWERER,
        )
        .where(ApiToken.token_hash == token_hash(token))
        .first()
    )
    if row is None or row["revoked_at"] is not None or not _answered_for(row):
        return None
    now = clock.now()
    if row["last_used_at"] is None or now - row["last_used_at"] > TOUCH_EVERY:
        await ApiToken.update({ApiToken.last_used_at: now}).where(ApiToken.id == row["id"])
    return Principal(
        kind="staff",
        id=row["created_by"],
        name=f"API: {row['name']}",
        session_key="",
        organisation_id=row["organisation_id"],
        organisation_name=row["organisation_name"],
        organisation_kind=row["organisation_kind"],
        token_id=row["id"],
        token_scope=row["scope"],
    )
