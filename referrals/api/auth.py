"""Who is calling: an API token in `Authorization: Bearer`, never a browser's session cookie."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from hub.accounts import api_tokens
from hub.accounts.schemas import Principal

AnyConnection = ASGIConnection[Any, Any, Any, Any]


def bearer_token(scope: Scope) -> str:
    """The token in the Authorization header, or "" when there is none."""
    for key, value in scope.get("headers", []):
        if key == b"authorization":
            scheme, _, token = value.decode("latin-1").strip().partition(" ")
            return token.strip() if scheme.lower() == "bearer" else ""
    return ""


class ApiTokenMiddleware(ASGIMiddleware):
    """Puts the token's principal (or None) in `request.user`; session cookies count for nothing."""

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        """Look the token up on every request, so revocation takes effect at once."""
        token = bearer_token(scope)
        scope["user"] = await api_tokens.authenticate(token) if token else None
        scope["auth"] = None
        await next_app(scope, receive, send)


def caller(connection: AnyConnection) -> Principal:
    """The token's principal; 401 without a live token."""
    user = connection.scope.get("user")
    if not isinstance(user, Principal) or not user.is_api:
        raise NotAuthorizedException
    return user


async def requires_token(connection: AnyConnection, _: BaseRouteHandler) -> None:
    """Any live token, read or read-write."""
    caller(connection)


async def requires_write(connection: AnyConnection, _: BaseRouteHandler) -> None:
    """A read-write token."""
    if caller(connection).token_scope != api_tokens.READ_WRITE:
        raise PermissionDeniedException(
            detail="This token is read-only: it cannot change referrals."
        )
