"""Readers of the real price files and the generators that fill their gaps (see README)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

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
