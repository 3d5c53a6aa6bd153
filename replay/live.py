"""Live runs against the replay server acting as given provider plans (issue 13's checks).

A scenario is a server plan plus the keys and settings a user of those plans configures;
:func:`live_environment` gives the environment of a live run (no ``--replay``) pointed at
the server, :func:`price_gaps` what a run sequence left out of the daily prices. Used by
``tests/ingestion/test_live_days.py`` (steps 1-4 for five days per scenario) and
``bench/live_days.py`` (five whole ``yieldopt run --date D`` per scenario).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from core import db
from ingestion.seeds import tracked_tokens
from replay.plans import PLANS, Plan
from replay.server import ReplayServer

# Stand-in keys: the server checks that one is sent, not which.
ETHERSCAN_KEY = "live-free-etherscan-key"
CMC_KEY = "live-startup-cmc-key"


@dataclass(frozen=True)
class Scenario:
    """What the server acts as and what the user configured."""

    name: str
    plan: Plan
    settings: dict[str, str] = field(default_factory=dict)

    @property
    def free_prices(self) -> bool:
        return "COINMARKETCAP_API_KEY" not in self.settings


SCENARIOS = {
    # A free Etherscan key (3 calls/s, no API Pro) and a CoinMarketCap Startup key.
    "startup": Scenario(
        "startup",
        PLANS["free-etherscan-startup-cmc"],
        {
            "ETHERSCAN_API_KEY": ETHERSCAN_KEY,
            "COINMARKETCAP_API_KEY": CMC_KEY,
            "SOURCES__COINMARKETCAP__PLAN": "startup",
        },
    ),
    # A free Etherscan key and no CoinMarketCap key: prices from DeFiLlama's coins API.
    "free": Scenario(
        "free", PLANS["free-etherscan-startup-cmc"], {"ETHERSCAN_API_KEY": ETHERSCAN_KEY}
    ),
}
# Variables a live run must not inherit from the caller's environment.
CLEARED = ("COINMARKETCAP_API_KEY", "ETHGASTRACKER_API_KEY", "SOURCES__COINMARKETCAP__PLAN")


def live_environment(server: ReplayServer, scenario: Scenario) -> dict[str, str]:
    """Base URLs at ``server`` plus the scenario's keys and settings."""
    urls = {f"SOURCES__{name.upper()}__BASE_URL": url for name, url in server.base_urls.items()}
    return {**urls, **scenario.settings}


def price_gaps(
    info: db.PgConnection,
    scenario: Scenario,
    first: dt.date,
    last: dt.date,
    symbols: Sequence[str] | None = None,
) -> dict[str, int]:
    """Token -> days in [first, last] without a complete daily price (a candle, or 24 hourly
    points on the free path); ``symbols`` default to the tracked tokens."""
    if scenario.free_prices:
        query = """
            select symbol, count(*) from (
                select symbol, price_date from raw_defillama_coins.price_points
                where price_date between %(first)s and %(last)s
                group by symbol, price_date having count(*) = 24
            ) as complete group by symbol
        """
    else:
        query = """
            select symbol, count(distinct quote_date) from raw_coinmarketcap.ohlcv_daily
            where quote_date between %(first)s and %(last)s group by symbol
        """
    with db.connect(info) as conn, conn.cursor() as cur:
        cur.execute(query, {"first": first, "last": last})
        complete = dict(cur.fetchall())
    wanted = (last - first).days + 1
    symbols = symbols or [token.symbol for token in tracked_tokens()]
    return {symbol: wanted - complete.get(symbol, 0) for symbol in symbols}
