"""CoinMarketCap ``/v2/cryptocurrency/ohlcv/historical`` recordings (by-id shape)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from replay.builder.common import END, rng_for
from replay.builder.tokens import Token
from replay.envelopes import coinmarketcap


def cmc_payload(token: Token, frame: pd.DataFrame) -> dict[str, Any]:
    """GET /v2/cryptocurrency/ohlcv/historical?id=... (by-id shape), one quote per UTC day."""
    rng = rng_for("cmc-times", token.symbol)
    frame = frame.loc[: pd.Timestamp(END)].dropna(subset=["open", "high", "low", "close"])
    quotes = []
    for day, row in frame.iterrows():
        stamp = day.strftime("%Y-%m-%d")
        high_ms, low_ms = rng.integers(0, 86_400_000, 2)
        close_time = f"{stamp}T23:59:59.999Z"
        quotes.append(
            {
                "time_open": f"{stamp}T00:00:00.000Z",
                "time_close": close_time,
                "time_high": ms_time(day, int(high_ms)),
                "time_low": ms_time(day, int(low_ms)),
                "quote": {
                    "USD": {
                        "open": round(float(row["open"]), 8),
                        "high": round(float(max(row["high"], row["open"], row["close"])), 8),
                        "low": round(float(min(row["low"], row["open"], row["close"])), 8),
                        "close": round(float(row["close"]), 8),
                        "volume": round(float(row["volume"]), 2),
                        "market_cap": round(float(row["market_cap"]), 2),
                        "timestamp": close_time,
                    }
                },
            }
        )
    data = {"id": token.cmc_id, "name": token.name, "symbol": token.cmc_symbol, "quotes": quotes}
    return coinmarketcap.success(
        data,
        timestamp=f"{END.isoformat()}T23:59:59.999Z",
        elapsed=10,
        credit_count=1 + len(quotes) // 100,
    )


def ms_time(day: pd.Timestamp, millis: int) -> str:
    moment = day.to_pydatetime() + dt.timedelta(milliseconds=millis)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{millis % 1000:03d}Z"
