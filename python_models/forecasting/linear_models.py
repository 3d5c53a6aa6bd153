"""The fitted models, as linear state filters estimated on many series at once.

Each model is one of statsmodels' (ETS A,Ad,N = damped Holt; ARIMA(0,1,1) = simple
exponential smoothing; ARIMA(1,1,0); ETS A,N,A with a weekly season), written as its
innovations recursion so that one pass filters every row of a block matrix (one row per
series and refit block) and a grid of parameters at once. statsmodels' own fits cost
50–110 ms each (ETS 106, ARIMA Hannan–Rissanen 56 on 120 days), tens of CPU minutes for a
backtest year of 180 pools refitted every 28 days; here a whole panel takes seconds.
``tests/forecasting/test_linear_models.py`` checks each filter against statsmodels' with the
same parameters.

Parameters are estimated on the first ``train`` columns of a row (least squares of one-step
errors over a grid, the conditional likelihood of additive Gaussian errors; ARIMA(1,1,0) by
Yule–Walker as statsmodels does); then the row is filtered with them to its end. A row's
result is its *state* after each column: ``level``, ``trend`` and the damping ``phi`` such
that the forecast j days ahead is ``level + trend · (phi + … + phi^j)``; the mean over a
horizon follows in closed form (:func:`horizon_factor`). A row starts at its first finite
value (level = that value, trend 0).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from python_models.forecasting.rules import ordered_sum

SEASON = 7
# Grids of the least-squares fits (statsmodels' bounds: 0 < beta <= alpha, 0.8 <= phi <= 0.98).
ALPHAS = np.array([0.01, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0])
HOLT_ALPHAS = np.array([0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9, 1.0])
HOLT_BETA_SHARES = np.array([0.01, 0.05, 0.2, 0.5])
HOLT_PHIS = np.array([0.8, 0.9, 0.95, 0.98])
SEASONAL_GAMMAS = np.array([0.0, 0.05, 0.1, 0.2, 0.4])


@dataclass(frozen=True)
class States:
    """A model's state after each column (rows x columns) and its damping per row."""

    level: np.ndarray
    trend: np.ndarray
    phi: np.ndarray


@dataclass(frozen=True)
class LinearModel:
    """A named model: ``run(rows, train)`` fits on the first ``train`` columns and filters."""

    name: str
    run: Callable[[np.ndarray, int], States]
    min_train: int


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


def holt_filter(
    rows: np.ndarray,
    alpha: np.ndarray,
    beta: np.ndarray,
    phi: np.ndarray,
    keep: bool,
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
    """Damped Holt recursion (beta = 0: simple smoothing) for every row and parameter set.

    ``alpha``, ``beta``, ``phi`` broadcast against ``(rows, k)``. Returns the sum of squared
    one-step errors, and with ``keep`` the level and trend after each column.
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


def _ses_alpha(train: np.ndarray) -> np.ndarray:
    sse, _, _ = holt_filter(train, ALPHAS[None, :], np.zeros(1), np.zeros(1), keep=False)
    return ALPHAS[np.argmin(sse, axis=1)][:, None]


def ses(rows: np.ndarray, train: int) -> States:
    """Simple exponential smoothing = ARIMA(0,1,1): a flat forecast at the level."""
    alpha = _ses_alpha(rows[:, :train])
    _, level, trend = holt_filter(rows, alpha, np.zeros(1), np.zeros(1), keep=True)
    return States(level[:, 0], trend[:, 0], np.zeros(len(rows)))


def damped_holt(rows: np.ndarray, train: int) -> States:
    """ETS(A,Ad,N): level and a trend that dies out at rate phi."""
    alpha, share, phi = np.meshgrid(HOLT_ALPHAS, HOLT_BETA_SHARES, HOLT_PHIS, indexing="ij")
    alpha, beta, phi = alpha.reshape(1, -1), (alpha * share).reshape(1, -1), phi.reshape(1, -1)
    sse, _, _ = holt_filter(rows[:, :train], alpha, beta, phi, keep=False)
    best = [grid[0, np.argmin(sse, axis=1)][:, None] for grid in (alpha, beta, phi)]
    _, level, trend = holt_filter(rows, *best, keep=True)
    return States(level[:, 0], trend[:, 0], best[2][:, 0])


def arima_110(rows: np.ndarray, train: int) -> States:
    """ARIMA(1,1,0) without drift; the AR coefficient by Yule–Walker on the differences
    (not demeaned, as statsmodels' ``ARIMA.fit(method="yule_walker")``)."""
    changes = np.diff(rows[:, :train], axis=1)
    changes = np.where(np.isfinite(changes), changes, 0.0)
    lag_sum = ordered_sum(changes[:, 1:] * changes[:, :-1])
    variance = ordered_sum(changes * changes)
    with np.errstate(divide="ignore", invalid="ignore"):
        phi = np.where(variance > 0, lag_sum / variance, 0.0)
    previous = np.concatenate([np.full((len(rows), 1), np.nan), rows[:, :-1]], axis=1)
    return States(rows.copy(), rows - previous, phi)


def seasonal_ets(rows: np.ndarray, train: int) -> States:
    """ETS(A,N,A) with a 7-day season; next-day forecasts only (no trend, phi 0).

    Starts after a row's first seven values: level their mean, season their deviations.
    """
    alpha, gamma = np.meshgrid(ALPHAS, SEASONAL_GAMMAS, indexing="ij")
    alpha, gamma = alpha.reshape(1, -1), gamma.reshape(1, -1)
    sse = seasonal_filter(rows[:, :train], alpha, gamma)[0]
    pick = np.argmin(sse, axis=1)
    _, ahead = seasonal_filter(rows, alpha[0, pick][:, None], gamma[0, pick][:, None])
    return States(ahead[:, 0], np.zeros(rows.shape), np.zeros(len(rows)))


def seasonal_filter(
    rows: np.ndarray, alpha: np.ndarray, gamma: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Sum of squared one-step errors and the forecast of the next column after each column."""
    count, columns = rows.shape
    shape = np.broadcast_shapes(alpha.shape, gamma.shape, (count, 1))
    first = np.argmax(np.isfinite(rows), axis=1)
    opening = np.stack(
        [rows[np.arange(count), np.minimum(first + j, columns - 1)] for j in range(SEASON)], axis=1
    )
    mean = ordered_sum(opening)[:, None] / SEASON
    level = np.broadcast_to(mean, shape).copy()
    season = np.broadcast_to((opening - mean)[:, None, :], (*shape, SEASON)).copy()
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


SES = LinearModel("arima_011", ses, min_train=21)
DAMPED_HOLT = LinearModel("ets_aadn", damped_holt, min_train=21)
ARIMA_110 = LinearModel("arima_110", arima_110, min_train=21)
SEASONAL_ETS = LinearModel("ets_ana_7d", seasonal_ets, min_train=28)
