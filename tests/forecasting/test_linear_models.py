"""statsmodels estimates the parameters; the batched filters are statsmodels' models.

Each estimator is statsmodels' own fit on a series' training values, from the filter's
initial state; the filter run with those parameters reproduces the fit's one-step forecasts
(and each filter matches statsmodels' filter at given parameters).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from statsmodels.tsa.arima.model import ARIMA
from statsmodels.tsa.exponential_smoothing.ets import ETSModel
from statsmodels.tsa.holtwinters import Holt, SimpleExpSmoothing

from python_models.forecasting.linear_models import (
    ARIMA_011,
    ARIMA_110,
    DAMPED_HOLT,
    SEASONAL_ETS,
    SES,
    holt_filter,
    horizon_factor,
    seasonal_filter,
    seasonal_start,
)

RNG = np.random.default_rng(11)
SERIES = 5 + np.cumsum(RNG.normal(0.01, 0.1, 150))
WEEKLY = 3 + 0.3 * np.sin(2 * np.pi * np.arange(150) / 7) + RNG.normal(0, 0.05, 150)
TRAIN = 120


def _quiet(fit):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fit()


def _ets(series: np.ndarray, params: list[float], **spec) -> object:
    return _quiet(lambda: ETSModel(series, error="add", **spec).smooth(params))


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
    alpha, gamma = 0.2, 0.1
    _, ahead = seasonal_filter(WEEKLY[None, :], np.array([[alpha]]), np.array([[gamma]]))
    opening = WEEKLY[:7]
    level = opening.mean()
    # statsmodels lists the initial season newest first: s(−1), s(−2), …, s(−7)
    season = list((opening - level)[::-1])
    smoothed = _ets(WEEKLY[7:], [alpha, gamma, level, *season], seasonal="add", seasonal_periods=7)
    np.testing.assert_allclose(ahead[0, 0, 6:-1], np.asarray(smoothed.fittedvalues), rtol=1e-12)


def test_smoothing_weight_is_statsmodels_fit_and_the_filter_reproduces_it():
    train = SERIES[:TRAIN]
    fitted = _quiet(
        SimpleExpSmoothing(train, initialization_method="known", initial_level=train[0]).fit
    )
    (alpha,) = SES.estimate(train)
    assert alpha == fitted.params["smoothing_level"]
    states = SES.apply(SERIES[None, :], np.array([[alpha]]))
    # the filter's one-step forecasts over the training days are the fit's, and its state
    # at the refit date the fit's forecast
    np.testing.assert_allclose(states.level[0, : TRAIN - 1], fitted.fittedvalues[1:], rtol=1e-13)
    assert states.level[0, TRAIN - 1] == pytest.approx(fitted.forecast(1)[0], rel=1e-13)
    sse, _, _ = holt_filter(train[None, :], np.array([[alpha]]), 0.0, 0.0, keep=False)
    assert sse[0, 0] == pytest.approx(fitted.sse, rel=1e-12)


def test_gas_arima_011_is_statsmodels_maximum_likelihood():
    train = SERIES[:TRAIN]
    fitted = _quiet(ARIMA(train, order=(0, 1, 1)).fit)
    (alpha,) = ARIMA_011.estimate(train)
    assert alpha == 1 + fitted.params[0]
    states = ARIMA_011.apply(SERIES[None, :], np.array([[alpha]]))
    # ARIMA's Kalman filter starts diffuse; within days it is the smoothing recursion
    np.testing.assert_allclose(
        states.level[0, 10 : TRAIN - 1], fitted.fittedvalues[11:], rtol=1e-10
    )


def test_arima_110_coefficient_is_statsmodels_yule_walker():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fitted = ARIMA(SERIES[:TRAIN], order=(1, 1, 0)).fit(method="yule_walker")
    (phi,) = ARIMA_110.estimate(SERIES[:TRAIN])
    assert phi == pytest.approx(fitted.params[0], rel=1e-12)
    states = ARIMA_110.apply(SERIES[None, :], np.array([[phi]]))
    applied = fitted.apply(SERIES)
    ours = states.level[0] + states.trend[0] * states.phi[0]
    np.testing.assert_allclose(ours[TRAIN - 1 : -1], np.asarray(applied.fittedvalues)[TRAIN:])
    assert ARIMA_110.estimate(np.full(30, 2.0)) == (0.0,)  # no change at all: no coefficient


def test_seasonal_weights_are_statsmodels_ets_fit():
    train = WEEKLY[:TRAIN]
    level, season = seasonal_start(train[:7])
    model = ETSModel(
        train[7:],
        error="add",
        seasonal="add",
        seasonal_periods=7,
        initialization_method="known",
        initial_level=float(level),
        initial_seasonal=season,
    )
    fitted = _quiet(lambda: model.fit(disp=False))
    params = SEASONAL_ETS.estimate(train)
    assert params == (fitted.params[0], fitted.params[1])
    states = SEASONAL_ETS.apply(WEEKLY[None, :], np.array([params]))
    np.testing.assert_allclose(states.level[0, 6 : TRAIN - 1], fitted.fittedvalues, rtol=1e-12)


def test_damped_holt_is_statsmodels_holt_fit():
    train = SERIES[:TRAIN]
    model = Holt(
        train,
        damped_trend=True,
        initialization_method="known",
        initial_level=train[0],
        initial_trend=0.0,
    )
    fitted = _quiet(model.fit)
    alpha, beta, phi = DAMPED_HOLT.estimate(train)
    assert (alpha, phi) == (fitted.params["smoothing_level"], fitted.params["damping_trend"])
    assert beta == pytest.approx(alpha * fitted.params["smoothing_trend"], rel=1e-15)
    states = DAMPED_HOLT.apply(SERIES[None, :], np.array([[alpha, beta, phi]]))
    ours = states.level[0, : TRAIN - 1] + phi * states.trend[0, : TRAIN - 1]
    np.testing.assert_allclose(ours, fitted.fittedvalues[1:], rtol=1e-12)


def test_horizon_factor_is_the_mean_of_the_damped_sums():
    for phi in (0.0, 0.5, 0.9, 1.0, -0.3):
        for steps in (1, 2, 7, 30):
            brute = np.mean([sum(phi**i for i in range(1, j + 1)) for j in range(1, steps + 1)])
            assert horizon_factor(np.array(phi), steps) == pytest.approx(brute)


def test_fits_pick_the_parameters_that_suit_the_data():
    calm = 5 + np.cumsum(RNG.normal(0, 0.1, TRAIN))
    noisy = 5 + RNG.normal(0, 0.5, TRAIN)  # white noise around a level: smooth hard
    trending = 5 + 0.05 * np.arange(TRAIN) + RNG.normal(0, 0.02, TRAIN)
    assert SES.estimate(calm)[0] > 0.8
    assert SES.estimate(noisy)[0] < 0.2
    params = DAMPED_HOLT.estimate(trending)
    states = DAMPED_HOLT.apply(trending[None, :], np.array([params]))
    assert states.trend[0, -1] == pytest.approx(0.05, rel=0.3)
    assert params[2] >= 0.9
