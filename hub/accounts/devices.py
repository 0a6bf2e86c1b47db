"""Known devices: a cookie naming the accounts this browser has signed in to before.

The per-address sign-in limit does not apply to a known device (the per-account limit still
does), so people behind the hub's proxy keep signing in while someone else guesses from the
same address. The cookie holds a keyed hash per account, never the account itself.
"""

from __future__ import annotations

import hashlib
import hmac

from litestar.datastructures import Cookie

from hub.settings import get_settings

COOKIE = "wa_device"
MAX_ACCOUNTS = 5
KEEP_DAYS = 180


def _mark(account_key: str) -> str:
    secret = get_settings().secret_key.encode()
    return hmac.new(secret, f"device:{account_key}".encode(), hashlib.sha256).hexdigest()[:32]


def knows(cookie_value: str, account_key: str) -> bool:
    """Has this browser signed in to `account_key` before?"""
    mark = _mark(account_key)
    return any(hmac.compare_digest(mark, part) for part in cookie_value.split("."))


def remembered(cookie_value: str, account_key: str) -> Cookie:
    """The cookie after a successful sign-in to `account_key` (newest first, a few kept)."""
    mark = _mark(account_key)
    marks = [mark, *(part for part in cookie_value.split(".") if part and part != mark)]
    settings = get_settings()
    return Cookie(
        key=COOKIE,
        value=".".join(marks[:MAX_ACCOUNTS]),
        path="/",
        httponly=True,
        secure=settings.secure_cookies,
        samesite="lax",
        max_age=KEEP_DAYS * 24 * 3600,
    )
