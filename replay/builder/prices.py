"""Daily OHLCV and market cap of every tracked token: real where recorded, generated after."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from replay.builder.common import END, days, rng_for
from replay.builder.price_sources import (
    fill_ohl_from_close,
    fill_volume,
    layered,
    mcap_path,
    peg_parameters,
    peg_series,
    read_coingecko,
    read_etherscan_chart,
    read_kaggle,
    read_yahoo,
)
from replay.builder.tokens import TOKEN_BY_SYMBOL, Token

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
