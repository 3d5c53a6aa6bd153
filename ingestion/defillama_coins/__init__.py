"""DeFiLlama coins: the free price path (step 2 without a CoinMarketCap OHLCV plan).

``price_points`` merges hourly prices per token (``/chart/{coins}?start&span&period=1h``),
only for whole UTC days after the last one loaded (``loaded_until``) up to the day before
the run date, the day in progress never stored: dbt makes each day's OHLC from its points
(``stg_defillama_coins__price_points``). ``market_caps`` merges one row per token per run
date from ``POST /mcaps`` (CoinGecko's market caps, as DeFiLlama serves them).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import dlt
from dlt.sources import DltResource

from ingestion.defillama_coins.settings import (
    CHART_ENDPOINT,
    CHART_PATH,
    COINGECKO_IDS,
    DAYS_PER_CALL,
    DEFAULT_BASE_URL,
    DEFAULT_HISTORY_DAYS,
    MCAP_FIELDS,
    MCAPS_ENDPOINT,
    MCAPS_PATH,
    PERIOD,
    POINT_FIELDS,
    POINTS_PER_DAY,
)
from ingestion.errors import IngestionError
from ingestion.http import ApiClient
from ingestion.records import CONTRACT, columns, to_row, utc_now
from ingestion.seeds import TrackedToken

POINT_EXTRA = {"symbol": "text", "coin": "text", "price_date": "date", "fetched_at": "timestamp"}
MCAP_EXTRA = {"symbol": "text", "coin": "text", "fetched_at": "timestamp", "run_date": "date"}


def coin_id(token: TrackedToken) -> str:
    """DeFiLlama's id of a tracked token, or an error saying where to add it."""
    gecko = COINGECKO_IDS.get(token.symbol.upper())
    if gecko is None:
        raise IngestionError(
            CHART_ENDPOINT,
            f"no DeFiLlama coin id for tracked token {token.symbol}: add its CoinGecko id to "
            "COINGECKO_IDS in ingestion/defillama_coins/settings.py",
        )
    return f"coingecko:{gecko}"


@dlt.source(name="defillama_coins", max_table_nesting=0)
def defillama_coins_source(
    run_date: dt.date,
    tokens: Sequence[TrackedToken],
    loaded_until: Mapping[str, dt.date],
    base_url: str = dlt.config.value,
    history_days: int = DEFAULT_HISTORY_DAYS,
) -> list[DltResource]:
    """Hourly prices and today's market caps of ``tokens`` as of ``run_date``."""
    client = ApiClient(base_url or DEFAULT_BASE_URL)
    last_day = run_date - dt.timedelta(days=1)
    coins = {token.symbol: coin_id(token) for token in tokens}

    @dlt.resource(
        name="price_points",
        write_disposition="merge",
        primary_key=("symbol", "timestamp"),
        columns=columns(POINT_FIELDS, POINT_EXTRA),
        schema_contract=CONTRACT,
    )
    def price_points() -> Iterator[list[dict[str, Any]]]:
        starts: dict[dt.date, list[str]] = {}
        for symbol in coins:
            since = loaded_until.get(symbol)
            start = (
                since + dt.timedelta(days=1)
                if since
                else last_day - dt.timedelta(days=history_days - 1)
            )
            if start <= last_day:
                starts.setdefault(start, []).append(symbol)
        for start, symbols in sorted(starts.items()):
            day = start
            while day <= last_day:
                days = min(DAYS_PER_CALL, (last_day - day).days + 1)
                yield _chart_window(client, {s: coins[s] for s in symbols}, day, days)
                day += dt.timedelta(days=days)

    @dlt.resource(
        name="market_caps",
        write_disposition="merge",
        primary_key=("symbol", "run_date"),
        columns=columns(MCAP_FIELDS, MCAP_EXTRA),
        schema_contract=CONTRACT,
    )
    def market_caps() -> Iterator[list[dict[str, Any]]]:
        if not coins:
            return
        body = client.post_json(MCAPS_PATH, MCAPS_ENDPOINT, {"coins": list(coins.values())})
        fetched_at = utc_now()
        if not isinstance(body, dict):
            raise IngestionError(MCAPS_ENDPOINT, "response is not an object keyed by coin")
        rows = []
        for symbol, coin in coins.items():
            record = body.get(coin)
            if record is None:
                # Documented: coins without a market cap are left out of the answer.
                continue
            row = to_row(record, MCAP_FIELDS, MCAPS_ENDPOINT, symbol)
            row.update(symbol=symbol, coin=coin, fetched_at=fetched_at, run_date=run_date)
            rows.append(row)
        yield rows

    return [price_points, market_caps]


def _chart_window(
    client: ApiClient, coins: Mapping[str, str], first: dt.date, days: int
) -> list[dict[str, Any]]:
    """The hourly points of ``days`` whole UTC days from ``first`` for ``coins``."""
    start = int(dt.datetime.combine(first, dt.time(), dt.UTC).timestamp())
    end_of_window = start + days * 86_400
    path = CHART_PATH.format(coins=",".join(coins.values()))
    params = {"start": start, "span": days * POINTS_PER_DAY, "period": PERIOD}
    body = client.get_json(path, CHART_ENDPOINT, params)
    fetched_at = utc_now()
    answered = body.get("coins") if isinstance(body, dict) else None
    if not isinstance(answered, dict):
        raise IngestionError(CHART_ENDPOINT, "response has no 'coins' object")
    rows = []
    for symbol, coin in coins.items():
        # A coin DeFiLlama has no price for is absent from 'coins': nothing to load for it.
        points = (answered.get(coin) or {}).get("prices", [])
        if not isinstance(points, list):
            raise IngestionError(CHART_ENDPOINT, f"{coin}: 'prices' is not a list")
        for i, point in enumerate(points):
            row = to_row(point, POINT_FIELDS, CHART_ENDPOINT, f"{coin} #{i}")
            moment = int(row["timestamp"].timestamp())
            # Only the asked whole days; a point after the window belongs to a later call.
            if start <= moment < end_of_window and row["timestamp"] <= fetched_at:
                row.update(
                    symbol=symbol,
                    coin=coin,
                    price_date=row["timestamp"].date(),
                    fetched_at=fetched_at,
                )
                rows.append(row)
    return rows
