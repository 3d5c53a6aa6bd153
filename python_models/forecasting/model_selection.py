"""The daily model choice, for many subjects and decision days at once.

On decision day D (position d, data up to d − 1) with horizon h, a candidate is scored on the
origins of the last ``backtest_days`` days whose h-day window ended by d − 1 (origins
d − h − backtest_days + 1 … d − h) and was observed on every day: the MAE of its forecasts
against the realized h-day means. Nothing after d − 1 is read. The candidate with the lowest
MAE wins only if it beat persistence on those same origins by the target's margin (MAE ratio
vs persistence < 1 − ``min_improvement``); a candidate competes only where it has a forecast
at every scored origin and at d. The 80 % interval is the forecast ± z·RMSE of the winner's
own backtest errors.

The score is the *MAE ratio vs persistence*: the candidate's MAE over persistence's on exactly
the origins scored (below 1 it beat persistence; persistence scores 1; undefined when
persistence was exact). The ``forecasts`` tables keep the contract's names ``backtest_mase``
and ``'mase'`` for it.

Anything the data cannot support gives persistence (the last value) with a reason, in this
order: no history, stale (last observation more than ``max_stale_days`` before d − 1), short
(fewer than ``min_train_days + min_backtest_days`` observed days in the last
``train_days + backtest_days``), constant over those days, non-positive values under a log
model, fewer than ``min_backtest_days`` scored origins, persistence exact over the backtest.
Nothing here raises on data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from scipy.stats import norm

from python_models.forecasting.series import SeriesPanel
from python_models.forecasting.targets import TargetSpec


@dataclass(frozen=True)
class ForecastSettings:
    """Backtest, refit and fallback parameters (days unless noted)."""

    backtest_days: int = 60
    train_days: int = 120
    min_train_days: int = 14
    min_backtest_days: int = 7
    max_stale_days: int = 3
    interval_level: float = 0.8
    hampel_window: int = 14
    hampel_sigmas: float = 5.0
    refit_every_days: int = 28


@dataclass(frozen=True)
class Selection:
    """The choice per subject (rows) and decision position (columns).

    ``chosen`` indexes ``names`` (persistence is 0); ``ratio`` is the chosen candidate's MAE
    ratio vs persistence; ``spread`` the interval's half-width; ``reasons`` None or why the
    forecast fell back to persistence. ``mae``, ``rmse``, ``smape`` (candidates first) are
    NaN where a candidate could not compete; ``scored`` counts the scored origins.
    """

    names: tuple[str, ...]
    value: np.ndarray
    chosen: np.ndarray
    ratio: np.ndarray
    spread: np.ndarray
    reasons: np.ndarray
    mae: np.ndarray
    rmse: np.ndarray
    smape: np.ndarray
    scored: np.ndarray

    @property
    def models(self) -> np.ndarray:
        return np.asarray(self.names, dtype=object)[self.chosen]


def _window(path: np.ndarray, lows: np.ndarray, length: int) -> np.ndarray:
    """Sum of ``path`` over origins low … low + length − 1 per position, added in order.

    Origins before 0 count as zero. Returns subjects x positions.
    """
    padded = np.concatenate([np.zeros((path.shape[0], length)), path], axis=1)
    total = np.zeros((path.shape[0], len(lows)))
    for step in range(length):
        total += padded[:, lows + length + step]
    return total


def _trailing(
    panel: SeriesPanel, positions: np.ndarray, days: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Observed count, range and smallest value of the ``days`` days before each position."""
    rows = panel.values.shape[0]
    count, spread, lowest = (np.zeros((rows, len(positions))) for _ in range(3))
    for column, position in enumerate(positions):
        recent = panel.values[:, max(position - days, 0) : position]
        known = np.isfinite(recent)
        highest = np.where(known, recent, -np.inf).max(axis=1, initial=-np.inf)
        lowest[:, column] = np.where(known, recent, np.inf).min(axis=1, initial=np.inf)
        spread[:, column] = highest - lowest[:, column]
        count[:, column] = panel.observed[:, max(position - days, 0) : position].sum(axis=1)
    return count, spread, lowest


def _problems(
    panel: SeriesPanel,
    positions: np.ndarray,
    spec: TargetSpec,
    settings: ForecastSettings,
) -> tuple[np.ndarray, np.ndarray]:
    """Why the data cannot support a choice at each position (None: it can), and the last
    observed position before it (−1: none)."""
    rows = panel.values.shape[0]
    last_seen = np.maximum.accumulate(np.where(panel.observed, np.arange(panel.days), -1), axis=1)
    last = last_seen[:, positions - 1]
    span = settings.train_days + settings.backtest_days
    count, spread, lowest = _trailing(panel, positions, span)
    needed = settings.min_train_days + settings.min_backtest_days
    reasons = np.full((rows, len(positions)), None, dtype=object)
    for row in range(rows):
        for column, position in enumerate(positions):
            if last[row, column] < 0:
                reasons[row, column] = "no history"
                continue
            stale = position - 1 - last[row, column]
            if stale > settings.max_stale_days:
                seen = panel.date_at(last[row, column])
                reasons[row, column] = (
                    f"stale: last observation {seen} ({stale} days before the last day)"
                )
            elif count[row, column] < needed:
                reasons[row, column] = (
                    f"short series: {int(count[row, column])} observed days, {needed} needed"
                )
            elif spread[row, column] == 0:
                reasons[row, column] = "constant series"
            elif spec.log and lowest[row, column] <= 0:
                reasons[row, column] = "non-positive values where a log model is required"
    return reasons, last


