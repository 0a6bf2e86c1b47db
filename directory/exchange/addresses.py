"""Web and e-mail addresses as feeds publish them, repaired where the intent is plain.

Real feeds write `www.example.org` without a scheme, end an e-mail address with the
sentence's full stop, or put two addresses in one field. Each repair is reported as a note
(kind, message) so the import can warn about it; only an unsafe address (a script) refuses
a listing, and one that cannot be understood is left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from directory.openreferral.formats import is_email, is_uri

NO_SCHEME = "web address without https://, repaired"
TRIMMED = "punctuation trimmed from an address"
SEVERAL = "several addresses in one field, first kept"
UNUSABLE_WEB = "not a web address, left out"
UNUSABLE_EMAIL = "not an e-mail address, left out"
MAILTO = "mailto: removed from an e-mail address"
UNSAFE = "unsafe address, listing refused"

UNSAFE_SCHEMES = frozenset({"javascript", "vbscript", "data", "file"})
WEB_SCHEMES = frozenset({"http", "https"})
_SEPARATORS = re.compile(r"\s+(?:or|and|/)\s+|[\s,;|]+", re.IGNORECASE)
_HOST = re.compile(
    r"^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+(?::\d+)?(?:[/?#]|$)"
)
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_LEADING = "<([{\"'"
_TRAILING = ".,;:!?\"'>"
_CLOSERS = {")": "(", "]": "[", "}": "{"}


@dataclass
class Repaired:
    """The address to store ("" for none), what was done to it, and whether it is unsafe."""

    value: str
    notes: list[tuple[str, str]] = field(default_factory=list)
    unsafe: bool = False


def _first(raw: str, looks_like: str, repaired: Repaired) -> str:
    """The first address in the field; the rest are reported."""
    tokens = [token for token in _SEPARATORS.split(raw.strip()) if token]
    if len(tokens) <= 1:
        return raw.strip()
    addresses = [token for token in tokens if looks_like in token]
    if not addresses:
        return raw.strip()
    if len(addresses) > 1:
        repaired.notes.append((SEVERAL, f"also given: {', '.join(addresses[1:])}"))
    else:
        dropped = " ".join(token for token in tokens if token != addresses[0])
        repaired.notes.append((SEVERAL, f"words around the address dropped: {dropped}"))
    return addresses[0]


def _trim(value: str, repaired: Repaired) -> str:
    """Punctuation around the address (a sentence's full stop, brackets, quotes) removed."""
    trimmed = value.lstrip(_LEADING)
    while trimmed:
        last = trimmed[-1]
        unbalanced = last in _CLOSERS and trimmed.count(_CLOSERS[last]) < trimmed.count(last)
        if not (last in _TRAILING or unbalanced):
            break
        trimmed = trimmed[:-1]
    if trimmed != value:
        repaired.notes.append((TRIMMED, f"'{value}' trimmed to '{trimmed}'"))
    return trimmed


def web_address(raw: str) -> Repaired:
    """A web address to store, repaired where plain (see the module docstring)."""
    repaired = Repaired("")
    value = _trim(_first(raw, ".", repaired), repaired)
    scheme = _SCHEME.match(value)
    if scheme and scheme.group(1).lower() in UNSAFE_SCHEMES:
        repaired.unsafe = True
        repaired.notes.append((UNSAFE, f"'{raw[:80]}' could run a script"))
        return repaired
    if value.startswith("//"):
        value = "https:" + value
        repaired.notes.append((NO_SCHEME, f"stored as {value}"))
    elif "://" not in value and _HOST.match(value) and "@" not in value:
        value = "https://" + value
        repaired.notes.append((NO_SCHEME, f"stored as {value}"))
    scheme = _SCHEME.match(value)
    if not (scheme and scheme.group(1).lower() in WEB_SCHEMES and is_uri(value)):
        repaired.notes.append((UNUSABLE_WEB, f"'{raw[:200]}' is not a web address"))
        return repaired
    repaired.value = value
    return repaired


def email_address(raw: str) -> Repaired:
    """An e-mail address to store, repaired where plain (see the module docstring)."""
    repaired = Repaired("")
    value = raw.strip()
    if value.lower().startswith("mailto:"):
        value = value[len("mailto:") :].split("?", 1)[0]
        repaired.notes.append((MAILTO, f"stored as {value}"))
    value = _trim(_first(value, "@", repaired), repaired)
    if not is_email(value):
        repaired.notes.append((UNUSABLE_EMAIL, f"'{raw[:200]}' is not an e-mail address"))
        return repaired
    repaired.value = value
    return repaired
