"""The backtest's forecasts are the daily flow's choice over the fixed-rule candidates."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from python_models.backtest.forecasts import GAS_RULES, POOL_RULES, series_forecasts
from python_models.forecasting.model_selection import (
    LOG,
    ForecastSettings,
    SeriesSpec,
    forecast_series,
)
from python_models.forecasting.pools import POOL_TARGETS
from python_models.forecasting.series import daily_series

DATA = Path(__file__).parents[1] / "forecasting" / "data"
# Gaps of one, three and five days (the last one makes the series stale for a few days).
DROPPED_ROWS = [100, 150, 151, 152, 200, 201, 202, 203, 204]


def checked_days(history: pd.DataFrame) -> pd.DatetimeIndex:
    """Every day of the short-series start and around each gap, every fourth day otherwise."""
    days = pd.date_range("2024-06-06", "2025-06-06")
    gaps = pd.date_range(history.index.min(), history.index.max()).difference(history.index)
    near_gap = np.abs((days.values[:, None] - gaps.values[None, :]).astype("m8[D]").astype(int))
    keep = (np.arange(len(days)) < 45) | (np.arange(len(days)) % 4 == 0) | (near_gap <= 7).any(1)
    return days[keep]


@pytest.fixture(scope="module")
def pool_history() -> pd.DataFrame:
    frame = pd.read_csv(DATA / "aave-v3_USDC_Ethereum.csv", parse_dates=["date"])
    return frame.drop(index=DROPPED_ROWS).set_index("date")


def reference(
    history: pd.Series, day: dt.date, window_days: int, **spec: object
) -> tuple[float | None, str]:
    """What forecast_series says for ``day`` with the series the daily flow would read."""
    last = day - dt.timedelta(days=1)
    window = history[
        (history.index.date <= last) & (history.index.date > last - dt.timedelta(window_days))
    ]
    series = daily_series(window.index, window.to_numpy(), last)
    rules = GAS_RULES if spec.get("transform") is LOG else POOL_RULES["apy_pct"]
    result = forecast_series(
        SeriesSpec("s", "t", series, **spec), day, rules.candidates, ForecastSettings()
    )
    return result.value, result.model_name


@pytest.mark.parametrize("column,target", [("apy", "apy_pct"), ("tvl", "tvl_usd")])
def test_every_day_equals_forecast_series_with_the_fixed_rules(
    pool_history: pd.DataFrame, column: str, target: str
) -> None:
    days = checked_days(pool_history)
    rules = POOL_RULES[target]
    ours = series_forecasts(pool_history[column], days, rules)
    models = set()
    for day in days:
        value, model = reference(
            pool_history[column], day.date(), rules.window_days, **POOL_TARGETS[target]
        )
        got = ours.loc[day]
        models.add(got["model_name"])
        assert got["model_name"] == model, day
        if value is None:
            assert np.isnan(got["value"]), day
        else:
            assert got["value"] == pytest.approx(value, rel=1e-9), day
    # the comparison covered a chosen model as well as persistence
    assert models > {"naive"}


def test_gas_equals_forecast_series_on_the_log_scale() -> None:
    frame = pd.read_csv(DATA / "etherscan_gas_daily.csv", parse_dates=["gas_date"])
    gwei = frame.drop(index=[40, 41, 90]).set_index("gas_date")["avg_gas_price_gwei"]
    days = pd.date_range(gwei.index.min(), gwei.index.max() + pd.Timedelta(days=5))[::2]
    ours = series_forecasts(gwei, days, GAS_RULES)
    for day in days:
        value, model = reference(
            gwei, day.date(), GAS_RULES.window_days, transform=LOG, lower_bound=0.0
        )
        assert ours.loc[day, "model_name"] == model, day
        if value is None:
            assert np.isnan(ours.loc[day, "value"])
        else:
            assert ours.loc[day, "value"] == pytest.approx(value, rel=1e-9), day


def test_a_forecast_never_reads_its_own_day_or_later(pool_history: pd.DataFrame) -> None:
    days = pd.date_range("2024-07-01", "2025-06-06")
    full = series_forecasts(pool_history["apy"], days, POOL_RULES["apy_pct"])
    cut = pd.Timestamp("2024-12-01")
    altered = pool_history["apy"].where(pool_history.index < cut, 99.0)
    changed = series_forecasts(altered, days, POOL_RULES["apy_pct"])
    up_to_cut = days[days <= cut]
    pd.testing.assert_frame_equal(full.loc[up_to_cut], changed.loc[up_to_cut])
    assert not full.loc[days > cut, "value"].equals(changed.loc[days > cut, "value"])
