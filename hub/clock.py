"""The one clock the app reads, so tests can move time on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

_offset = timedelta(0)
_frozen: datetime | None = None


def now() -> datetime:
    """The current time in UTC, as the app sees it."""
    if _frozen is not None:
        return _frozen
    return datetime.now(UTC) + _offset


def advance(delta: timedelta) -> None:
    """Move the app's clock on (tests only)."""
    global _offset, _frozen
    if _frozen is not None:
        _frozen += delta
    else:
        _offset += delta


def freeze(at: datetime | None = None) -> None:
    """Stop the app's clock at `at` (default: now) (tests only)."""
    global _frozen
    _frozen = at or now()


def reset() -> None:
    """Back to real time."""
    global _offset, _frozen
    _offset = timedelta(0)
    _frozen = None
