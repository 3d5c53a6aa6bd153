"""A simulated monotonic clock for Etherscan's rate limiter and the replay server's window.

Time moves only when someone sleeps on it, so the limiter's real spacing logic runs in no
time: a test gives the same clock to ``RateLimiter(clock=..., sleep=...)`` and to
``ReplayServer(clock=...)``, whose calls-per-second window then counts the simulated
arrivals, and every answer it logs (``RecordedRequest.at``) carries the simulated time.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence


class FakeClock:
    """Seconds on a monotonic scale that advance by what :meth:`sleep` is asked to wait.

    Sleeps add up: it stands for one caller at a time (step 4's calls are sequential).
    """

    def __init__(self, start: float = 1_000.0) -> None:
        self._now = start
        self._lock = threading.Lock()
        self.slept = 0.0  # simulated seconds waited in all

    def monotonic(self) -> float:
        with self._lock:
            return self._now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self._now += max(0.0, seconds)
            self.slept += max(0.0, seconds)


def most_in_one_second(times: Sequence[float]) -> int:
    """The largest number of ``times`` inside any window of one second (a server's count)."""
    ordered = sorted(times)
    most, first = 0, 0
    for last, at in enumerate(ordered):
        while at - ordered[first] >= 1.0:
            first += 1
        most = max(most, last - first + 1)
    return most