def select(
    panel: SeriesPanel,
    paths: dict[str, np.ndarray],
    outcome: tuple[np.ndarray, np.ndarray],
    positions: np.ndarray,
    horizon_days: int,
    spec: TargetSpec,
    settings: ForecastSettings,
) -> Selection:
    """Choose a candidate for every subject at every position (1 … N) of ``panel``.

    ``paths`` are the candidates' forecasts per origin (persistence first), ``outcome`` the
    realized horizon means and where they were fully observed (``rules.forward_mean``).
    """
    names = tuple(paths)
    realized, complete = outcome
    backtest = settings.backtest_days
    lows = positions - horizon_days - backtest + 1
    scored = _window(complete.astype(float), lows, backtest)
    shape = (len(names), *scored.shape)
    mae, rmse, smape = (np.full(shape, np.nan) for _ in range(3))
    for index, name in enumerate(names):
        path = paths[name]
        usable = complete & np.isfinite(path)
        error = np.where(usable, path - realized, 0.0)
        size = np.abs(realized) + np.abs(path)
        with np.errstate(divide="ignore", invalid="ignore"):
            relative = np.where(usable & (size > 0), 200 * np.abs(error) / size, 0.0)
        missing = _window((complete & ~np.isfinite(path)).astype(float), lows, backtest)
        competes = (missing == 0) & (scored > 0) & np.isfinite(path[:, positions])
        with np.errstate(divide="ignore", invalid="ignore"):
            mae[index] = np.where(competes, _window(np.abs(error), lows, backtest) / scored, np.nan)
            rmse[index] = np.where(
                competes, np.sqrt(_window(error * error, lows, backtest) / scored), np.nan
            )
            smape[index] = np.where(competes, _window(relative, lows, backtest) / scored, np.nan)
    best = np.argmin(np.where(np.isnan(mae), np.inf, mae), axis=0)
    naive_mae = mae[0]
    best_mae = np.take_along_axis(mae, best[None], axis=0)[0]
    with np.errstate(divide="ignore", invalid="ignore"):
        best_ratio = best_mae / naive_mae
        naive_ratio = naive_mae / naive_mae
    wins = best_ratio < 1 - spec.min_improvement
    chosen = np.where(wins, best, 0)
    ratio = np.where(wins, best_ratio, naive_ratio)

    reasons, last = _problems(panel, positions, spec, settings)
    few = (reasons == None) & (scored < settings.min_backtest_days)  # noqa: E711
    for row, column in zip(*np.nonzero(few), strict=True):
        reasons[row, column] = (
            f"only {int(scored[row, column])} scored origins in the backtest window"
        )
    exact = (reasons == None) & (naive_mae == 0)  # noqa: E711
    reasons[exact] = "persistence was exact over the backtest"
    fallback = reasons != None  # noqa: E711
    chosen = np.where(fallback, 0, chosen)
    data_problem = fallback & ~exact
    ratio = np.where(data_problem, np.nan, ratio)

    stacked = np.stack([paths[name][:, positions] for name in names])
    value = np.take_along_axis(stacked, chosen[None], axis=0)[0]
    value = np.where(fallback, panel.values[:, positions - 1], value)
    if spec.lower_bound is not None:
        value = np.where(fallback, value, np.maximum(value, spec.lower_bound))
    z = float(norm.ppf(0.5 + settings.interval_level / 2))
    chosen_rmse = np.take_along_axis(rmse, chosen[None], axis=0)[0]
    spread = z * chosen_rmse * np.sqrt(np.maximum(positions - last, 1))
    for array in (mae, rmse, smape):
        array[:, data_problem] = np.nan
    return Selection(names, value, chosen, ratio, spread, reasons, mae, rmse, smape, scored)


def training_window(
    panel: SeriesPanel, row: int, refit: dt.date, settings: ForecastSettings
) -> tuple[dt.date, dt.date]:
    """The days the parameters in force after ``refit`` were estimated on, for one subject."""
    first_seen = int(np.argmax(panel.observed[row])) if panel.observed[row].any() else 0
    start = max(refit - dt.timedelta(days=settings.train_days), panel.date_at(first_seen))
    return start, refit - dt.timedelta(days=1)
