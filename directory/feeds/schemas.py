"""What a feed's pull reports."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class PullResult:
    """What one pull did: ok, incomplete, held or failed, a message, counts, how long."""

    status: str
    message: str
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
