"""Row ids that sort by when they were made (UUID version 7), for tables written in bursts.

A random id (version 4) lands on a random page of the primary-key index, so the 16
notifications of one referral dirtied 13 index pages that the commit then wrote out (and
the WAL copied back). Ids that start with the time land next to each other on the index's
last page. They tell when a row was made, which its own timestamp column says anyway.

Not for rows whose id's first characters are shown as a reference (a referral's "ref 1a2b3c4d",
a client's, an erasure request's): those characters are the time, the same for a minute.
"""

from __future__ import annotations

import secrets
import time
from uuid import UUID

from piccolo.columns.defaults.uuid import UUID4

_VERSION_7 = 0x7 << 76
_VARIANT = 0b10 << 62
_RANDOM_A = (1 << 12) - 1
_RANDOM_B = (1 << 62) - 1


def time_ordered_id(now_ms: int | None = None) -> UUID:
    """A new UUIDv7: 48 bits of Unix milliseconds, then 74 random bits (RFC 9562)."""
    milliseconds = time.time_ns() // 1_000_000 if now_ms is None else now_ms
    randomness = secrets.randbits(74)
    value = (
        (milliseconds & ((1 << 48) - 1)) << 80
        | _VERSION_7
        | (randomness >> 62 & _RANDOM_A) << 64
        | _VARIANT
        | randomness & _RANDOM_B
    )
    return UUID(int=value)


class TimeOrdered(UUID4):
    """A UUID column's default: `time_ordered_id()` for rows made in Python.

    The database's own default stays `gen_random_uuid()` (PostgreSQL before 18 makes no
    version 7), so the tables' definitions are unchanged.
    """

    def python(self) -> UUID:
        """A new time-ordered id."""
        return time_ordered_id()
