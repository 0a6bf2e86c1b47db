"""tel: and mailto: addresses for phone numbers and e-mail addresses shown on pages."""

from __future__ import annotations

import re

_DIALLABLE = re.compile(r"[^0-9+]")


def tel_uri(number: str, extension: str = "") -> str:
    """A `tel:` address for a number as people write it ("01382 432 000", "+44 ..."), or "".

    Only digits and a leading plus are kept, so spaces, brackets and dashes do not reach the
    phone's dialler; an extension is added the RFC 3966 way.
    """
    digits = _DIALLABLE.sub("", number)
    digits = digits[:1] + digits[1:].replace("+", "")
    if len(digits.lstrip("+")) < 3:
        return ""
    extra = re.sub(r"[^0-9]", "", extension)
    return f"tel:{digits}" + (f";ext={extra}" if extra else "")


def mailto_uri(address: str) -> str:
    """A `mailto:` address for a plain e-mail address, or "" when it does not look like one."""
    address = address.strip()
    if "@" not in address or any(c.isspace() or c in "<>\"'?&" for c in address):
        return ""
    return f"mailto:{address}"
