"""The fixed rules, computed for every origin of a panel at once.

A path has one column per origin o = 0 … N (N = the panel's days): the forecast of the mean
of days o … o + H − 1 from the days before o. A rule's forecast of o reads a fixed number of
days before o and nothing else, so one pass over the panel gives every origin; NaN where the
rule lacks its days (a subject's first days).

Shrinkage blends the last value with a trailing mean, ``w·last + (1 − w)·mean``, with ``w``
estimated per refit block by least squares on the block's training origins (realized
horizon means whose window ended before the refit date): where APY spikes revert, ``w`` falls
and the forecast leans on the longer mean; where the last value carries on, ``w`` is 1.
"""

from __future__ import annotations

import numpy as np


def ordered_sum(values: np.ndarray) -> np.ndarray:
    """Sum along the last axis, first to last: the same bits whatever else is in the array.

    A plain ``sum`` may regroup the additions depending on the array's shape; the daily run
    (one day, a few hundred days of history) and the backtest (a year, every pool) must get
    identical numbers from identical inputs.
    """
    if values.shape[-1] == 0:
        return np.zeros(values.shape[:-1])
    return np.cumsum(values, axis=-1)[..., -1]


def _shifted_sum(values: np.ndarray, offsets: range) -> np.ndarray:
    """Path whose origin o holds the sum of the values of days o + k for k in ``offsets``.

    Added one offset after another, so each sum has the same bits in any panel; NaN where a
    day is missing or outside the panel.
    """
    total = np.zeros((values.shape[0], values.shape[1] + 1))
    for offset in offsets:
        total += lagged(values, -offset)
    return total


def lagged(values: np.ndarray, lag: int) -> np.ndarray:
    """Path whose origin o holds the value of day o − lag (NaN outside the panel).

    A negative lag reads ahead: used only for the realized outcome, never for a forecast.
    """
    rows, days = values.shape
    path = np.full((rows, days + 1), np.nan)
    first, last = max(lag, 0), min(days + lag, days + 1)
    if first < last:
        path[:, first:last] = values[:, first - lag : last - lag]
    return path


def trailing_mean(values: np.ndarray, window: int) -> np.ndarray:
    """Path of the mean of the ``window`` days before each origin (NaN unless all known)."""
    return _shifted_sum(values, range(-window, 0)) / window


def forward_mean(
    values: np.ndarray, observed: np.ndarray, horizon_days: int
) -> tuple[np.ndarray, np.ndarray]:
    """The realized mean of days o … o + h − 1 per origin, and where every one was observed."""
    outcome = _shifted_sum(values, range(horizon_days)) / horizon_days
    seen = np.concatenate([np.zeros((len(observed), 1)), np.cumsum(observed, axis=1)], axis=1)
    complete = np.zeros(outcome.shape, dtype=bool)
    h = horizon_days
    if h <= values.shape[1]:
        complete[:, :-h] = seen[:, h:] - seen[:, :-h] == h
    return outcome, complete


def shrink(
    last: np.ndarray,
    mean: np.ndarray,
    outcome: np.ndarray,
    complete: np.ndarray,
    training: list[tuple[int, int, np.ndarray]],
    min_origins: int,
) -> np.ndarray:
    """``w·last + (1 − w)·mean`` with ``w`` fitted per block; NaN where a block lacks data.

    ``training`` lists, per block, the origins ``[first, stop)`` its weight is fitted on and
    the origins it forecasts (a boolean mask over the path's columns).
    """
    gap = last - mean
    usable = complete & np.isfinite(gap)
    cross = np.where(usable, (outcome - mean) * gap, 0.0)
    square = np.where(usable, gap * gap, 0.0)
    path = np.full(last.shape, np.nan)
    for first, stop, forecasts in training:
        count = usable[:, first:stop].sum(axis=1)
        numerator = ordered_sum(cross[:, first:stop])
        denominator = ordered_sum(square[:, first:stop])
        with np.errstate(divide="ignore", invalid="ignore"):
            weight = np.clip(np.where(denominator > 0, numerator / denominator, 1.0), 0.0, 1.0)
        weight = np.where(count >= min_origins, weight, np.nan)[:, None]
        path[:, forecasts] = (weight * last[:, forecasts]) + (1 - weight) * mean[:, forecasts]
    return path
