"""What the replay server lets a key do: the provider plans it acts as.

The real APIs answer differently per plan, and the live run must cope with each: a free
Etherscan key gets 3 calls/s and the API Pro refusal of ``stats/dailyavggasprice``; a
CoinMarketCap Basic or Hobbyist key gets 403/1006 from ``ohlcv/historical``, a Startup key one
month of history; EthGasTracker may want a key. :class:`Plan` holds those choices; ``PLANS``
names the combinations the tests and ``bench/live_days.py`` run, and ``yieldopt replay
--plan`` picks one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

# The run's scheduled moment on its day (prefect.yaml: cron "30 2 * * *" UTC): the replay
# for D answers what the APIs answer at 02:30 UTC on D.
RUN_TIME = dt.time(2, 30)

# CoinMarketCap ohlcv/historical depth per plan in days (None: all; 0: not in the plan).
CMC_HISTORY_DAYS: dict[str, int | None] = {
    "basic": 0,
    "hobbyist": 0,
    "startup": 30,
    "standard": 90,
    "professional": 365,
    "enterprise": None,
}


@dataclass(frozen=True)
class Plan:
    """The plans the server acts as; the default lets everything through (no limits)."""

    cmc: str = "enterprise"
    # Etherscan calls per second per key before "Max calls per sec" (None: no limit).
    etherscan_calls_per_second: float | None = None
    # Whether the key includes Etherscan's API Pro endpoints (dailyavggasprice).
    etherscan_pro: bool = True
    # Whether EthGasTracker wants an ``apiKey`` (its middleware for other origins).
    ethgastracker_key: bool = False

    def cmc_history_days(self) -> int | None:
        return CMC_HISTORY_DAYS[self.cmc]


PLANS = {
    "unlimited": Plan(),
    # A free Etherscan key and a CoinMarketCap Startup key (issue 13's "Done when").
    "free-etherscan-startup-cmc": Plan(
        cmc="startup", etherscan_calls_per_second=3, etherscan_pro=False
    ),
    # A free Etherscan key and a CoinMarketCap Basic key (no OHLCV: the free price path).
    "free-etherscan-basic-cmc": Plan(
        cmc="basic", etherscan_calls_per_second=3, etherscan_pro=False
    ),
}
