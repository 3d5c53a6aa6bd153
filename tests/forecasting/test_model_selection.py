"""Model choice on series with known structure, fallbacks, intervals, and real histories."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from python_models.forecasting.candidates import (
    GAS_CANDIDATES,
    NAIVE,
    POOL_CANDIDATES,
    Candidate,
    CandidateFailed,
)
from python_models.forecasting.model_selection import (
    LOG,
    ForecastSettings,
    SeriesSpec,
    forecast_series,
    rolling_evaluation,
)
from python_models.forecasting.pools import POOL_TARGETS
from python_models.forecasting.series import daily_series

END = dt.date(2025, 6, 5)
TOMORROW = END + dt.timedelta(days=1)
SETTINGS = ForecastSettings()


def spec_of(values, target="apy_pct", end=END, **rules) -> SeriesSpec:
    dates = pd.date_range(end=end, periods=len(values), freq="D")
    return SeriesSpec("pool-x", target, daily_series(dates, values, end), **rules)


def test_trend_is_found_and_beats_persistence():
    t = np.arange(200)
    values = 5 + 0.05 * t + np.random.default_rng(3).normal(0, 0.02, 200)
    result = forecast_series(spec_of(values), TOMORROW, POOL_CANDIDATES, SETTINGS)
    assert result.model_name != NAIVE.name
    assert result.fallback_reason is None
    assert result.backtest_mae_ratio < 0.8
    truth = 5 + 0.05 * 200
    assert abs(result.value - truth) < abs(values[-1] - truth)


def test_weekly_seasonality_is_found_for_gas():
    t = np.arange(200)
    noise = np.random.default_rng(4).normal(0, 0.03, 200)
    values = 20 * np.exp(0.3 * np.sin(2 * np.pi * t / 7) + noise)
    spec = spec_of(values, "gas_price_gwei", transform=LOG, lower_bound=0.0)
    result = forecast_series(spec, TOMORROW, GAS_CANDIDATES, SETTINGS)
    assert result.model_name in {"seasonal_naive_7d", "ets_ana_7d"}
    assert result.backtest_mae_ratio < 0.6
    truth = 20 * np.exp(0.3 * np.sin(2 * np.pi * 200 / 7))
    assert abs(result.value - truth) < 0.5 * abs(values[-1] - truth)


def test_level_shift_is_followed_not_averaged_away():
    rng = np.random.default_rng(5)
    values = np.concatenate([5 + rng.normal(0, 0.05, 170), 8 + rng.normal(0, 0.05, 30)])
    result = forecast_series(spec_of(values), TOMORROW, POOL_CANDIDATES, SETTINGS)
    assert result.backtest_mae_ratio <= 1
    assert result.value == pytest.approx(8, abs=0.3)


def test_random_walks_fall_back_to_persistence():
    chosen = []
    for seed in range(10):
        values = 5 + np.cumsum(np.random.default_rng(seed).normal(0, 0.1, 200))
        chosen.append(forecast_series(spec_of(values), TOMORROW, POOL_CANDIDATES, SETTINGS))
    assert sum(result.model_name == NAIVE.name for result in chosen) >= 7
    assert all(result.fallback_reason is None for result in chosen)


def test_80_percent_intervals_cover_roughly_80_percent():
    # the interval comes from the chosen model's own backtest errors, whatever the model:
    # the cheap rules are enough to check its calibration
    rules = tuple(candidate for candidate in POOL_CANDIDATES if not candidate.fitted)
    rng = np.random.default_rng(6)
    hits = []
    for _ in range(200):
        path = 5 + np.cumsum(rng.normal(0, 0.1, 201))
        result = forecast_series(spec_of(path[:-1]), TOMORROW, rules, SETTINGS)
        hits.append(result.lower <= path[-1] <= result.upper)
    assert 0.7 <= np.mean(hits) <= 0.9


@pytest.mark.parametrize(
    ("values", "end", "reason"),
    [
        (np.arange(10.0), END, "short series"),
        (np.full(200, 3.5), END, "constant series"),
        (np.linspace(1, 2, 200), END - dt.timedelta(days=10), "stale"),
        (np.array([]), END, "no history"),
    ],
)
def test_data_problems_fall_back_to_persistence_with_a_reason(values, end, reason):
    spec = spec_of(values, end=end) if len(values) else spec_of([np.nan])
    result = forecast_series(spec, TOMORROW, POOL_CANDIDATES, SETTINGS)
    assert result.model_name == NAIVE.name
    assert result.fallback_reason.startswith(reason)
    if len(values):
        assert result.value == values[-1]


def test_log_model_on_non_positive_values_falls_back():
    values = np.linspace(-1, 3, 200)
    spec = spec_of(values, "gas_price_gwei", transform=LOG)
    result = forecast_series(spec, TOMORROW, GAS_CANDIDATES, SETTINGS)
    assert result.fallback_reason.startswith("non-positive")


def _explodes(window: np.ndarray, fit_end: int) -> np.ndarray:
    raise CandidateFailed("did not converge: test")


def test_a_failing_candidate_is_recorded_and_the_run_goes_on():
    values = 5 + 0.05 * np.arange(200)
    candidates = (*POOL_CANDIDATES, Candidate("exploding", _explodes, min_train=1))
    result = forecast_series(spec_of(values), TOMORROW, candidates, SETTINGS)
    assert ("exploding", "CandidateFailed: did not converge: test") in result.failures
    assert result.model_name != "exploding"
    assert result.value is not None


def test_a_failing_refit_falls_back_with_the_reason():
    values = 5 + 0.05 * np.arange(200)
    calls = []

    def fails_on_refit(window: np.ndarray, fit_end: int) -> np.ndarray:
        calls.append(fit_end)
        if len(calls) > 1:
            raise CandidateFailed("did not converge: refit")
        return 2 * window[fit_end - 1 :] - window[fit_end - 2 : -1]

    candidates = (NAIVE, Candidate("trend_rule", fails_on_refit, min_train=1, fitted=False))
    result = forecast_series(spec_of(values), TOMORROW, candidates, SETTINGS)
    assert result.model_name == NAIVE.name
    assert result.fallback_reason.startswith("trend_rule refit failed")
    assert result.value == values[-1]


def test_apy_spikes_do_not_break_the_forecast(real_pools):
    frame = real_pools["aa70268e-4b52-42bf-a116-608b370f9501"].copy()
    frame.loc[frame.index[-20], "apy"] = 400.0
    frame.loc[frame.index[-5], "apy"] = 250.0
    series = daily_series(frame["date"], frame["apy"], END)
    result = forecast_series(
        SeriesSpec("aave", "apy_pct", series, **POOL_TARGETS["apy_pct"]),
        TOMORROW,
        POOL_CANDIDATES,
        SETTINGS,
    )
    assert np.isfinite(result.value)
    assert result.value < 50


@pytest.mark.parametrize("target", ["apy_pct", "tvl_usd"])
def test_real_history_forecast_and_honest_skill(real_pools, target):
    frame = real_pools["aa70268e-4b52-42bf-a116-608b370f9501"]
    column = {"apy_pct": "apy", "tvl_usd": "tvl"}[target]
    series = daily_series(frame["date"], frame[column], END)
    spec = SeriesSpec("aave", target, series, **POOL_TARGETS[target])
    result = forecast_series(spec, TOMORROW, POOL_CANDIDATES, SETTINGS)
    assert result.fallback_reason is None
    assert result.lower < result.value < result.upper
    assert {score.model_name for score in result.scores} >= {"naive", "theta", "ets_aadn"}
    evaluation = rolling_evaluation(spec, POOL_CANDIDATES, SETTINGS, eval_days=90)
    assert len(evaluation.chosen_errors) == 90
    # the choice is persistence unless a model clearly beat it: never much worse than it
    assert evaluation.mae_ratio <= 1.1
