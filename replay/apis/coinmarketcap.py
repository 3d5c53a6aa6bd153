"""CoinMarketCap's answers from the recordings, as the documented API gives them.

``ohlcv/historical`` (CoinMarketCap API reference and its OHLCV guide): ``time_start`` is
exclusive and ``time_end`` inclusive for daily candles, only their date counts ("to get the
candle for 2025-01-01, pass time_start=2024-12-31"); the period in progress is not returned;
without ``time_start`` the last ``count`` (default 10) candles up to ``time_end``. Plans:
Basic/Hobbyist get 403/1006 for it; Startup/Standard/Professional reach 1/3/12 months back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from replay.envelopes import coinmarketcap
from replay.plans import Plan
from replay.recordings import Answer, Recordings, parse_time

DEFAULT_COUNT = 10
OHLCV_PATH = "/v2/cryptocurrency/ohlcv/historical"
QUOTES_PATH = "/v2/cryptocurrency/quotes/latest"
KEY_HEADER = "x-cmc_pro_api_key"


def answer(
    store: Recordings, plan: Plan, path: str, params: Mapping[str, str], headers: Mapping[str, str]
) -> Answer | None:
    """The answer to ``GET path`` (None: no such endpoint)."""
    if path not in (OHLCV_PATH, QUOTES_PATH):
        return None
    if not (headers.get(KEY_HEADER) or params.get("CMC_PRO_API_KEY")):
        return coinmarketcap.error(1002)
    if path == QUOTES_PATH:
        return quotes_latest(store, params)
    return ohlcv_historical(store, plan, params)


def _quotes(store: Recordings, cmc_id: str) -> tuple[dict[str, Any], list[dict[str, Any]]] | None:
    """A coin and its candles complete at the store's moment (time_close passed)."""
    recorded = store.load(f"coinmarketcap/ohlcv_historical/{cmc_id}.json.gz")
    if recorded is None:
        return None
    coin = recorded["data"]
    quotes = [q for q in coin["quotes"] if parse_time(q["time_close"]) <= store.moment]
    return coin, quotes


def _ids(store: Recordings, params: Mapping[str, str]) -> list[str] | Answer:
    ids = [i.strip() for i in params.get("id", "").split(",") if i.strip()]
    if not ids:
        return coinmarketcap.error(400, '"id" or "symbol" is required')
    unknown = [i for i in ids if not i.isdigit() or _quotes(store, i) is None]
    if unknown:
        return coinmarketcap.error(400, f'Invalid value for "id": "{",".join(unknown)}"')
    return ids


def ohlcv_historical(store: Recordings, plan: Plan, params: Mapping[str, str]) -> Answer:
    """Daily candles with dates in (time_start, time_end], as the plan allows."""
    depth = plan.cmc_history_days()
    if depth == 0:
        return coinmarketcap.error(1006)
    ids = _ids(store, params)
    if isinstance(ids, tuple):
        return ids
    start = parse_time(params["time_start"]).date() if params.get("time_start") else None
    end = parse_time(params["time_end"]).date() if params.get("time_end") else None
    # Assumed answer past the plan's depth: the plan refusal (the docs give only the depth).
    oldest = store.moment.date() - dt.timedelta(days=(depth or 0) + 1)
    if depth is not None and start is not None and start < oldest:
        return coinmarketcap.error(
            1006, f"Your plan's historical data access is limited to {depth} days."
        )
    data = {}
    for cmc_id in ids:
        coin, quotes = _quotes(store, cmc_id)  # type: ignore[misc]
        chosen = [
            q
            for q in quotes
            if (start is None or parse_time(q["time_open"]).date() > start)
            and (end is None or parse_time(q["time_open"]).date() <= end)
        ]
        if start is None:
            chosen = chosen[-int(params.get("count", DEFAULT_COUNT)) :]
        data[cmc_id] = {**{k: v for k, v in coin.items() if k != "quotes"}, "quotes": chosen}
    return 200, coinmarketcap.success(data[ids[0]] if len(ids) == 1 else data)


def quotes_latest(store: Recordings, params: Mapping[str, str]) -> Answer:
    """``quotes/latest`` by id (every plan), composed from the last complete candle."""
    ids = _ids(store, params)
    if isinstance(ids, tuple):
        return ids
    convert = params.get("convert", "USD")
    data = {}
    for cmc_id in ids:
        coin, quotes = _quotes(store, cmc_id)  # type: ignore[misc]
        if not quotes:
            continue
        usd = quotes[-1]["quote"]["USD"]
        data[cmc_id] = {
            "id": coin["id"],
            "name": coin.get("name"),
            "symbol": coin["symbol"],
            "slug": coin.get("slug", coin.get("name", "").lower()),
            "is_active": 1,
            "last_updated": usd["timestamp"],
            "quote": {
                convert: {
                    "price": usd["close"],
                    "volume_24h": usd.get("volume"),
                    "market_cap": usd.get("market_cap"),
                    "last_updated": usd["timestamp"],
                }
            },
        }
    return 200, coinmarketcap.success(data)
