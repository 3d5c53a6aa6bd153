"""Rebuild ``recordings/`` (the API responses the demo and tests replay) from ``shared/data``.

Why a script: the recordings mix real recorded data with deterministically generated gaps
(see ``recordings/README.md`` for exactly which is which), and anyone must be able to check or
regenerate them. Every random draw comes from a generator seeded by a fixed string, gzip
headers carry no timestamp, and JSON keys keep their insertion order, so two runs write
byte-identical files.

Run: ``.venv/bin/python scripts/build_recordings.py [--data ../shared/data] [--out recordings]``.
It also rewrites the seeds ``tracked_tokens.csv`` and ``pool_reserve_contracts.csv``.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import gzip
import hashlib
import io
import json
import logging
import re
import shutil
import uuid
import zlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

log = logging.getLogger("build_recordings")

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data"
END = dt.date(2025, 6, 30)  # every recording stops at the end of this UTC day
GAS_HOURLY_START = dt.date(2024, 6, 1)
WALLET_START = dt.date(2024, 6, 1)
WALLET = "0x7e5f4552091a69125d5dfcb7b8c2659029395bdf"
POOL_ID_NAMESPACE = uuid.UUID("6ba7b811-9dad-11d1-80b4-00c04fd430c8")  # uuid.NAMESPACE_URL
# Ethereum block 20,000,000 was produced on 2024-05-13 at about 14:24 UTC; 12 s slots after it.
ANCHOR_BLOCK, ANCHOR_TS, SLOT_SECONDS = 20_000_000, 1_715_610_240, 12


@dataclass(frozen=True)
class Token:
    """A tracked token: the seed row plus how its CoinMarketCap history is built."""

    symbol: str  # as the seed spells it (normalized, upper case)
    cmc_symbol: str  # as CoinMarketCap spells it
    name: str
    cmc_id: int
    is_stablecoin: bool
    contract: str | None
    decimals: int


TOKENS = (
    Token("USDC", "USDC", "USDC", 3408, True, "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48", 6),
    Token(
        "USDT", "USDT", "Tether USDt", 825, True, "0xdac17f958d2ee523a2206206994597c13d831ec7", 6
    ),
    Token("DAI", "DAI", "Dai", 4943, True, "0x6b175474e89094c44da98b954eedeac495271d0f", 18),
    Token("ETH", "ETH", "Ethereum", 1027, False, None, 18),
    Token("WETH", "WETH", "WETH", 2396, False, "0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2", 18),
    Token("BTC", "BTC", "Bitcoin", 1, False, None, 8),
    Token(
        "WBTC",
        "WBTC",
        "Wrapped Bitcoin",
        3717,
        False,
        "0x2260fac5e5542a773aa44fbcfedf7c193bc2c599",
        8,
    ),
    Token("USDS", "USDS", "USDS", 33039, True, "0xdc035d45d973e3ec169d2276ddab16f1e407384f", 18),
    Token(
        "USDE", "USDe", "Ethena USDe", 29470, True, "0x4c9edd5852cd905f086c759e8383e09bff1e68b3", 18
    ),
    Token(
        "SUSDE",
        "sUSDe",
        "Ethena Staked USDe",
        29471,
        False,
        "0x9d39a5de30e57443bff2a8307a4256c8797a3497",
        18,
    ),
    Token(
        "SDAI",
        "sDAI",
        "Savings Dai",
        25113,
        False,
        "0x83f20f44975d03b1b09e64809b757c47f942beea",
        18,
    ),
    Token(
        "PYUSD", "PYUSD", "PayPal USD", 27772, True, "0x6c3ea9036406852006290770bedfcaba0e23a0e8", 6
    ),
    Token("GHO", "GHO", "GHO", 23508, True, "0x40d16fc0246ad3160ccc09b8d0d3a2cd28ae6c2f", 18),
    Token("FRAX", "FRAX", "Frax", 6952, True, "0x853d955acef822db058eb8505911ed77f175b99e", 18),
    Token(
        "CRVUSD", "crvUSD", "crvUSD", 25122, True, "0xf939e0a03fb07f59a73314e73794be0e57ac1b4e", 18
    ),
)
TOKEN_BY_SYMBOL = {t.symbol: t for t in TOKENS}
# Other well-known Ethereum token contracts, used only to fill underlyingTokens of pools.
EXTRA_ADDRESSES = {
    "LINK": "0x514910771af9ca656af840dff83e8264ecf986ca",
    "UNI": "0x1f9840a85d5af5bf1d1762f925bdaddc4201f984",
    "STETH": "0xae7ab96520de3a18e5e111b5eaab095312d7fe84",
    "WSTETH": "0x7f39c581f595b53c5cb19bd0b3f8da6c935e2ca0",
    "SUSDS": "0xa3931d71877c0e7a3148cb7eb4463524fec27fbd",
}
STABLE_SYMBOLS = {
    *(t.symbol for t in TOKENS if t.is_stablecoin),
    *("SUSDE", "SDAI", "SUSDS", "SCRVUSD", "USDC.E", "USDT.E", "DAI.E", "USDBC", "LUSD", "TUSD"),
    *("USDP", "GUSD", "USD0", "USD0++", "USDTB", "USDM", "AUSD", "USDF", "FDUSD", "RLUSD", "USDX"),
    *("EUSDE", "WXDAI", "XDAI", "MIM", "DOLA", "SUSD", "ALUSD", "BOLD", "USR", "DEUSD", "USDA"),
}

# Generated tokens: (first day, CoinMarketCap market cap anchor on END in USD).
GENERATED_STABLE_SPANS = {
    "USDS": (dt.date(2024, 9, 18), 7.6e9),
    "USDE": (dt.date(2024, 2, 19), 5.3e9),
    "PYUSD": (dt.date(2023, 8, 10), 0.9e9),
    "GHO": (dt.date(2023, 7, 17), 0.23e9),
    "FRAX": (dt.date(2023, 1, 1), 0.31e9),
    "CRVUSD": (dt.date(2023, 5, 17), 0.14e9),
}
# Yield-bearing wrappers: (first day, price on the first day, flat APY % where no chart APY, cap).
ACCRUING_SPANS = {
    "SUSDE": (dt.date(2024, 2, 19), 1.02, 15.0, 3.6e9),
    "SDAI": (dt.date(2023, 8, 10), 1.03, 6.0, 0.42e9),
}
# Approximate circulating-supply anchors for stablecoin market caps after the last real one.
STABLE_MCAP_ANCHORS = {
    "USDC": {
        "2022-06-01": 55.9e9,
        "2023-03-10": 43.0e9,
        "2023-12-31": 24.4e9,
        "2025-06-30": 61.7e9,
    },
    "USDT": {"2022-05-01": 83.0e9, "2023-12-31": 91.7e9, "2025-06-30": 158.0e9},
    "DAI": {"2022-01-01": 9.2e9, "2023-12-31": 5.3e9, "2025-06-30": 5.4e9},
}
BTC_CLOSE_ANCHOR_END = 107_100.0  # approximate BTC close on 2025-06-30 (bridge end point)
WRAPPED_SUPPLY = {"WETH": 2.6e6, "WBTC": 1.29e5}  # for the wrappers' market cap
WRAPPED_START = dt.date(2019, 1, 30)


def rng_for(*key: object) -> np.random.Generator:
    """A generator seeded by a stable hash of ``key``, so each series has its own fixed draws."""
    return np.random.default_rng(zlib.crc32("/".join(map(str, key)).encode()))


def hex_id(*key: object, length: int = 64) -> str:
    """A deterministic ``0x`` hex string (hashes, block hashes, counterparties)."""
    return "0x" + hashlib.sha3_256("/".join(map(str, key)).encode()).hexdigest()[:length]


def write_json(path: Path, payload: Any) -> None:
    """Compact JSON; ``.gz`` files gzipped without a timestamp or file name (reproducible)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    if path.suffix == ".gz":
        buffer = io.BytesIO()
        with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0, compresslevel=9) as gz:
            gz.write(text)
        text = buffer.getvalue()
    path.write_bytes(text)


