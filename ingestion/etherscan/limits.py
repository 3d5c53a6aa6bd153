"""Etherscan's call limits, kept on the client side (docs.etherscan.io "Rate Limits").

Every Etherscan plan caps calls per second (Free 3/s, Standard 5/s, Advanced 10/s, ...). Past
the cap Etherscan still answers HTTP 200, with status "0", message "NOTOK" and the result
"Max calls per sec rate limit reached (3/sec)". One limiter per process spaces every
Etherscan call (steps 3-4 and the gas-oracle poll) so that the cap is not reached; the
NOTOK answer, if it comes anyway (another process on the same key), is retried with backoff.

The limiter reads time through a clock/sleep pair (``time.monotonic``/``time.sleep`` unless
given others) so that tests run its real spacing logic on a simulated clock, without waiting.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

DEFAULT_CALLS_PER_SECOND = 3.0
# Etherscan's texts for a rate limit and for an endpoint the plan does not include.
RATE_LIMIT_MARKERS = ("rate limit reached", "Max calls per sec")
API_PRO_MARKER = "API Pro endpoint"
# Slots 10 % wider than 1/rate: the server counts arrivals, which jitter by milliseconds, so
# calls spaced exactly 1/rate apart still land 4 in one second now and then.
SAFETY_MARGIN = 1.1
# Seconds to wait before the n-th retry of a rate-limited call (the cap is per second).
RATE_LIMIT_BACKOFF = (0.5, 1.0, 2.0, 4.0)

Clock = Callable[[], float]
Sleep = Callable[[float], None]


class RateLimiter:
    """At most ``calls_per_second`` calls in any second, across threads of one process.

    Each call takes the next free slot 1/rate seconds after the previous one and sleeps
    until it; ``rate`` can be changed (configuration is read when a source is built).
    ``clock`` and ``sleep`` are the time source: seconds on a monotonic scale, and a wait.
    """

    def __init__(
        self,
        calls_per_second: float = DEFAULT_CALLS_PER_SECOND,
        clock: Clock = time.monotonic,
        sleep: Sleep = time.sleep,
    ) -> None:
        self._lock = threading.Lock()
        self._next_slot = 0.0
        self._clock = clock
        self._sleep = sleep
        self.rate = calls_per_second

    @property
    def rate(self) -> float:
        return self._rate

    @rate.setter
    def rate(self, calls_per_second: float) -> None:
        if calls_per_second <= 0:
            raise ValueError(f"calls_per_second must be > 0, got {calls_per_second}")
        self._rate = float(calls_per_second)

    def wait(self) -> None:
        """Block until this call may go out."""
        with self._lock:
            now = self._clock()
            slot = max(now, self._next_slot)
            self._next_slot = slot + SAFETY_MARGIN / self._rate
        delay = slot - now
        if delay > 0:
            self._sleep(delay)

    def pause(self, seconds: float) -> None:
        """Wait ``seconds`` on the limiter's clock (the backoff after a rate-limit answer)."""
        self._sleep(seconds)


# The one limiter every Etherscan client of this process shares.
LIMITER = RateLimiter()


def is_rate_limit(text: str) -> bool:
    return any(marker.lower() in text.lower() for marker in RATE_LIMIT_MARKERS)


def is_api_pro_refusal(text: str) -> bool:
    return API_PRO_MARKER.lower() in text.lower()
