"""The value formats HSDS declares (uri, email), checked the same way on the way in and out."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")


def is_uri(value: str) -> bool:
    """True for an absolute URI such as `https://example.org/x` (what `format: uri` asks for)."""
    if not value or any(char.isspace() for char in value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    if not parts.scheme or not _SCHEME.match(parts.scheme):
        return False
    if parts.scheme.lower() in {"http", "https"}:
        return bool(parts.netloc)
    return bool(parts.netloc or parts.path)


def is_email(value: str) -> bool:
    """True for something shaped like an e-mail address (`format: email`)."""
    return bool(value) and _EMAIL.match(value) is not None


def uri_or_none(value: str) -> str | None:
    """The value when it is a valid URI, else None (so a bad stored value never breaks a feed)."""
    return value if is_uri(value) else None


def email_or_none(value: str) -> str | None:
    """The value when it looks like an e-mail address, else None."""
    return value if is_email(value) else None
