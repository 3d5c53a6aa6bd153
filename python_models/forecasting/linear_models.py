"""The fitted models: parameters estimated by statsmodels, states run by batched filters.

Each model is one of statsmodels' (simple exponential smoothing = ARIMA(0,1,1); ARIMA(1,1,0);
ETS A,N,A with a weekly season; ETS A,Ad,N = damped Holt, kept for trials only). At each
refit point its parameters are estimated on one series' training days by statsmodels' own
estimator (``LinearModel.estimate``, one call per series and refit block; ``estimation.py``
runs them, memoized and spread over processes when there are many). The states that turn
those parameters into forecasts, every day of every refit block, come from the model's
innovations recursion written as a numpy filter (``LinearModel.apply``) that runs every row
of a block matrix (one row per series and refit block) in one pass: that is the same
recursion statsmodels filters with, from the same initial state, so the filter reproduces
the statsmodels fit's own one-step forecasts over the training days
(``tests/forecasting/test_linear_models.py``) and carries them on over the days until the
next refit, without a statsmodels object per series and day.

The estimators (``values``: a row's training days from its first value on):

- ``arima_011`` for pools: ``SimpleExpSmoothing(values, initialization_method="known",
  initial_level=values[0]).fit()``, the least-squares smoothing weight of the filter's
  recursion and start (the conditional-sum-of-squares ARIMA(0,1,1)); 5–15 ms.
- ``arima_011`` for gas (one series: the full fit is affordable): ``ARIMA(values,
  order=(0, 1, 1)).fit()``, exact maximum likelihood; the weight is 1 + θ. Its Kalman filter
  reaches the filter's recursion within a few days; about 40 ms on the gas rows.
- ``arima_110``: ``yule_walker(np.diff(values), order=1, method="mle", demean=False)``, what
  ``ARIMA(values, order=(1, 1, 0)).fit(method="yule_walker")`` estimates (no drift); 1 ms.
- ``ets_ana_7d``: ``ETSModel(values[7:], error="add", seasonal="add", seasonal_periods=7,
  initialization_method="known", …).fit()`` from the filter's start (level the mean of the
  first seven values, season their deviations); about 10 ms on the gas rows.
- ``ets_aadn``: ``Holt(values, damped_trend=True, initialization_method="known",
  initial_level=values[0], initial_trend=0).fit()``; 50–130 ms, which is why no target
  uses it (a year of TVL panels would spend one to three minutes on it for a candidate
  chosen on 1 % of pool-days).

A row's result is its *state* after each column: ``level``, ``trend`` and the damping ``phi``
such that the forecast j days ahead is ``level + trend · (phi + … + phi^j)``; the mean over a
horizon follows in closed form (:func:`horizon_factor`). A row starts at its first finite
value (level = that value, trend 0).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from statsmodels.regression.linear_model import yule_walker
from statsmodels.tsa.arima.model import ARIMA
from statsmodels.tsa.exponential_smoothing.ets import ETSModel
from statsmodels.tsa.holtwinters import Holt, SimpleExpSmoothing

from python_models.forecasting.rules import ordered_sum

SEASON = 7


@dataclass(frozen=True)
class States:
    """A model's state after each column (rows x columns) and its damping per row."""

    level: np.ndarray
    trend: np.ndarray
    phi: np.ndarray


@dataclass(frozen=True)
class LinearModel:
    """A named model: statsmodels' estimator on one training series, a batched filter.

    ``estimate(values)`` returns the parameters (``parameters`` floats) from one series'
    training values; ``apply(rows, params)`` filters every row with its parameters (rows x
    parameters, all finite). ``seconds``: about what one estimate costs, to decide whether
    spreading the estimates over processes pays.
    """

    name: str
    estimate: Callable[[np.ndarray], tuple[float, ...]]
    apply: Callable[[np.ndarray, np.ndarray], States]
    parameters: int
    min_train: int
    seconds: float


