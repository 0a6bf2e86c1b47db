"""A token bucket per client address, so one caller cannot flood the public API.

Each address may make a burst of requests, then a steady rate. Buckets live in the app's
memory (one per web process): enough to turn away a scraper, no database write per request.
Limits come from OPENREFERRAL_RATE_PER_MINUTE (default 600) and OPENREFERRAL_BURST (300),
read when the app starts; generous enough for the ORUK validator walking a whole directory.
"""

from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass, field

MAX_TRACKED_ADDRESSES = 10_000


def _env_number(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    try:
        value = float(raw) if raw else default
    except ValueError:
        return default
    return value if value > 0 else default


@dataclass
class Throttle:
    """Token buckets: `burst` requests at once, refilled at `per_minute` a minute."""

    per_minute: float
    burst: float
    _buckets: dict[str, tuple[float, float]] = field(default_factory=dict)

    @classmethod
    def from_environment(cls) -> Throttle:
        """Limits from OPENREFERRAL_RATE_PER_MINUTE and OPENREFERRAL_BURST."""
        return cls(
            per_minute=_env_number("OPENREFERRAL_RATE_PER_MINUTE", 600),
            burst=_env_number("OPENREFERRAL_BURST", 300),
        )

    def take(self, address: str, now: float | None = None) -> int:
        """Spend one request for `address`: 0 when allowed, else seconds until one is allowed."""
        moment = time.monotonic() if now is None else now
        rate = self.per_minute / 60.0
        tokens, last = self._buckets.get(address, (self.burst, moment))
        tokens = min(self.burst, tokens + (moment - last) * rate)
        if tokens < 1:
            self._buckets[address] = (tokens, moment)
            return max(1, math.ceil((1 - tokens) / rate))
        self._buckets[address] = (tokens - 1, moment)
        if len(self._buckets) > MAX_TRACKED_ADDRESSES:
            self._forget_idle(moment, rate)
        return 0

    def _forget_idle(self, moment: float, rate: float) -> None:
        """Drop addresses whose bucket has refilled: they are back where a stranger starts."""
        full_after = self.burst / rate
        for address, (_, last) in list(self._buckets.items()):
            if moment - last >= full_after:
                del self._buckets[address]
        if len(self._buckets) > MAX_TRACKED_ADDRESSES:  # all busy: keep the latest half
            latest = sorted(self._buckets.items(), key=lambda item: item[1][1])
            self._buckets = dict(latest[len(latest) // 2 :])
