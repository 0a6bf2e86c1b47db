"""Small helpers controllers share: pages, redirects, the session cookie, client address."""

from __future__ import annotations

import ipaddress
from typing import Any

from litestar import Request, Response
from litestar.datastructures import Cookie
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER

from hub.errors import Invalid
from hub.settings import get_settings
from hub.web.middleware import SESSION_COOKIE


def page(template: str, status_code: int = 200, **context: Any) -> Template:
    """Render a full page."""
    return Template(template_name=template, context=context, status_code=status_code)


def form_error_page(template: str, error: Invalid, **context: Any) -> Template:
    """Re-render a form with a GOV.UK error summary and the values the person typed."""
    return page(template, status_code=422, errors=error.errors, error_message=str(error), **context)


def see_other(path: str) -> Redirect:
    """Redirect after a successful POST."""
    return Redirect(path=path, status_code=HTTP_303_SEE_OTHER)


def session_cookie(token: str) -> Cookie:
    """The session cookie: HttpOnly, SameSite=Lax, Secure unless turned off for plain-HTTP tests."""
    settings = get_settings()
    return Cookie(
        key=SESSION_COOKIE,
        value=token,
        path="/",
        httponly=True,
        secure=settings.secure_cookies,
        samesite="lax",
        max_age=settings.session_absolute_hours * 3600,
    )


def clear_session_cookie(response: Response[Any]) -> Response[Any]:
    """Remove the session cookie from the browser."""
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def _trusted(address: str, proxies: tuple[str, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    for proxy in proxies:
        try:
            if ip in ipaddress.ip_network(proxy, strict=False):
                return True
        except ValueError:
            continue
    return False


def forwarded_client(peer: str, forwarded_for: str, proxies: tuple[str, ...]) -> str:
    """The address a request came from, believing X-Forwarded-For only from trusted proxies.

    Read right to left: each hop a trusted proxy added is skipped; the first address not a
    trusted proxy is the client's. Anything further left was written by the client itself.
    """
    address = peer
    if not _trusted(peer, proxies):
        return address
    for hop in reversed([part.strip() for part in forwarded_for.split(",") if part.strip()]):
        address = hop
        if not _trusted(hop, proxies):
            break
    return address


def client_address(request: Request[Any, Any, Any]) -> str:
    """The caller's network address: the peer's, or the client's behind a trusted proxy."""
    peer = request.client.host if request.client else ""
    forwarded = request.headers.get("x-forwarded-for", "")
    return forwarded_client(peer, forwarded, get_settings().trusted_proxies)
