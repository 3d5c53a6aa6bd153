"""The previous one-step candidate models, kept only for ``python_models/backtest/forecasts.py``.

The shipped forecaster is ``panel.py`` (rules in ``rules.py``, models in ``linear_models.py``);
this module and ``pools.POOL_TARGETS`` go when the backtest calls ``panel.forecast_panel``.

``predict(window, fit_end)`` estimates the model's parameters on ``window[:fit_end]`` only and
returns the one-step-ahead forecasts of positions ``fit_end .. len(window)``: the forecast of
``window[t]`` uses ``window[:t]`` and nothing later, and the last entry is the forecast of the
day after the window. Parameters stay fixed between refits (rolling origin without
recalibration; the backtest refits on a schedule), which keeps a backtest to one fit per
candidate and refit point instead of one per day.

statsmodels' warnings are silenced per fit, never globally; a fit that reports
non-convergence or yields non-finite forecasts raises :class:`CandidateFailed`, and the
caller drops the candidate with that reason.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.signal import lfilter
from statsmodels.tools.sm_exceptions import ConvergenceWarning
from statsmodels.tsa.arima.model import ARIMA
from statsmodels.tsa.exponential_smoothing.ets import ETSModel
from statsmodels.tsa.forecasting.theta import ThetaModel


class CandidateFailed(RuntimeError):
    """A candidate could not produce a forecast; the message says why."""


@dataclass(frozen=True)
class Candidate:
    """A named model: ``predict(window, fit_end)`` and the shortest training it accepts."""

    name: str
    predict: Callable[[np.ndarray, int], np.ndarray]
    min_train: int
    fitted: bool = True  # False: a fixed rule with nothing estimated (sees the raw series)


def _quiet(fit: Callable[[], Any]) -> Any:
    """Run one statsmodels call with its warnings caught; non-convergence is a failure."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = fit()
    for warning in caught:
        if issubclass(warning.category, ConvergenceWarning):
            raise CandidateFailed(f"did not converge: {warning.message}")
    return result


def _finite(predictions: np.ndarray) -> np.ndarray:
    if not np.all(np.isfinite(predictions)):
        raise CandidateFailed("non-finite forecast")
    return predictions


# --- fixed rules -------------------------------------------------------------------------


def naive(window: np.ndarray, fit_end: int) -> np.ndarray:
    """Persistence: tomorrow equals today."""
    return window[fit_end - 1 :].copy()


def _mean_of_last(k: int) -> Callable[[np.ndarray, int], np.ndarray]:
    def predict(window: np.ndarray, fit_end: int) -> np.ndarray:
        means = pd.Series(window).rolling(k, min_periods=1).mean().to_numpy()
        return means[fit_end - 1 :]

    return predict


def _drift_over(k: int) -> Callable[[np.ndarray, int], np.ndarray]:
    def predict(window: np.ndarray, fit_end: int) -> np.ndarray:
        series = pd.Series(window)
        slope = series.diff(k - 1) / (k - 1)
        return (series + slope).to_numpy()[fit_end - 1 :]

    return predict


def _seasonal_naive(period: int) -> Callable[[np.ndarray, int], np.ndarray]:
    def predict(window: np.ndarray, fit_end: int) -> np.ndarray:
        return window[fit_end - period : len(window) - period + 1].copy()

    return predict


# --- fitted models -----------------------------------------------------------------------


def _ets(**spec: Any) -> Callable[[np.ndarray, int], np.ndarray]:
    """ETS (statsmodels' state-space exponential smoothing), additive errors."""

    def predict(window: np.ndarray, fit_end: int) -> np.ndarray:
        fitted = _quiet(lambda: ETSModel(window[:fit_end], error="add", **spec).fit(disp=False))
        smoothed = _quiet(lambda: ETSModel(window, error="add", **spec).smooth(fitted.params))
        ahead = np.asarray(smoothed.forecast(1))
        return _finite(np.append(np.asarray(smoothed.fittedvalues)[fit_end:], ahead))

    return predict


def _arima(order: tuple[int, int, int], method: str) -> Callable[[np.ndarray, int], np.ndarray]:
    """A small ARIMA estimated by a fast non-iterative method, then filtered over the window."""

    def predict(window: np.ndarray, fit_end: int) -> np.ndarray:
        fitted = _quiet(lambda: ARIMA(window[:fit_end], order=order).fit(method=method))
        applied = _quiet(lambda: fitted.apply(window))
        ahead = np.asarray(applied.forecast(1))
        return _finite(np.append(np.asarray(applied.fittedvalues)[fit_end:], ahead))

    return predict


def theta(window: np.ndarray, fit_end: int) -> np.ndarray:
    """The Theta method (SES plus half the linear trend), statsmodels' two-step estimate.

    With alpha and b0 fixed, the forecast after T points is the SES level plus
    ``b0 / 2 · (1/alpha − (1 − alpha)^T / alpha)``; the level recursion is one linear filter.
    """
    fitted = _quiet(lambda: ThetaModel(window[:fit_end], deseasonalize=False).fit())
    alpha, b0 = float(fitted.params["alpha"]), float(fitted.params["b0"])
    if not 0 < alpha <= 1:
        raise CandidateFailed(f"smoothing parameter out of range: {alpha}")
    # level_t = alpha·y_t + (1 − alpha)·level_{t−1}, level_{−1} = y_0
    levels, _ = lfilter([alpha], [1, alpha - 1], window, zi=[(1 - alpha) * window[0]])
    nobs = np.arange(fit_end, len(window) + 1)
    trend = 0.5 * b0 * (1 / alpha - (1 - alpha) ** nobs / alpha)
    return _finite(levels[fit_end - 1 :] + trend)


# --- candidate sets ----------------------------------------------------------------------
# Simple exponential smoothing is not listed separately: ARIMA(0,1,1) is the same model.

NAIVE = Candidate("naive", naive, min_train=1, fitted=False)

POOL_CANDIDATES: tuple[Candidate, ...] = (
    NAIVE,
    Candidate("mean_7d", _mean_of_last(7), min_train=7, fitted=False),
    Candidate("drift_28d", _drift_over(28), min_train=28, fitted=False),
    Candidate("ets_aadn", _ets(trend="add", damped_trend=True), min_train=21),
    Candidate("arima_110", _arima((1, 1, 0), "yule_walker"), min_train=21),
    Candidate("arima_011", _arima((0, 1, 1), "hannan_rissanen"), min_train=21),
    Candidate("theta", theta, min_train=14),
)

# Gas has a weekly rhythm (weekday demand); the seasonal candidates need four weeks of
# training data before they are tried, which is the "where the data supports it" rule.
GAS_CANDIDATES: tuple[Candidate, ...] = (
    *POOL_CANDIDATES,
    Candidate("seasonal_naive_7d", _seasonal_naive(7), min_train=7, fitted=False),
    Candidate("ets_ana_7d", _ets(seasonal="add", seasonal_periods=7), min_train=28),
)
