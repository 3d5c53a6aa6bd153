"""Model choice on series with known structure, fallbacks, intervals, and a real history."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from python_models.forecasting import scoring
from python_models.forecasting.panel import PanelForecaster
from python_models.forecasting.results import day_forecasts
from python_models.forecasting.series import build_panel
from python_models.forecasting.targets import APY, GAS, TVL

END = dt.date(2025, 6, 5)
DAY = END + dt.timedelta(days=1)


def forecast(values, target=APY, horizon=1, end=END, day=DAY):
    """The forecast of ``day`` for one series of daily ``values`` ending on ``end``."""
    history = pd.DataFrame(
        {
            "subject_id": "pool-x",
            "day": pd.date_range(end=end, periods=len(values), freq="D"),
            "value": values,
        }
    )
    forecaster = PanelForecaster(history, target, day - dt.timedelta(days=1), subjects=["pool-x"])
    return day_forecasts(forecaster, target, day, horizon)[0]


def test_a_tvl_trend_is_found_and_beats_persistence():
    t = np.arange(300)
    values = 1e7 * (1 + 0.004 * t) + np.random.default_rng(3).normal(0, 2e3, 300)
    result = forecast(values, TVL)
    assert result.model_name != "naive"
    assert result.fallback_reason is None
    assert result.backtest_mae_ratio < 0.8
    truth = 1e7 * (1 + 0.004 * 300)
    assert abs(result.value - truth) < abs(values[-1] - truth)


def test_the_weekly_gas_season_is_found():
    t = np.arange(300)
    noise = np.random.default_rng(4).normal(0, 0.03, 300)
    values = 20 * np.exp(0.3 * np.sin(2 * np.pi * t / 7) + noise)
    result = forecast(values, GAS)
    assert result.model_name == "ets_ana_7d"
    assert result.backtest_mae_ratio < 0.6
    assert result.value == pytest.approx(20 * np.exp(0.3 * np.sin(2 * np.pi * 300 / 7)), rel=0.05)


def test_reverting_apy_spikes_are_shrunk_over_the_holding_period():
    rng = np.random.default_rng(5)
    values = 5 + rng.normal(0, 0.05, 300) + np.where(rng.random(300) < 0.1, 3.0, 0.0)
    values[-1] = 8.0  # the last day is a spike
    result = forecast(values, APY, horizon=7)
    assert result.model_name != "naive"
    assert result.backtest_mae_ratio < 0.8
    assert abs(result.value - 5.3) < 1.0  # near the level plus the average spike share


def test_random_walks_keep_persistence():
    chosen = [
        forecast(5 + np.cumsum(np.random.default_rng(seed).normal(0, 0.1, 300))).model_name
        for seed in range(10)
    ]
    assert chosen.count("naive") >= 7


def test_80_percent_intervals_cover_roughly_80_percent():
    rng = np.random.default_rng(6)
    hits = []
    for _ in range(150):
        path = 5 + np.cumsum(rng.normal(0, 0.1, 301))
        result = forecast(path[:-1])
        hits.append(result.lower <= path[-1] <= result.upper)
    assert 0.7 <= np.mean(hits) <= 0.9


@pytest.mark.parametrize(
    ("values", "end", "reason"),
    [
        (np.arange(10.0), END, "short series"),
        (np.full(200, 3.5), END, "constant series"),
        (np.linspace(1, 2, 200), END - dt.timedelta(days=10), "stale"),
    ],
)
def test_data_problems_fall_back_to_persistence_with_a_reason(values, end, reason):
    result = forecast(values, end=end)
    assert result.model_name == "naive"
    assert result.fallback_reason.startswith(reason)
    assert result.value == values[-1]


def test_no_history_gives_no_value():
    result = forecast([1.0, 2.0], day=END - dt.timedelta(days=5))
    assert (result.value, result.fallback_reason) == (None, "no history")


def test_a_log_model_on_non_positive_values_falls_back():
    result = forecast(np.linspace(-1, 3, 200), GAS)
    assert result.fallback_reason.startswith("non-positive")


def test_persistence_exact_over_the_backtest_falls_back():
    values = np.concatenate([np.linspace(1, 2, 100), np.full(100, 2.0)])
    result = forecast(values)
    assert result.fallback_reason in ("persistence was exact over the backtest", "constant series")


def test_a_horizon_other_than_one_is_refused_for_gas():
    with pytest.raises(ValueError, match="1 day ahead only"):
        forecast(np.linspace(1, 2, 200), GAS, horizon=7)


def test_apy_spikes_do_not_break_the_forecast(real_pools):
    frame = real_pools["aa70268e-4b52-42bf-a116-608b370f9501"].copy()
    frame.loc[frame.index[-20], "apy"] = 400.0
    frame.loc[frame.index[-5], "apy"] = 250.0
    result = forecast(
        frame["apy"].to_numpy(),
        APY,
        horizon=7,
        end=frame["date"].max().date(),
        day=frame["date"].max().date() + dt.timedelta(days=1),
    )
    assert np.isfinite(result.value)
    assert result.value < 50


@pytest.mark.parametrize(("target", "column"), [(APY, "apy"), (TVL, "tvl")])
def test_real_history_forecast_and_honest_skill(real_pools, target, column):
    frame = real_pools["aa70268e-4b52-42bf-a116-608b370f9501"]
    history = pd.DataFrame({"subject_id": "aave", "day": frame["date"], "value": frame[column]})
    forecaster = PanelForecaster(history, target, END)
    days = pd.date_range(end=END, periods=90)
    values, models = forecaster.frames(days, 1)
    assert values.notna().all().all()
    actual = pd.DataFrame(
        build_panel(history, END).values.T,
        index=pd.date_range(frame["date"].min(), END),
        columns=["aave"],
    )
    scores = scoring.score_views(
        {"shipped": values, scoring.PERSISTENCE: actual.shift(1).reindex(days)},
        scoring.realized_mean(actual, 1).reindex(days),
        models=models,
    )
    assert scores["pool_days"] >= 85
    # the choice is persistence unless a model clearly beat it: never much worse than it
    assert scores["views"]["shipped"]["error_ratio"] <= 1.1
