"""In-process token buckets for login and ingest.

A per-process limit is enough for one server process (the deployment runs one per host
behind the proxy); it stops password guessing and a runaway device without a shared store.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from footfall.server.errors import TooManyRequests


@dataclass
class RateLimiter:
    """``capacity`` requests at once, refilled at ``per_second``; keys are e.g. an e-mail or a device id."""

    capacity: float
    per_second: float
    what: str = "requests"
    _buckets: dict[str, tuple[float, float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def hit(self, key: str, *, now: float | None = None) -> None:
        """Take one token for ``key`` or raise :class:`TooManyRequests`."""
        now = time.monotonic() if now is None else now
        with self._lock:
            tokens, last = self._buckets.get(key, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self.per_second)
            if tokens < 1.0:
                self._buckets[key] = (tokens, now)
                wait = (1.0 - tokens) / self.per_second
                raise TooManyRequests(f"too many {self.what}; retry in {wait:.0f} s")
            self._buckets[key] = (tokens - 1.0, now)
            if len(self._buckets) > 100_000:  # forget idle keys so memory stays bounded
                self._buckets = {k: v for k, v in self._buckets.items() if now - v[1] < 3600}
