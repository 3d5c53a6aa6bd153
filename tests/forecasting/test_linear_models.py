"""The batched filters are statsmodels' models: same parameters, same forecasts."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from statsmodels.tsa.arima.model import ARIMA
from statsmodels.tsa.exponential_smoothing.ets import ETSModel

from python_models.forecasting.linear_models import (
    arima_110,
    damped_holt,
    holt_filter,
    horizon_factor,
    seasonal_filter,
    ses,
)

RNG = np.random.default_rng(11)
SERIES = 5 + np.cumsum(RNG.normal(0.01, 0.1, 150))


def _ets(series: np.ndarray, params: list[float], **spec) -> object:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ETSModel(series, error="add", **spec).smooth(params)


def test_damped_holt_filter_matches_statsmodels_ets():
    alpha, beta, phi = 0.4, 0.1, 0.9
    rows = SERIES[None, :]
    _, level, trend = holt_filter(rows, np.array([[alpha]]), np.array([[beta]]), phi, keep=True)
    # statsmodels' initial states are those before the first value: level = x0, trend 0
    smoothed = _ets(SERIES, [alpha, beta, phi, SERIES[0], 0.0], trend="add", damped_trend=True)
    ours = level[0, 0, :-1] + phi * trend[0, 0, :-1]  # forecast of each next day
    np.testing.assert_allclose(ours, np.asarray(smoothed.fittedvalues)[1:], rtol=1e-12)
    for steps in (1, 7, 30):
        mean = level[0, 0, -1] + trend[0, 0, -1] * horizon_factor(np.array(phi), steps)
        expected = np.asarray(smoothed.forecast(steps)).mean()
        assert mean == pytest.approx(expected, rel=1e-12)


def test_simple_smoothing_is_ets_without_trend():
    alpha = 0.3
    _, level, _ = holt_filter(SERIES[None, :], np.array([[alpha]]), 0.0, 0.0, keep=True)
    smoothed = _ets(SERIES, [alpha, SERIES[0]])
    np.testing.assert_allclose(level[0, 0, :-1], np.asarray(smoothed.fittedvalues)[1:])
    assert level[0, 0, -1] == pytest.approx(float(np.asarray(smoothed.forecast(1))[0]))


def test_seasonal_filter_matches_statsmodels_ets():
    t = np.arange(150)
    series = 3 + 0.3 * np.sin(2 * np.pi * t / 7) + RNG.normal(0, 0.05, 150)
    alpha, gamma = 0.2, 0.1
    _, ahead = seasonal_filter(series[None, :], np.array([[alpha]]), np.array([[gamma]]))
    opening = series[:7]
    level = opening.mean()
    # statsmodels lists the initial season newest first: s(−1), s(−2), …, s(−7)
    season = list((opening - level)[::-1])
    smoothed = _ets(series[7:], [alpha, gamma, level, *season], seasonal="add", seasonal_periods=7)
    np.testing.assert_allclose(ahead[0, 0, 6:-1], np.asarray(smoothed.fittedvalues), rtol=1e-12)


def test_arima_110_coefficient_is_statsmodels_yule_walker():
    train = 120
    states = arima_110(SERIES[None, :], train)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fitted = ARIMA(SERIES[:train], order=(1, 1, 0)).fit(method="yule_walker")
    assert states.phi[0] == pytest.approx(fitted.params[0], rel=1e-10)
    applied = fitted.apply(SERIES)
    ours = states.level[0] + states.trend[0] * states.phi[0]
    np.testing.assert_allclose(ours[train - 1 : -1], np.asarray(applied.fittedvalues)[train:])


def test_horizon_factor_is_the_mean_of_the_damped_sums():
    for phi in (0.0, 0.5, 0.9, 1.0, -0.3):
        for steps in (1, 2, 7, 30):
            brute = np.mean([sum(phi**i for i in range(1, j + 1)) for j in range(1, steps + 1)])
            assert horizon_factor(np.array(phi), steps) == pytest.approx(brute)


def test_fits_pick_the_parameters_that_suit_the_data():
    calm = 5 + np.cumsum(RNG.normal(0, 0.1, 148))
    noisy = 5 + RNG.normal(0, 0.5, 148)  # white noise around a level: smooth hard
    trending = 5 + 0.05 * np.arange(148) + RNG.normal(0, 0.02, 148)
    rows = np.stack([calm, noisy, trending])
    level = ses(rows, 120).level
    # the noisy row's level moves far less than the noise: a small smoothing weight
    assert np.std(np.diff(level[1])) < 0.2 * np.std(np.diff(noisy))
    holt = damped_holt(rows, 120)
    assert holt.trend[2, -1] == pytest.approx(0.05, rel=0.3)
    assert holt.phi[2] >= 0.9