def none_if_nan(value: Any) -> Any:
    """JSON-friendly: NaN (pandas' missing) becomes None, numpy scalars become Python ones."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    return value.item() if isinstance(value, np.generic) else value


def days(start: dt.date, end: dt.date) -> pd.DatetimeIndex:
    return pd.date_range(start, end, freq="D")


# --- Prices (CoinMarketCap OHLCV) -----------------------------------------------------------

OHLCV = ["open", "high", "low", "close", "volume", "market_cap"]


def read_yahoo(path: Path) -> pd.DataFrame:
    frame = pd.read_csv(path, parse_dates=["Date"]).dropna()
    frame = frame.rename(columns=str.lower).set_index("date")
    return frame[["open", "high", "low", "close", "volume"]]


def read_kaggle(path: Path) -> pd.DataFrame:
    frame = pd.read_csv(path)
    frame["Date"] = pd.to_datetime(frame["Date"].str[:10])
    frame = frame.rename(columns=str.lower).rename(columns={"marketcap": "market_cap"})
    return frame.set_index("date")[OHLCV]


def read_coingecko(path: Path) -> pd.DataFrame:
    frame = pd.read_csv(path)
    frame["date"] = pd.to_datetime(frame["snapped_at"].str[:10])
    frame = frame.rename(columns={"price": "close", "total_volume": "volume"})
    return frame.set_index("date")[["close", "market_cap", "volume"]].replace(0.0, np.nan)


def read_etherscan_chart(path: Path, value_column: str) -> pd.Series:
    frame = pd.read_csv(path)
    index = pd.to_datetime(frame["Date(UTC)"], format="%m/%d/%Y")
    return pd.Series(frame[value_column].to_numpy(dtype=float), index=index).sort_index()


def layered(*frames: pd.DataFrame) -> pd.DataFrame:
    """Combine sources: for each cell the first frame that has a value wins."""
    result = frames[0].reindex(columns=OHLCV)
    for frame in frames[1:]:
        result = result.combine_first(frame.reindex(columns=OHLCV))
    return result.sort_index()


def fill_ohl_from_close(frame: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Days with only a real close get open = previous close and high/low spread like the
    median daily range of the last year of real OHLC days (generated, see README)."""
    frame = frame.copy()
    has_ohl = frame[["open", "high", "low"]].notna().all(axis=1)
    real = frame[has_ohl].tail(365)
    half_range = float(np.log(real["high"] / real["low"]).median()) / 2
    prev_close = frame["close"].shift(1)
    for day in frame.index[~has_ohl & frame["close"].notna()]:
        close = frame.at[day, "close"]
        open_ = prev_close.get(day)
        open_ = close if pd.isna(open_) else open_
        up, down = np.abs(rng.normal(0, half_range, 2))
        frame.loc[day, ["open", "high", "low"]] = [
            open_,
            max(open_, close) * np.exp(up),
            min(open_, close) * np.exp(-down),
        ]
    return frame