def horizon_factor(phi: np.ndarray, horizon_days: int) -> np.ndarray:
    """Mean over j = 1 … h of (phi + … + phi^j): the trend's weight in the horizon mean.

    Accumulated power by power (elementwise), so it has the same bits for any array shape.
    """
    phi = np.asarray(phi, dtype=float)
    power = np.ones_like(phi)
    total = np.zeros_like(phi)
    for step in range(1, horizon_days + 1):
        power = power * phi
        total = total + power * ((horizon_days - step + 1) / horizon_days)
    return total


# --- the filters --------------------------------------------------------------------------


def holt_filter(
    rows: np.ndarray,
    alpha: np.ndarray,
    beta: np.ndarray,
    phi: np.ndarray,
    keep: bool,
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
    """Damped Holt recursion (beta = 0: simple smoothing) for every row and parameter set.

    Error-correction form: ``level += phi·trend + alpha·error``, ``trend = phi·trend +
    beta·error`` (statsmodels' ``Holt`` smoothing_trend is ``beta / alpha``). ``alpha``,
    ``beta``, ``phi`` broadcast against ``(rows, k)``. Returns the sum of squared one-step
    errors, and with ``keep`` the level and trend after each column.
    """
    count, columns = rows.shape
    shape = np.broadcast_shapes(np.shape(alpha), np.shape(beta), np.shape(phi), (count, 1))
    level = np.full(shape, np.nan)
    trend = np.zeros(shape)
    sse = np.zeros(shape)
    levels = np.empty((*shape, columns)) if keep else None
    trends = np.empty((*shape, columns)) if keep else None
    for column in range(columns):
        value = rows[:, column, None]
        forecast = level + phi * trend
        error = value - forecast
        moved = np.isfinite(error)
        sse += np.where(moved, error * error, 0.0)
        level = np.where(moved, forecast + alpha * error, np.where(np.isnan(level), value, level))
        trend = np.where(moved, phi * trend + beta * error, trend)
        if keep:
            levels[..., column] = level
            trends[..., column] = trend
    return sse, levels, trends


def seasonal_start(opening: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The weekly model's initial state from a row's first seven values (last axis): the
    level their mean, the season their deviations (oldest first)."""
    mean = ordered_sum(opening)[..., None] / SEASON
    return mean[..., 0], opening - mean


def seasonal_filter(
    rows: np.ndarray, alpha: np.ndarray, gamma: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Sum of squared one-step errors and the forecast of the next column after each column.

    ETS(A,N,A) with a 7-day season, started after a row's first seven values
    (:func:`seasonal_start`). ``alpha``, ``gamma`` broadcast against ``(rows, k)``.
    """
    count, columns = rows.shape
    shape = np.broadcast_shapes(alpha.shape, gamma.shape, (count, 1))
    first = np.argmax(np.isfinite(rows), axis=1)
    opening = np.stack(
        [rows[np.arange(count), np.minimum(first + j, columns - 1)] for j in range(SEASON)], axis=1
    )
    mean, deviations = seasonal_start(opening)
    level = np.broadcast_to(mean[:, None], shape).copy()
    season = np.broadcast_to(deviations[:, None, :], (*shape, SEASON)).copy()
    sse = np.zeros(shape)
    ahead = np.full((*shape, columns), np.nan)
    index = np.arange(count)
    for column in range(columns):
        started = column >= first + SEASON
        slot = (column - first) % SEASON
        forecast = level + season[index, :, slot]
        error = rows[:, column, None] - forecast
        moved = started[:, None] & np.isfinite(error)
        sse += np.where(moved, error * error, 0.0)
        level = np.where(moved, level + alpha * error, level)
        season[index, :, slot] = np.where(
            moved, season[index, :, slot] + gamma * error, season[index, :, slot]
        )
        following = (column + 1 - first) % SEASON
        ready = (column + 1 >= first + SEASON)[:, None]
        ahead[..., column] = np.where(ready, level + season[index, :, following], np.nan)
    return sse, ahead


def _smoothing(rows: np.ndarray, params: np.ndarray) -> States:
    """Simple exponential smoothing with weight ``params[:, 0]``: a flat forecast at the level."""
    _, level, trend = holt_filter(rows, params[:, :1], np.zeros(1), np.zeros(1), keep=True)
    return States(level[:, 0], trend[:, 0], np.zeros(len(rows)))


def _damped(rows: np.ndarray, params: np.ndarray) -> States:
    """Damped Holt with ``alpha, beta, phi`` per row (error-correction form)."""
    alpha, beta, phi = params[:, :1], params[:, 1:2], params[:, 2:3]
    _, level, trend = holt_filter(rows, alpha, beta, phi, keep=True)
    return States(level[:, 0], trend[:, 0], params[:, 2].copy())


def _autoregressive(rows: np.ndarray, params: np.ndarray) -> States:
    """ARIMA(1,1,0): the last value plus ``phi`` times the last change, damped per day."""
    previous = np.concatenate([np.full((len(rows), 1), np.nan), rows[:, :-1]], axis=1)
    return States(rows.copy(), rows - previous, params[:, 0].copy())


def _seasonal(rows: np.ndarray, params: np.ndarray) -> States:
    """ETS(A,N,A): next-day forecasts only (no trend, phi 0)."""
    _, ahead = seasonal_filter(rows, params[:, :1], params[:, 1:2])
    return States(ahead[:, 0], np.zeros(rows.shape), np.zeros(len(rows)))


# --- statsmodels' estimators (one training series each) -----------------------------------


def _quiet(fit: Callable[[], object]) -> object:
    """One statsmodels fit with its warnings silenced (never globally)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fit()


def estimate_smoothing(values: np.ndarray) -> tuple[float, ...]:
    """SES weight by least squares, from the filter's start (the first value)."""
    model = SimpleExpSmoothing(values, initialization_method="known", initial_level=values[0])
    fitted = _quiet(model.fit)
    return (float(fitted.params["smoothing_level"]),)


def estimate_arima_011(values: np.ndarray) -> tuple[float, ...]:
    """ARIMA(0,1,1) by exact maximum likelihood; the smoothing weight is 1 + θ."""
    fitted = _quiet(ARIMA(values, order=(0, 1, 1)).fit)
    return (1.0 + float(fitted.params[0]),)


def estimate_ar1(values: np.ndarray) -> tuple[float, ...]:
    """ARIMA(1,1,0)'s coefficient: Yule–Walker on the changes, not demeaned (no drift)."""
    changes = np.diff(values)
    if not np.any(changes != 0):
        return (0.0,)
    fitted = yule_walker(changes, order=1, method="mle", demean=False, result_object=True)
    return (float(fitted.rho[0]),)


def estimate_seasonal(values: np.ndarray) -> tuple[float, ...]:
    """ETS(A,N,A) weights by maximum likelihood, from the filter's start."""
    level, season = seasonal_start(values[:SEASON])
    model = ETSModel(
        values[SEASON:],
        error="add",
        seasonal="add",
        seasonal_periods=SEASON,
        initialization_method="known",
        initial_level=float(level),
        initial_seasonal=season,
    )
    fitted = _quiet(lambda: model.fit(disp=False))
    return float(fitted.params[0]), float(fitted.params[1])


def estimate_damped(values: np.ndarray) -> tuple[float, ...]:
    """Damped Holt by least squares from the filter's start; ``alpha, alpha·beta*, phi``."""
    model = Holt(
        values,
        damped_trend=True,
        initialization_method="known",
        initial_level=values[0],
        initial_trend=0.0,
    )
    params = _quiet(model.fit).params
    alpha = float(params["smoothing_level"])
    return alpha, alpha * float(params["smoothing_trend"]), float(params["damping_trend"])


SES = LinearModel("arima_011", estimate_smoothing, _smoothing, 1, min_train=21, seconds=0.012)
ARIMA_011 = LinearModel("arima_011", estimate_arima_011, _smoothing, 1, min_train=21, seconds=0.7)
ARIMA_110 = LinearModel("arima_110", estimate_ar1, _autoregressive, 1, min_train=21, seconds=0.001)
SEASONAL_ETS = LinearModel(
    "ets_ana_7d", estimate_seasonal, _seasonal, 2, min_train=28, seconds=0.12
)
DAMPED_HOLT = LinearModel("ets_aadn", estimate_damped, _damped, 3, min_train=21, seconds=0.15)
