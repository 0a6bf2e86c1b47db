"""Middleware: who is signed in, security headers with a per-request CSP nonce."""

from __future__ import annotations

import secrets
from http.cookies import SimpleCookie
from typing import Any

from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from hub.accounts.sessions import signed_in
from hub.settings import get_settings

SESSION_COOKIE = "wa_session"
STATIC_PREFIXES = ("/static/", "/vendor/")


def _cookie(scope: Scope, name: str) -> str:
    for key, value in scope.get("headers", []):
        if key == b"cookie":
            jar: SimpleCookie = SimpleCookie()
            try:
                jar.load(value.decode("latin-1"))
            except Exception:  # noqa: BLE001 - a malformed cookie header means no session
                return ""
            if name in jar:
                return jar[name].value
    return ""


class SessionMiddleware(ASGIMiddleware):
    """Loads the signed-in person from the session cookie into `request.user` (or None)."""

    should_bypass_for_scope = staticmethod(
        lambda scope: scope["path"].startswith(STATIC_PREFIXES) or scope["path"] == "/healthz"
    )

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        """Resolve the session on every request, so revocation takes effect at once."""
        token = _cookie(scope, SESSION_COOKIE)
        found = await signed_in(token) if token else None
        principal = found.principal if found else None
        scope["user"] = principal
        if found is not None and principal is not None and principal.is_staff:
            # For the layout's "Notifications" badge: Jinja renders synchronously, so it is
            # counted here, in the same read as the session itself.
            scope.setdefault("state", {})["unread_notifications"] = found.unread_notifications
        scope["auth"] = token if principal else None
        await next_app(scope, receive, send)


def content_security_policy(nonce: str) -> str:
    """Only our own scripts and styles, nothing framed, forms posted only here."""
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


HSTS = b"max-age=31536000; includeSubDomains"


def served_over_https(scope: Scope) -> bool:
    """Is this response going out over HTTPS: directly, or behind a proxy at an https BASE_URL?

    (TLS ends at the reverse proxy in production, so the app itself sees plain HTTP there.)
    """
    return scope.get("scheme") == "https" or get_settings().base_url.startswith("https://")


class SecurityHeadersMiddleware(ASGIMiddleware):
    """CSP (with a nonce the templates use), Referrer-Policy, nosniff, no framing, no caching."""

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        """Add the headers to every response; pages are never cached (they may hold client data)."""
        nonce = secrets.token_urlsafe(16)
        scope.setdefault("state", {})["csp_nonce"] = nonce
        path: str = scope.get("path", "")
        is_asset = path.startswith(STATIC_PREFIXES)
        over_https = served_over_https(scope)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers: list[Any] = list(message.get("headers", []))
                present = {key.lower() for key, _ in headers}
                extra = {
                    b"content-security-policy": content_security_policy(nonce).encode(),
                    b"referrer-policy": b"no-referrer",
                    b"x-content-type-options": b"nosniff",
                    b"x-frame-options": b"DENY",
                    b"permissions-policy": b"camera=(), microphone=(), geolocation=()",
                    b"cross-origin-opener-policy": b"same-origin",
                    b"cache-control": b"public, max-age=3600" if is_asset else b"no-store",
                }
                if over_https:
                    extra[b"strict-transport-security"] = HSTS
                headers.extend((key, value) for key, value in extra.items() if key not in present)
                message["headers"] = headers
            await send(message)

        await next_app(scope, receive, send_with_headers)