def fill_volume(frame: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Missing volumes: median of the last 90 real volumes times a lognormal factor."""
    frame = frame.copy()
    missing = frame["volume"].isna()
    level = float(frame.loc[~missing, "volume"].tail(90).median())
    frame.loc[missing, "volume"] = level * rng.lognormal(0, 0.3, int(missing.sum()))
    return frame


def mcap_path(
    index: pd.DatetimeIndex, real: pd.Series, anchors: pd.Series, rng: np.random.Generator
) -> pd.Series:
    """Market caps: real where known, log-linear between real points and approximate
    anchors elsewhere, with a little noise off the real days."""
    known = real.dropna().combine_first(anchors)
    log_cap = np.log(known.reindex(index.union(known.index))).interpolate(method="time")
    path = np.exp(log_cap.reindex(index).ffill().bfill())
    noise = np.exp(rng.normal(0, 0.002, len(index)))
    return path.where(index.isin(real.dropna().index), path * noise)


def peg_series(
    index: pd.DatetimeIndex,
    rng: np.random.Generator,
    start_close: float,
    sigma: float,
    wick: float,
    peg: float = 1.0,
) -> pd.DataFrame:
    """A peg-hugging daily OHLC: close deviation is AR(1) around the peg (generated)."""
    deviation = np.empty(len(index))
    previous = start_close - peg
    for i, shock in enumerate(rng.normal(0, sigma, len(index))):
        previous = 0.8 * previous + shock
        deviation[i] = previous
    close = peg + deviation
    open_ = np.concatenate([[start_close], close[:-1]])
    high = np.maximum(open_, close) + np.abs(rng.normal(0, wick, len(index)))
    low = np.minimum(open_, close) - np.abs(rng.normal(0, wick, len(index)))
    return pd.DataFrame({"open": open_, "high": high, "low": low, "close": close}, index=index)


def peg_parameters(real: pd.DataFrame) -> tuple[float, float]:
    """AR(1) shock size and wick size fitted to the last 180 real days of a stablecoin."""
    tail = real.tail(180)
    sigma = float((tail["close"] - 1).std()) * np.sqrt(1 - 0.8**2)
    wick = float((tail["high"] - tail[["open", "close"]].max(axis=1)).median())
    return sigma, wick


def real_stablecoin(data: Path, token: Token) -> pd.DataFrame:
    """USDC/USDT/DAI: real Yahoo (CMC-sourced) OHLCV, then a generated peg series to END."""
    prices = data / "prices"
    recent = read_yahoo(prices / "yahoo_ohlcv_finanzascuantitativasfc" / f"{token.symbol}-USD.csv")
    older = read_yahoo(prices / "yahoo_ohlcv_xlrsp" / f"{token.symbol}-USD.csv")
    real = layered(recent, older)
    rng = rng_for("ohlcv", token.symbol)
    sigma, wick = peg_parameters(real)
    future = days(real.index[-1] + pd.Timedelta(days=1), END)
    generated = peg_series(future, rng, float(real["close"].iloc[-1]), sigma, wick)
    frame = fill_volume(layered(real, generated), rng)
    caps = read_coingecko(prices / "coingecko_csv" / f"{token.symbol.lower()}-usd-max.csv")
    known = caps["market_cap"]
    kaggle_name = {"USDC": "coin_USDCoin.csv", "USDT": "coin_Tether.csv"}.get(token.symbol)
    if kaggle_name:
        known = known.combine_first(
            read_kaggle(prices / "kaggle_cmc_coin_csv" / kaggle_name)["market_cap"]
        )
    anchors = pd.Series(STABLE_MCAP_ANCHORS[token.symbol])
    anchors.index = pd.to_datetime(anchors.index)
    frame["market_cap"] = mcap_path(frame.index, known.replace(0.0, np.nan), anchors, rng)
    return frame


def eth_history(data: Path) -> pd.DataFrame:
    """ETH: CMC (Kaggle) and Yahoo OHLCV, then Etherscan's real daily close with generated OHL."""
    prices = data / "prices"
    rng = rng_for("ohlcv", "ETH")
    close = read_etherscan_chart(
        prices / "etherscan_charts_cagatayozbek" / "export-EtherPrice.csv", "Value"
    )
    close = close[close > 0].loc[: pd.Timestamp(END)]
    gecko = read_coingecko(prices / "coingecko_csv" / "eth-usd-max.csv")
    frame = layered(
        read_yahoo(prices / "yahoo_ohlcv_finanzascuantitativasfc" / "ETH-USD.csv"),
        read_kaggle(prices / "kaggle_cmc_coin_csv" / "coin_Ethereum.csv"),
        pd.DataFrame({"close": close}),
        gecko[["volume"]],
    )
    frame = frame.loc[
        frame.index >= read_kaggle(prices / "kaggle_cmc_coin_csv" / "coin_Ethereum.csv").index[0]
    ]
    frame = fill_volume(fill_ohl_from_close(frame, rng), rng)
    return with_supply_caps(frame, gecko["market_cap"].combine_first(frame["market_cap"]))


def btc_history(data: Path) -> pd.DataFrame:
    """BTC: CMC (Kaggle), Yahoo, CoinGecko closes to 2025-01-14, then a Brownian bridge to an
    approximate real close on END (generated)."""
    prices = data / "prices"
    rng = rng_for("ohlcv", "BTC")
    gecko = read_coingecko(prices / "coingecko_csv" / "btc-usd-max.csv")
    frame = layered(
        read_yahoo(prices / "yahoo_ohlcv_finanzascuantitativasfc" / "BTC-USD.csv"),
        read_kaggle(prices / "kaggle_cmc_coin_csv" / "coin_Bitcoin.csv"),
        gecko[["close", "volume"]],
    )
    last_day = frame.index[-1]
    future = days(last_day + pd.Timedelta(days=1), END)
    returns = np.log(frame["close"]).diff().dropna().tail(365)
    steps = rng.normal(0, float(returns.std()), len(future))
    walk = np.cumsum(steps)
    target = np.log(BTC_CLOSE_ANCHOR_END / frame["close"].iloc[-1])
    bridge = walk + (target - walk[-1]) * np.arange(1, len(future) + 1) / len(future)
    generated = pd.DataFrame({"close": frame["close"].iloc[-1] * np.exp(bridge)}, index=future)
    frame = fill_volume(fill_ohl_from_close(layered(frame, generated), rng), rng)
    return with_supply_caps(frame, gecko["market_cap"].combine_first(frame["market_cap"]))


def with_supply_caps(frame: pd.DataFrame, known_caps: pd.Series) -> pd.DataFrame:
    """Market cap: real where known; elsewhere close times the last known cap/close ratio."""
    frame = frame.copy()
    known = known_caps.reindex(frame.index)
    supply = (known / frame["close"]).ffill().bfill()
    frame["market_cap"] = known.fillna(frame["close"] * supply)
    return frame


def wrapped(underlying: pd.DataFrame, symbol: str) -> pd.DataFrame:
    """WETH/WBTC trade at their underlying's price; cap = price times a fixed supply."""
    frame = underlying.loc[underlying.index >= pd.Timestamp(WRAPPED_START)].copy()
    frame["market_cap"] = frame["close"] * WRAPPED_SUPPLY[symbol]
    frame["volume"] = frame["volume"] * 0.02
    return frame


def generated_stable(symbol: str, dai: pd.DataFrame) -> pd.DataFrame:
    """A stablecoin with no real history here: DAI's recent peg behaviour, own fixed seed."""
    start, cap = GENERATED_STABLE_SPANS[symbol]
    rng = rng_for("ohlcv", symbol)
    sigma, wick = peg_parameters(dai.loc[: pd.Timestamp("2023-08-29")])
    frame = peg_series(days(start, END), rng, 1.0, sigma, wick)
    frame["market_cap"] = cap * np.exp(
        np.linspace(-0.4, 0, len(frame)) + rng.normal(0, 0.01, len(frame))
    )
    frame["volume"] = cap * 0.03 * rng.lognormal(0, 0.4, len(frame))
    return frame


def accruing(symbol: str, chart_apy: pd.Series | None) -> pd.DataFrame:
    """sUSDe/sDAI: price grows with the daily APY (real pool APY where recorded, else flat)."""
    start, first_price, flat_apy, cap = ACCRUING_SPANS[symbol]
    rng = rng_for("ohlcv", symbol)
    index = days(start, END)
    apy = pd.Series(flat_apy, index=index)
    if chart_apy is not None:
        apy = chart_apy.reindex(index).fillna(apy)
    close = (
        first_price
        * np.cumprod(1 + apy.to_numpy() / 100 / 365)
        * (1 + rng.normal(0, 4e-4, len(index)))
    )
    open_ = np.concatenate([[first_price], close[:-1]])
    wick = np.abs(rng.normal(0, 1e-3, (2, len(index))))
    frame = pd.DataFrame(
        {
            "open": open_,
            "high": np.maximum(open_, close) * (1 + wick[0]),
            "low": np.minimum(open_, close) * (1 - wick[1]),
            "close": close,
        },
        index=index,
    )
    frame["market_cap"] = cap * np.exp(
        np.linspace(-0.6, 0, len(frame)) + rng.normal(0, 0.01, len(frame))
    )
    frame["volume"] = cap * 0.01 * rng.lognormal(0, 0.4, len(frame))
    return frame


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
    return {
        "status": {
            "timestamp": f"{END.isoformat()}T23:59:59.999Z",
            "error_code": 0,
            "error_message": "",
            "elapsed": 10,
            "credit_count": 1 + len(quotes) // 100,
            "notice": None,
        },
        "data": {
            "id": token.cmc_id,
            "name": token.name,
            "symbol": token.cmc_symbol,
            "quotes": quotes,
        },
    }


def ms_time(day: pd.Timestamp, millis: int) -> str:
    moment = day.to_pydatetime() + dt.timedelta(milliseconds=millis)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{millis % 1000:03d}Z"


def price_histories(data: Path, susde_apy: pd.Series | None) -> dict[str, pd.DataFrame]:
    """Daily OHLCV + market cap for every tracked token, keyed by seed symbol."""
    eth, btc = eth_history(data), btc_history(data)
    histories = {t: real_stablecoin(data, TOKEN_BY_SYMBOL[t]) for t in ("USDC", "USDT", "DAI")}
    histories |= {
        "ETH": eth,
        "BTC": btc,
        "WETH": wrapped(eth, "WETH"),
        "WBTC": wrapped(btc, "WBTC"),
    }
    histories |= {s: generated_stable(s, histories["DAI"]) for s in GENERATED_STABLE_SPANS}
    histories |= {"SUSDE": accruing("SUSDE", susde_apy), "SDAI": accruing("SDAI", None)}
    return histories


# --- DeFiLlama charts -----------------------------------------------------------------------


def chart_point(
    timestamp: str,
    tvl: float,
    apy: Any,
    base: Any,
    reward: Any,
    il7d: Any = None,
    base7d: Any = None,
) -> dict[str, Any]:
    return {
        "timestamp": timestamp,
        "tvlUsd": int(np.rint(tvl)),
        "apy": none_if_nan(apy),
        "apyBase": none_if_nan(base),
        "apyReward": none_if_nan(reward),
        "il7d": none_if_nan(il7d),
        "apyBase7d": none_if_nan(base7d),
    }


def fetch_times(pool: str, dates: list[str]) -> list[str]:
    """DeFiLlama's daily snapshot time: ~23:00-23:02 UTC with varying seconds (generated)."""
    rng = rng_for("chart-times", pool)
    seconds = rng.integers(0, 150, len(dates))
    millis = rng.integers(0, 1000, len(dates))
    return [
        f"{d}T23:{s // 60:02d}:{s % 60:02d}.{m:03d}Z"
        for d, s, m in zip(dates, seconds, millis, strict=True)
    ]


def oblik_charts(data: Path) -> dict[str, dict[str, Any]]:
    """The 161 oblik/defi_analysis pools: name -> {pool, points, meta from the pool lists}."""
    base = data / "defillama_chart" / "oblik_defi_analysis"
    ids = pd.read_csv(base / "pool_name_to_id.csv")
    addresses: dict[str, str] = {}
    for listing in sorted((base / "pool_lists").glob("*.txt")):
        rows = pd.read_csv(listing)
        if "address" in rows:
            addresses |= dict(zip(rows["name"], rows["address"].str.lower(), strict=True))
    charts = {}
    for name, pool_id in zip(ids["name"], ids["pool_id"], strict=True):
        path = base / "data_defillama" / f"{name}.csv"
        if not path.exists():
            continue
        rows = pd.read_csv(path)
        times = fetch_times(pool_id, rows["date"].tolist())
        # The CSVs filled DeFiLlama's nulls with 0; a zero reward APY was a null reward.
        points = [
            chart_point(t, tvl, apy, base_apy, None if reward == 0 else reward)
            for t, tvl, apy, base_apy, reward in zip(
                times, rows["tvl"], rows["apy"], rows["apy_base"], rows["apy_reward"], strict=True
            )
        ]
        project, rest = name.split("_", 1)
        symbol, chain = rest.rsplit("_", 1)
        charts[pool_id] = {
            "project": project,
            "symbol": symbol,
            "chain": chain,
            "pool_meta": None,
            "underlying": [addresses[name]] if name in addresses else None,
            "points": points,
        }
    return charts


def uniswap_charts(data: Path) -> dict[str, dict[str, Any]]:
    """The 20 Uniswap V3 Ethereum pools of yzhou1031, keyed by their DeFiLlama id."""
    base = data / "defillama_chart" / "yzhou1031_uniswap_v3"
    top = pd.read_csv(base / "top_pools.csv")
    history = pd.read_csv(base / "pool_history.csv")
    history = history[history["date"] <= END.isoformat()]
    known = {t.symbol: t.contract for t in TOKENS} | EXTRA_ADDRESSES
    charts = {}
    for row in top.itertuples():
        rows = history[history["address"].str.lower() == row.address.lower()].sort_values("date")
        times = fetch_times(row.llama_id, rows["date"].tolist())
        points = [
            chart_point(t, tvl, apy, base_apy, None, il7d, base7d)
            for t, tvl, apy, base_apy, il7d, base7d in zip(
                times,
                rows["tvl_usd"],
                rows["apy"],
                rows["apy_base"],
                rows["il_7d"],
                rows["apy_base_7d"],
                strict=True,
            )
        ]
        tokens = [known.get(row.token0.upper()), known.get(row.token1.upper())]
        charts[row.llama_id] = {
            "project": "uniswap-v3",
            "symbol": f"{row.token0}-{row.token1}".upper(),
            "chain": "Ethereum",
            "pool_meta": f"{row.fee_tier / 10_000:g}%",
            "underlying": tokens if all(tokens) else None,
            "contract": row.address.lower(),
            "points": points,
        }
    return charts


def scrvusd_chart(data: Path) -> dict[str, dict[str, Any]]:
    """Curve's scrvUSD savings vault: the raw /chart data array, verbatim."""
    pool = "5fd328af-4203-471b-bd16-1705c726d926"
    points = json.loads(
        (data / "defillama_chart" / "newgnart_stables" / f"yield_pool_{pool}.json").read_text()
    )
    return {
        pool: {
            "project": "crvusd",
            "symbol": "SCRVUSD",
            "chain": "Ethereum",
            "pool_meta": None,
            "underlying": ["0xf939e0a03fb07f59a73314e73794be0e57ac1b4e"],
            "points": points,
        }
    }


# --- DeFiLlama /pools -----------------------------------------------------------------------


def slug(project: str) -> str:
    """The website's display name as DeFiLlama's project slug ("Aave V3" -> "aave-v3")."""
    return re.sub(r"[^a-z0-9]+", "-", project.lower()).strip("-")


def float_or_none(value: Any) -> float | None:
    return None if pd.isna(value) else float(value)


def mend_row(row: list[str], width: int) -> list[str]:
    """Re-join a field split by an unquoted comma: the symbol if TVL is not where it belongs."""
    extra = len(row) - width
    if extra <= 0:
        return row
    tvl = row[3].replace(".", "", 1)
    if not tvl.isdigit():
        return [",".join(row[: extra + 1]), *row[extra + 1 :]]
    return [*row[: width - 1], ",".join(row[width - 1 :])]


def read_website_export(path: Path) -> pd.DataFrame:
    """The website CSV; 13 rows have an unquoted comma in the symbol or in Pool Meta."""
    with path.open(newline="") as handle:
        header, *rows = csv.reader(handle)
    width = len(header)
    rows = [mend_row(row, width) for row in rows]
    frame = pd.DataFrame(rows, columns=header).replace("", np.nan)
    text_columns = ["Pool", "Project", "Chain", "Outlook", "Category", "Pool Meta"]
    numeric = [c for c in header if c not in text_columns]
    frame[numeric] = frame[numeric].apply(pd.to_numeric)
    return frame


def export_records(data: Path, reserved: set[str]) -> list[dict[str, Any]]:
    """The 2025-04 website export as /pools records: the id of the 2023 pool list when the
    (chain, project, symbol) is unique in both lists and not a charted pool's id, else minted."""
    pools_dir = data / "defillama_pools"
    export = read_website_export(pools_dir / "defillama_website_csv_export_OptiFi_2025-04.csv")
    listing = pd.read_csv(
        pools_dir / "check-sked_crypto_data_resources" / "all_pools_apy_sorted.csv"
    )
    listing_keys = Counter(
        zip(listing["chain"], listing["project"], listing["symbol"], strict=True)
    )
    real_ids = {
        (c, p, s): pool
        for c, p, s, pool in zip(
            listing["chain"], listing["project"], listing["symbol"], listing["pool"], strict=True
        )
        if listing_keys[(c, p, s)] == 1
    }
    export["project_slug"] = export["Project"].map(slug)
    export_keys = Counter(zip(export["Chain"], export["project_slug"], export["Pool"], strict=True))
    seen: Counter[str] = Counter()
    records = []
    for row in export.to_dict("records"):
        key = (row["Chain"], row["project_slug"], str(row["Pool"]))
        meta = None if pd.isna(row["Pool Meta"]) else str(row["Pool Meta"])
        name = "/".join([*key, meta or ""])
        seen[name] += 1
        pool_id = real_ids.get(key) if export_keys[key] == 1 else None
        pool_id = None if pool_id in reserved else pool_id
        pool_id = pool_id or str(
            uuid.uuid5(POOL_ID_NAMESPACE, f"defillama-export/{name}/{seen[name]}")
        )
        records.append(export_record(row, key, meta, pool_id))
    return records


def underlying_for(chain: str, symbol: str) -> list[str] | None:
    if chain != "Ethereum":
        return None
    known = {t.symbol: t.contract for t in TOKENS} | EXTRA_ADDRESSES
    tokens = [known.get(part) for part in symbol.upper().split("-")]
    return tokens if all(tokens) else None


def export_record(
    row: dict[str, Any], key: tuple[str, str, str], meta: str | None, pool_id: str
) -> dict[str, Any]:
    """One /pools record in the modern schema from an export row; fields the export lacks are
    derived (stablecoin, ilRisk, exposure) or generated (predictedProbability, mu, sigma, count)."""
    chain, project, symbol = key
    rng = rng_for("pool-meta", pool_id)
    apy = float_or_none(row["APY"])
    reward = float_or_none(row["APY Reward"])
    mean30 = float_or_none(row["APY Mean 30d"])
    parts = symbol.upper().split("-")
    stable = all(p in STABLE_SYMBOLS for p in parts)
    confidence = None if pd.isna(row["Confidence"]) else int(row["Confidence"])
    mu = mean30 if mean30 is not None else apy or 0.0
    return {
        "chain": chain,
        "project": project,
        "symbol": symbol,
        "tvlUsd": int(row["TVL"]),
        "apyBase": float_or_none(row["APY Base"]),
        "apyReward": reward,
        "apy": apy,
        "rewardTokens": None,
        "pool": pool_id,
        "apyPct1D": float_or_none(row["Change 1d"]),
        "apyPct7D": float_or_none(row["Change 7d"]),
        "apyPct30D": None,
        "stablecoin": stable,
        "ilRisk": "yes" if len(parts) > 1 and not stable else "no",
        "exposure": "multi" if len(parts) > 1 else "single",
        "predictions": {
            "predictedClass": None if pd.isna(row["Outlook"]) else str(row["Outlook"]),
            "predictedProbability": None
            if confidence is None
            else int(rng.integers(50, 70) + 10 * confidence),
            "binnedConfidence": confidence,
        },
        "poolMeta": meta,
        "mu": round(mu, 5),
        "sigma": round(abs(mu) * float(rng.uniform(0.02, 0.3)), 5),
        "count": int(rng.integers(30, 1500)),
        "outlier": bool(apy is not None and apy > 1000),
        "underlyingTokens": underlying_for(chain, symbol),
        "il7d": float_or_none(row["IL 7d"]),
        "apyBase7d": float_or_none(row["APY Base 7d"]),
        "apyMean30d": mean30,
        "volumeUsd1d": float_or_none(row["Volume 1d"]),
        "volumeUsd7d": float_or_none(row["Volume 7d"]),
        "apyBaseInception": float_or_none(row["APY Base Inception"]),
    }


EXPORT_COLUMNS = (
    *("APY", "APY Base", "APY Reward", "APY Mean 30d", "Change 1d", "Change 7d", "Outlook"),
    *("Confidence", "IL 7d", "APY Base 7d", "Volume 1d", "Volume 7d", "APY Base Inception"),
)


def pools_snapshot(data: Path, charts: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Export records, with every charted pool's record taking its real id and last point.

    A charted pool replaces the export row with the same (chain, project, symbol, poolMeta)
    when exactly one such row exists; otherwise it is added. The two real modern records are
    added verbatim (they carry real ids and values).
    """
    records = export_records(data, set(charts))
    exported = len(records)
    by_key: dict[tuple[Any, ...], list[int]] = {}
    for i, record in enumerate(records):
        key = (record["chain"], record["project"], record["symbol"].upper(), record["poolMeta"])
        by_key.setdefault(key, []).append(i)
    for pool_id, chart in sorted(charts.items()):
        key = (chart["chain"], chart["project"], chart["symbol"].upper(), chart["pool_meta"])
        matches = by_key.get(key, [])
        if len(matches) == 1:
            record = dict(records[matches[0]])
            by_key[key] = []
        else:
            row = {c: np.nan for c in EXPORT_COLUMNS} | {"TVL": 0}
            record = export_record(
                row,
                (chart["chain"], chart["project"], chart["symbol"]),
                chart["pool_meta"],
                pool_id,
            )
            records.append(record)
            matches = [len(records) - 1]
        last = chart["points"][-1]
        record |= {
            k: last[k] for k in ("tvlUsd", "apy", "apyBase", "apyReward", "il7d", "apyBase7d")
        }
        record |= {
            "pool": pool_id,
            "symbol": chart["symbol"],
            "underlyingTokens": chart["underlying"] or record["underlyingTokens"],
        }
        records[matches[0]] = record
    modern = json.loads(
        (data / "defillama_pools" / "modern_raw_pool_records_from_code.json").read_text()
    )["records"]
    position = {r["pool"]: i for i, r in enumerate(records)}
    for record in modern:
        if record["pool"] in position:
            records[position[record["pool"]]] = record
        else:
            records.append(record)
    log.info(
        "pools: %d exported, %d charted (%d added), %d modern records",
        exported, len(charts), len(records) - exported - len(modern), len(modern),
    )  # fmt: skip
    ids = Counter(r["pool"] for r in records)
    duplicated = [pool for pool, n in ids.items() if n > 1]
    if duplicated:
        raise ValueError(f"pool ids minted twice: {duplicated[:5]}")
    return sorted(records, key=lambda r: (-r["tvlUsd"], r["pool"]))


# --- Gas ------------------------------------------------------------------------------------

BLOCKS_PER_DAY = 86_400 // SLOT_SECONDS


def daily_gas_price(data: Path) -> pd.Series:
    """Etherscan's real daily average gas price (wei), 2015-07-30 to END."""
    path = data / "gas" / "etherscan_charts_cagatayozbek" / "export-AvgGasPrice.csv"
    return read_etherscan_chart(path, "Value (Wei)").loc[: pd.Timestamp(END)]


def etherscan_daily_avg_gas_price(gas_wei: pd.Series) -> dict[str, Any]:
    """stats/dailyavggasprice: every real day, ascending, all values as strings."""
    rows = [
        {
            "UTCDate": day.strftime("%Y-%m-%d"),
            "unixTimeStamp": str(int(day.timestamp())),
            "avgGasPrice_Wei": str(int(value)),
        }
        for day, value in gas_wei.items()
    ]
    return {"status": "1", "message": "OK", "result": rows}


def intraday_shape(hours: np.ndarray, weekend: bool) -> np.ndarray:
    """Gas is dearest in the US/EU overlap (~15:00 UTC), cheapest ~03:00 UTC; flatter weekends."""
    amplitude = 0.15 if weekend else 0.3
    return 1 + amplitude * np.sin(2 * np.pi * (hours - 9) / 24)


def gas_hourly(data: Path, gas_wei: pd.Series, eth_close: pd.Series) -> dict[str, Any]:
    """EthGasTracker /api/gas/average with every hour GAS_HOURLY_START..END, newest first.

    Generated around real daily figures: each day's 24 hourly medians average exactly the
    Etherscan daily average gas price; gas limit/used and tx count come from the real daily
    Etherscan charts divided per block; ethPrice moves linearly between real daily closes.
    """
    charts = data / "gas" / "etherscan_charts_cagatayozbek"
    gas_limit = read_etherscan_chart(charts / "export-GasLimit.csv", "Value")
    gas_used = read_etherscan_chart(charts / "export-GasUsed.csv", "Value")
    tx_count = read_etherscan_chart(charts / "export-TxGrowth.csv", "Value")
    rng = rng_for("ethgastracker")
    hours = np.arange(24)
    points = []
    for day in days(GAS_HOURLY_START, END):
        daily_gwei = gas_wei[day] / 1e9
        shape = intraday_shape(hours, day.day_of_week >= 5) * rng.lognormal(0, 0.12, 24)
        median = daily_gwei * shape / shape.mean()
        base_fee = median * rng.uniform(0.78, 0.95, 24)
        previous_close = eth_close[day - pd.Timedelta(days=1)]
        eth = previous_close + (eth_close[day] - previous_close) * (hours + 1) / 24
        used = gas_used[day] / BLOCKS_PER_DAY * (shape / shape.mean()) ** 0.3
        for h in hours:
            period = day + pd.Timedelta(hours=int(h))
            points.append(
                {
                    "period": period.strftime("%Y-%m-%dT%H:00:00+00:00"),
                    "baseFee": round(float(base_fee[h]), 4),
                    "gasLimit": round(float(gas_limit[day] * rng.uniform(0.999, 1.001)), 2),
                    "gasUsed": round(float(min(used[h], gas_limit[day])), 2),
                    "txCount": round(
                        float(tx_count[day] / BLOCKS_PER_DAY * rng.uniform(0.85, 1.15)), 2
                    ),
                    "min": round(float(base_fee[h] * rng.uniform(1.0, 1.03)), 4),
                    "max": round(float(median[h] * rng.uniform(2.0, 6.0)), 4),
                    "median": round(float(median[h]), 4),
                    "ethPrice": round(float(eth[h]), 2),
                }
            )
    points.reverse()
    last = pd.Timestamp(END) + pd.Timedelta(hours=23, minutes=59)
    return {
        "data": {"network": "mainnet", "data": points, "lastUpdate": int(last.timestamp() * 1000)}
    }


# --- Etherscan accounts: the demo treasury wallet -------------------------------------------

COUNTERPARTIES = {  # deterministic stand-ins for the wallet's counterparties
    name: hex_id("counterparty", name, length=40)
    for name in ("exchange", "otc-desk", "fund-lp", "payroll", "vendor", "aave-pool")
}
END_BLOCK = ANCHOR_BLOCK + (int(pd.Timestamp(END).timestamp()) + 86_399 - ANCHOR_TS) // SLOT_SECONDS
TRANSFER_SIG = "transfer(address _to, uint256 _value)"
APPROVE_SIG = "approve(address spender, uint256 amount)"


@dataclass
class Event:
    """One wallet event before it becomes txlist/tokentx records."""

    when: int  # unix seconds
    kind: str  # "eth_in", "eth_out", "eth_out_failed", "token_in", "token_out", "approve"
    token: str | None
    amounts: list[int]  # base units; several for a batch payout (one log each)
    counterparty: str


def block_of(ts: int) -> int:
    return ANCHOR_BLOCK + (ts - ANCHOR_TS) // SLOT_SECONDS


def wallet_events() -> list[Event]:
    """A treasury's year: opening deposits in June 2024, monthly inflows, a few payments,
    approvals and one failed send. Amounts are random with a fixed seed."""
    rng = rng_for("wallet")
    start = int(pd.Timestamp(WALLET_START).timestamp())
    span = int(pd.Timestamp(END).timestamp()) - start
    events = [
        Event(
            start + 2 * 86_400 + 3_600 * 10,
            "eth_in",
            None,
            [60 * 10**18],
            COUNTERPARTIES["exchange"],
        ),
        Event(
            start + 3 * 86_400 + 3_600 * 14,
            "token_in",
            "USDC",
            [900_000 * 10**6],
            COUNTERPARTIES["exchange"],
        ),
        Event(
            start + 3 * 86_400 + 3_600 * 15,
            "token_in",
            "USDT",
            [500_000 * 10**6],
            COUNTERPARTIES["otc-desk"],
        ),
        Event(
            start + 4 * 86_400 + 3_600 * 9,
            "token_in",
            "DAI",
            [300_000 * 10**18],
            COUNTERPARTIES["otc-desk"],
        ),
        Event(start + 5 * 86_400 + 3_600 * 16, "approve", "USDC", [0], COUNTERPARTIES["aave-pool"]),
    ]

    def moment() -> int:
        return start + 8 * 86_400 + int(rng.integers(0, span - 8 * 86_400))

    for symbol, count, low, high in (
        ("USDC", 9, 80_000, 260_000),
        ("USDT", 7, 60_000, 200_000),
        ("DAI", 5, 40_000, 140_000),
    ):
        scale = 10 ** TOKEN_BY_SYMBOL[symbol].decimals
        for _ in range(count):
            amount = int(rng.integers(low, high)) * scale + int(rng.integers(0, 100)) * scale // 100
            events.append(Event(moment(), "token_in", symbol, [amount], COUNTERPARTIES["fund-lp"]))
        for _ in range(2):
            amount = int(rng.integers(5_000, 40_000)) * scale
            events.append(Event(moment(), "token_out", symbol, [amount], COUNTERPARTIES["payroll"]))
    batch = [int(rng.integers(50_000, 120_000)) * 10**6, int(rng.integers(50_000, 120_000)) * 10**6]
    events.append(Event(moment(), "token_in", "USDC+USDT", batch, COUNTERPARTIES["fund-lp"]))
    events.append(Event(moment(), "token_in", "WETH", [10 * 10**18], COUNTERPARTIES["exchange"]))
    for _ in range(4):
        amount = int(rng.integers(15, 35)) * 10**18 + int(rng.integers(0, 10**4)) * 10**14
        events.append(Event(moment(), "eth_in", None, [amount], COUNTERPARTIES["exchange"]))
    for _ in range(2):
        events.append(
            Event(
                moment(),
                "eth_out",
                None,
                [int(rng.integers(1, 4)) * 10**18],
                COUNTERPARTIES["vendor"],
            )
        )
    events.append(Event(moment(), "eth_out_failed", None, [2 * 10**18], COUNTERPARTIES["vendor"]))
    events.append(Event(moment(), "approve", "USDT", [0], COUNTERPARTIES["aave-pool"]))
    return sorted(events, key=lambda e: e.when)


def abi_word(value: int | str) -> str:
    return (value[2:] if isinstance(value, str) else f"{value:x}").rjust(64, "0")


def wallet_records(gas_wei: pd.Series) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """txlist and tokentx records (real Etherscan field order, all values strings)."""
    rng = rng_for("wallet-gas")
    txs: list[dict[str, str]] = []
    transfers: list[dict[str, str]] = []
    nonce = 0
    for event in wallet_events():
        block = block_of(event.when)
        tx_hash = hex_id("tx", event.when, event.kind, event.token, *event.amounts)
        day = pd.Timestamp(dt.datetime.fromtimestamp(event.when, dt.UTC).date())
        gas_price = int(gas_wei[day] * rng.uniform(0.9, 1.3))
        from_wallet = event.kind in ("eth_out", "eth_out_failed", "token_out", "approve")
        token = TOKEN_BY_SYMBOL.get(event.token or "")
        if event.kind.startswith("eth"):
            gas_used, to, value, input_, method, function = (
                21_000,
                None,
                event.amounts[0],
                "0x",
                "0x",
                "",
            )
        elif event.kind == "approve":
            gas_used, value, method, function = (
                46_000 + int(rng.integers(0, 300)),
                0,
                "0x095ea7b3",
                APPROVE_SIG,
            )
            to, input_ = token.contract, "0x095ea7b3" + abi_word(event.counterparty) + "f" * 64  # type: ignore[union-attr]
        else:
            gas_used, value, method, function = (
                45_000 + int(rng.integers(0, 20_000)),
                0,
                "0xa9059cbb",
                TRANSFER_SIG,
            )
            to = token.contract if token else None  # type: ignore[union-attr]
            input_ = (
                "0xa9059cbb"
                + abi_word(event.counterparty if from_wallet else WALLET)
                + abi_word(event.amounts[0])
            )
        tx_nonce = nonce if from_wallet else int(rng.integers(10_000, 5_000_000))
        common = {
            "blockNumber": str(block),
            "timeStamp": str(event.when),
            "hash": tx_hash,
            "nonce": str(tx_nonce),
            "blockHash": hex_id("block", block),
            "transactionIndex": str(int(rng.integers(0, 250))),
        }
        cumulative = str(gas_used + int(rng.integers(100_000, 25_000_000)))
        if from_wallet or event.kind == "eth_in":
            failed = event.kind == "eth_out_failed"
            txs.append(
                common
                | {
                    "from": WALLET if from_wallet else event.counterparty,
                    "to": (to or event.counterparty) if from_wallet else WALLET,
                    "value": str(value),
                    "gas": str(int(gas_used * 1.3)),
                    "gasPrice": str(gas_price),
                    "isError": "1" if failed else "0",
                    "txreceipt_status": "0" if failed else "1",
                    "input": input_,
                    "contractAddress": "",
                    "cumulativeGasUsed": cumulative,
                    "gasUsed": str(gas_used),
                    "confirmations": str(END_BLOCK - block),
                    "methodId": method,
                    "functionName": function,
                }
            )
            nonce += from_wallet
        if event.kind in ("token_in", "token_out"):
            symbols = event.token.split("+")  # type: ignore[union-attr]
            for log_index, (symbol, amount) in enumerate(zip(symbols, event.amounts, strict=True)):
                meta = TOKEN_BY_SYMBOL[symbol]
                transfers.append(
                    common
                    | {
                        "from": WALLET if from_wallet else event.counterparty,
                        "contractAddress": meta.contract,  # type: ignore[dict-item]
                        "to": event.counterparty if from_wallet else WALLET,
                        "value": str(amount),
                        "tokenName": TOKEN_NAMES[symbol],
                        "tokenSymbol": symbol,
                        "tokenDecimal": str(meta.decimals),
                        "transactionIndex": common["transactionIndex"],
                        "logIndex": str(int(rng.integers(0, 200)) * 4 + log_index),
                        "gas": str(int(gas_used * 1.3)),
                        "gasPrice": str(gas_price),
                        "gasUsed": str(gas_used),
                        "cumulativeGasUsed": cumulative,
                        "input": "deprecated",
                        "confirmations": str(END_BLOCK - block),
                    }
                )
    return txs, transfers


TOKEN_NAMES = {
    "USDC": "USDC",
    "USDT": "Tether USD",
    "DAI": "Dai Stablecoin",
    "WETH": "Wrapped Ether",
}


def eth_balance(address: str, txs: list[dict[str, str]]) -> int:
    """Wei held after ``txs``: value moved by successful txs, gas paid by every sent tx."""
    balance = 0
    for tx in txs:
        ok = tx["isError"] == "0"
        if tx["to"] == address and ok:
            balance += int(tx["value"])
        if tx["from"] == address:
            balance -= int(tx["gasUsed"]) * int(tx["gasPrice"]) + (int(tx["value"]) if ok else 0)
    return balance


def token_balances(address: str, transfers: list[dict[str, str]]) -> dict[str, int]:
    """Raw units held per token contract after ``transfers`` (in minus out)."""
    balances: Counter[str] = Counter()
    for transfer in transfers:
        sign = (transfer["to"] == address) - (transfer["from"] == address)
        balances[transfer["contractAddress"]] += sign * int(transfer["value"])
    return dict(balances)


def check_never_negative(txs: list[dict[str, str]], transfers: list[dict[str, str]]) -> None:
    """A treasury cannot spend what it does not hold: every running balance stays >= 0."""
    for cut in sorted({int(r["blockNumber"]) for r in txs + transfers}):
        before = [t for t in txs if int(t["blockNumber"]) <= cut]
        if eth_balance(WALLET, before) < 0:
            raise ValueError(f"ETH balance negative at block {cut}")
        held = token_balances(WALLET, [t for t in transfers if int(t["blockNumber"]) <= cut])
        if any(v < 0 for v in held.values()):
            raise ValueError(f"token balance negative at block {cut}")


# --- Pool reserves (pair-ratio filter) ------------------------------------------------------

# pool id, reserve contract, {token: share of TVL}. Shares are generated; 3pool's id is the
# real one of the 2023 pool list, the Uniswap V3 ids and contracts are real (top_pools.csv).
RESERVE_POOLS = (
    (
        "25171c4c-1877-449a-9f88-45a9f153ee31",
        "0xbebc44782c7db0a1a60cb6fe97d0b483032ff1c7",
        {"DAI": 0.24, "USDC": 0.31, "USDT": 0.45},
    ),
    (
        "665dc8bc-c79d-4800-97f7-304bf368e547",
        "0x88e6a0c2ddd26feeb64f039a2c41296fcb3f5640",
        {"USDC": 0.42, "WETH": 0.58},
    ),
    (
        "e737d721-f45c-40f0-9793-9f56261862b9",
        "0x3416cf6c708da44db2624d63ea0aaef7113527c6",
        {"USDC": 0.86, "USDT": 0.14},
    ),
    (
        "d59a5728-d391-4989-86f6-a94e11e0eb3b",
        "0x4585fe77225b41b697c938b018e2ac67ac5a20c0",
        {"WBTC": 0.55, "WETH": 0.45},
    ),
    (
        "fc9f488e-8183-416f-a61e-4e5c571d4395",
        "0x4e68ccd3e89f51c3074ca5072bbac773960dfa36",
        {"WETH": 0.5, "USDT": 0.5},
    ),
)


def reserve_balances(
    pools: list[dict[str, Any]], closes: dict[str, float]
) -> dict[str, dict[str, int]]:
    """contract -> {token contract: raw balance}: each token's share of the pool's last TVL."""
    tvl = {p["pool"]: p["tvlUsd"] for p in pools}
    reserves = {}
    for pool_id, contract, shares in RESERVE_POOLS:
        if pool_id not in tvl:
            raise ValueError(f"reserve pool {pool_id} is not in the /pools snapshot")
        reserves[contract] = {
            TOKEN_BY_SYMBOL[s].contract: int(
                tvl[pool_id] * share / closes[s] * 10 ** TOKEN_BY_SYMBOL[s].decimals
            )  # type: ignore[misc]
            for s, share in shares.items()
        }
    return reserves


# --- Writing --------------------------------------------------------------------------------


def etherscan_envelope(result: Any) -> dict[str, Any]:
    return {"status": "1", "message": "OK", "result": result}


def write_seeds(seeds_dir: Path) -> None:
    with (seeds_dir / "tracked_tokens.csv").open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(
            ["token_symbol", "cmc_id", "is_stablecoin", "peg_usd", "contract_address", "decimals"]
        )
        for t in TOKENS:
            writer.writerow(
                [
                    t.symbol,
                    t.cmc_id,
                    str(t.is_stablecoin).lower(),
                    "1" if t.is_stablecoin else "",
                    t.contract or "",
                    t.decimals,
                ]
            )
    with (seeds_dir / "pool_reserve_contracts.csv").open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["pool_id", "contract_address"])
        writer.writerows((pool_id, contract) for pool_id, contract, _ in RESERVE_POOLS)


def build(data: Path, out: Path, seeds_dir: Path) -> dict[str, Any]:
    """Write every recording under ``out`` (replacing generated folders) and the two seeds."""
    for folder in ("defillama", "coinmarketcap", "ethgastracker", "etherscan"):
        shutil.rmtree(out / folder, ignore_errors=True)
    charts = oblik_charts(data) | uniswap_charts(data) | scrvusd_chart(data)
    for pool_id, chart in charts.items():
        write_json(
            out / "defillama" / "chart" / f"{pool_id}.json.gz",
            {"status": "success", "data": chart["points"]},
        )
    pools = pools_snapshot(data, charts)
    write_json(out / "defillama" / "pools.json.gz", {"status": "success", "data": pools})
    log.info("pools: %d records, %d charts", len(pools), len(charts))

    susde = next(
        c
        for c in charts.values()
        if (c["project"], c["symbol"], c["chain"]) == ("ethena-usde", "SUSDE", "Ethereum")
    )
    susde_apy = pd.Series(
        [p["apy"] for p in susde["points"]],
        index=pd.to_datetime([p["timestamp"][:10] for p in susde["points"]]),
    )
    histories = price_histories(data, susde_apy)
    for token in TOKENS:
        write_json(
            out / "coinmarketcap" / "ohlcv_historical" / f"{token.cmc_id}.json.gz",
            cmc_payload(token, histories[token.symbol]),
        )
    closes = {s: float(h["close"].loc[: pd.Timestamp(END)].iloc[-1]) for s, h in histories.items()}

    gas_wei = daily_gas_price(data)
    write_json(
        out / "etherscan" / "dailyavggasprice.json.gz", etherscan_daily_avg_gas_price(gas_wei)
    )
    shutil.copyfile(
        data / "gas" / "etherscan_gasoracle_oblik_defi_analysis.json",
        out / "etherscan" / "gasoracle.json",
    )
    write_json(
        out / "ethgastracker" / "gas_average.json.gz",
        gas_hourly(data, gas_wei, histories["ETH"]["close"]),
    )

    txs, transfers = wallet_records(gas_wei)
    check_never_negative(txs, transfers)
    account = out / "etherscan" / "accounts" / WALLET
    write_json(account / "txlist.json.gz", etherscan_envelope(txs))
    write_json(account / "tokentx.json.gz", etherscan_envelope(transfers))
    write_json(account / "balance.json", etherscan_envelope(str(eth_balance(WALLET, txs))))
    held = token_balances(WALLET, transfers)
    for token in TOKENS:
        if token.contract:
            write_json(
                account / "tokenbalance" / f"{token.contract}.json",
                etherscan_envelope(str(held.get(token.contract, 0))),
            )
    for contract, balances in reserve_balances(pools, closes).items():
        for token_contract, raw in balances.items():
            write_json(
                out
                / "etherscan"
                / "accounts"
                / contract
                / "tokenbalance"
                / f"{token_contract}.json",
                etherscan_envelope(str(raw)),
            )
    write_seeds(seeds_dir)
    summary = {
        "pools": len(pools),
        "charts": len(charts),
        "tokens": len(TOKENS),
        "wallet_txs": len(txs),
        "wallet_token_transfers": len(transfers),
        "wallet_eth": eth_balance(WALLET, txs) / 1e18,
        "wallet_tokens": {
            t.symbol: held[t.contract] / 10**t.decimals for t in TOKENS if t.contract in held
        },
    }
    log.info("summary: %s", summary)
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="shared/data folder")
    parser.add_argument("--out", type=Path, default=REPO / "recordings", help="recordings folder")
    parser.add_argument(
        "--seeds", type=Path, default=REPO / "dbt_project" / "seeds", help="dbt seeds folder"
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    build(args.data, args.out, args.seeds)


if __name__ == "__main__":
    main()
