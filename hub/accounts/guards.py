"""Route guards by role; record-level access is decided by the services, not here.

Coroutines: Litestar runs a plain function guard in a worker thread, a hand-off (and a wait
for the interpreter lock) on every request for a check that reads one attribute.
"""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from hub.accounts import roles
from hub.accounts.schemas import Principal


def current_principal(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal | None:
    """The signed-in person, if any."""
    user = connection.scope.get("user")
    return user if isinstance(user, Principal) else None


def _principal(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal:
    principal = current_principal(connection)
    if principal is None:
        raise NotAuthorizedException
    return principal


async def requires_signed_in(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    """Anyone signed in: staff or client."""
    _principal(connection)


async def requires_staff(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    """Staff of any organisation."""
    if not roles.is_staff(_principal(connection)):
        raise PermissionDeniedException(detail="This page is for staff.")


async def requires_org_admin(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    """Organisation admins (system admins too)."""
    if not roles.is_admin(_principal(connection)):
        raise PermissionDeniedException(detail="This page is for organisation administrators.")


async def requires_system_admin(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    """System administrators."""
    if not roles.is_system_admin(_principal(connection)):
        raise PermissionDeniedException(detail="This page is for system administrators.")


async def requires_client(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    """Clients signed in to the portal."""
    if not _principal(connection).is_client:
        raise PermissionDeniedException(detail="This page is for clients.")
