"""DeFiLlama coins API recordings (the free price path): hourly ``/chart`` points and daily
market caps of every tracked token, 2024-06-01 to the end of the recordings.

Real: each day's level for USDC, USDT, DAI and FRAX is DeFiLlama's own daily coins value
(``coins.llama.fi/chart/coingecko:<id>?period=1d``, studiofarzulla/asri ``peg_history.csv``,
MIT) where that file has the day; ETH's is Etherscan's real daily close. Generated: the 24
hourly points around each day (the daily value is their median; their spread is the day's
candle from the CoinMarketCap recordings, whose open, high, low and close the day's points
start at, reach and end at), the days the real file lacks (the CoinMarketCap recording's
close), the seconds past each hour (0-240 s, as real points drift), and the market caps
(the CoinMarketCap recording's, i.e. real CoinGecko caps where recorded, generated after).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from ingestion.defillama_coins.settings import COINGECKO_IDS
from replay.builder.common import END, days, rng_for, write_json
from replay.builder.tokens import TOKENS
from replay.envelopes import defillama_coins

START = dt.date(2024, 6, 1)
REAL_DAILY = {"USDC": "USDC", "USDT": "USDT", "DAI": "DAI", "FRAX": "FRAX"}


def real_daily_levels(data: Path) -> dict[str, pd.Series]:
    """DeFiLlama's daily coins value per stablecoin (asri peg_history.csv), by day."""
    frame = pd.read_csv(
        data / "defillama_coins" / "asri_peg_history" / "peg_history.csv", parse_dates=["date"]
    )
    return {
        symbol: frame[frame["symbol"] == name].set_index("date")["price"].sort_index()
        for symbol, name in REAL_DAILY.items()
    }


def hourly_points(
    candle: pd.Series, level: float, rng: np.random.Generator, day: pd.Timestamp
) -> list[dict[str, float | int]]:
    """24 points: open at 00:00, close at 23:00, the high and the low at random hours in
    between, the other hours around the day's level (so it stays their median)."""
    open_, close = float(candle["open"]), float(candle["close"])
    # The real daily value may lie outside a generated candle: the day then reaches it.
    high, low = max(float(candle["high"]), level), min(float(candle["low"]), level)
    prices = level * (1 + rng.normal(0, 1e-4 if level < 10 else 2e-3, 24))
    prices = np.clip(prices, low, high)
    high_hour, low_hour = rng.choice(np.arange(1, 23), 2, replace=False)
    prices[0], prices[23], prices[high_hour], prices[low_hour] = open_, close, high, low
    base = int(day.timestamp())
    seconds = rng.integers(0, 240, 24)
    return [
        {"timestamp": base + 3600 * h + int(seconds[h]), "price": round(float(prices[h]), 8)}
        for h in range(24)
    ]


def write_coins(data: Path, out: Path, histories: dict[str, pd.DataFrame]) -> None:
    """``chart/<coingecko id>.json.gz`` (a /chart answer for the whole span) and
    ``mcaps/<coingecko id>.json.gz`` (daily {timestamp, mcap}, what /mcaps is answered from)."""
    real = real_daily_levels(data)
    for token in TOKENS:
        frame = histories[token.symbol].loc[pd.Timestamp(START) : pd.Timestamp(END)]
        rng = rng_for("coins", token.symbol)
        gecko = COINGECKO_IDS[token.symbol]
        points, caps = [], []
        for day in days(max(START, frame.index[0].date()), END):
            candle = frame.loc[day]
            level = real.get(token.symbol, pd.Series(dtype=float)).get(day, candle["close"])
            level = float(level)
            points.extend(hourly_points(candle, level, rng, day))
            end_of_day = int(day.timestamp()) + 86_399
            caps.append({"timestamp": end_of_day, "mcap": round(float(candle["market_cap"]), 2)})
        coin = defillama_coins.chart_coin(token.cmc_symbol, points, decimals=token.decimals)
        write_json(
            out / "chart" / f"{gecko}.json.gz", defillama_coins.chart({f"coingecko:{gecko}": coin})
        )
        write_json(out / "mcaps" / f"{gecko}.json.gz", caps)
