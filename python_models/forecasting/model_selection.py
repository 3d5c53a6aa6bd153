"""Forecast model selection: rolling-origin backtest, model choice and the forecast of one series.

For a series ending on day n−1 (the day before the forecast date), every candidate is fitted
on the ``train_days`` before the backtest window and forecasts each of the last
``backtest_days`` days one step ahead from the data before it (parameters fixed inside the
window, state updated every day: no look-ahead). The candidate with the lowest MAE wins only
if it clearly beat persistence on those same days (MAE ratio vs persistence < 1 − ``min_improvement``, a margin
set per target in :class:`SeriesSpec`); otherwise the
forecast is persistence. The winner is then refitted on the latest ``train_days`` (the
retrain of step 10) and forecasts the next day. The 80 % interval is the forecast ± z·RMSE
of the winner's own backtest errors, i.e. the error it actually made out of sample.

Anything the data cannot support (no history, too short, stale, constant, persistence exact)
or a failing refit gives persistence with ``fallback_reason`` saying why; a candidate that
fails in the backtest is dropped and listed in ``failures``. Nothing here raises on data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.stats import norm

from python_models.forecasting import metrics
from python_models.forecasting.candidates import NAIVE, Candidate
from python_models.forecasting.series import DailySeries, hampel_clean


@dataclass(frozen=True)
class ForecastSettings:
    """Backtest and fallback parameters (days unless noted)."""

    backtest_days: int = 60
    train_days: int = 120
    min_train_days: int = 14
    min_backtest_days: int = 7
    max_stale_days: int = 3
    interval_level: float = 0.8
    hampel_window: int = 14
    hampel_sigmas: float = 5.0


@dataclass(frozen=True)
class Transform:
    """A monotone transform the models work in (e.g. log for gas prices); scores stay raw."""

    forward: Callable[[np.ndarray], np.ndarray]
    inverse: Callable[[np.ndarray], np.ndarray]


IDENTITY = Transform(np.asarray, np.asarray)
LOG = Transform(np.log, np.exp)


@dataclass(frozen=True)
class CandidateScore:
    """One candidate's backtest errors and the data its parameters were estimated on."""

    model_name: str
    mae: float
    rmse: float
    mae_ratio: float | None
    smape: float
    training_start: dt.date
    training_end: dt.date


@dataclass(frozen=True)
class SeriesForecast:
    """The forecast of one series for ``forecast_date``, with the evidence behind it."""

    subject_id: str
    target: str
    forecast_date: dt.date
    value: float | None
    lower: float | None
    upper: float | None
    model_name: str
    backtest_mae_ratio: float | None
    fallback_reason: str | None
    selected_training: tuple[dt.date, dt.date] | None = None
    scores: tuple[CandidateScore, ...] = ()
    failures: tuple[tuple[str, str], ...] = field(default=())


@dataclass(frozen=True)
class SeriesSpec:
    """What to forecast: identity, target, history and how the target behaves."""

    subject_id: str
    target: str
    series: DailySeries
    transform: Transform = IDENTITY
    lower_bound: float | None = None  # e.g. 0 for TVL and gas prices
    # A candidate must reach an MAE ratio vs persistence < 1 − this to replace persistence: with many
    # candidates and a short window the best one often won by luck.
    min_improvement: float = 0.05
    # Damp spikes for the fitted models (APY, gas); off where jumps persist (TVL).
    clean_outliers: bool = True


def one_step_path(
    candidate: Candidate,
    model_input: np.ndarray,
    first: int,
    last: int,
    refit_every: int,
    train_days: int,
) -> np.ndarray:
    """One-step forecasts of positions ``first..last`` (``last`` may be ``len``: tomorrow).

    The parameters are re-estimated at ``first``, ``first + refit_every``, … on the
    ``train_days`` before each refit point; between refits only the state moves on.
    """
    blocks = []
    for refit in range(first, last + 1, refit_every):
        end = min(refit + refit_every - 1, last)
        start = max(0, refit - train_days)
        blocks.append(candidate.predict(model_input[start:end], refit - start))
    return np.concatenate(blocks)


def _fallback(
    spec: SeriesSpec,
    forecast_date: dt.date,
    reason: str,
    level: float,
    scores: tuple[CandidateScore, ...] = (),
    failures: tuple[tuple[str, str], ...] = (),
    backtest_mae_ratio: float | None = None,
) -> SeriesForecast:
    """Persistence with the reason; the interval from day-to-day changes when there are any."""
    series = spec.series
    value = spread = None
    if series.last_observed is not None:
        history = series.values[series.observed]
        value = float(history[-1])
        if len(history) > 1:
            days = (forecast_date - series.last_observed).days
            spread = _z(level) * metrics.rmse(np.diff(history)) * np.sqrt(days)
    lower, upper = _interval(value, spread, spec.lower_bound)
    return SeriesForecast(
        spec.subject_id,
        spec.target,
        forecast_date,
        value,
        lower,
        upper,
        NAIVE.name,
        backtest_mae_ratio,
        reason,
        scores=scores,
        failures=failures,
    )


def _z(level: float) -> float:
    return float(norm.ppf(0.5 + level / 2))


def _interval(
    value: float | None, spread: float | None, lower_bound: float | None
) -> tuple[float | None, float | None]:
    if value is None or spread is None:
        return None, None
    lower = value - spread
    if lower_bound is not None:
        lower = max(lower, lower_bound)
    return lower, value + spread


def _problem(spec: SeriesSpec, forecast_date: dt.date, settings: ForecastSettings) -> str | None:
    """Why the data cannot support a model choice, or None."""
    series = spec.series
    if series.last_observed is None:
        return "no history"
    stale = (forecast_date - series.last_observed).days - 1
    if stale > settings.max_stale_days:
        return f"stale: last observation {series.last_observed} ({stale} days before the last day)"
    observed = int(series.observed.sum())
    needed = settings.min_train_days + settings.min_backtest_days
    if observed < needed:
        return f"short series: {observed} observed days, {needed} needed"
    recent = series.values[-(settings.train_days + settings.backtest_days) :]
    if np.ptp(recent) == 0:
        return "constant series"
    if spec.transform is LOG and np.any(series.values <= 0):
        return "non-positive values where a log model is required"
    return None


def backtest_paths(
    spec: SeriesSpec,
    candidates: Sequence[Candidate],
    settings: ForecastSettings,
    first: int,
    last: int,
    refit_every: int,
) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """Every candidate's one-step forecasts of positions ``first..last`` on the raw scale.

    A candidate that fails in any way (statsmodels raises many kinds of errors on odd data)
    is dropped with the reason instead of stopping the run.
    """
    values = spec.series.values
    model_input = spec.transform.forward(values)
    scale = float(np.median(np.abs(model_input[:first]))) or 1.0
    raw = model_input / scale
    cleaned = (
        hampel_clean(raw, settings.hampel_window, settings.hampel_sigmas)
        if spec.clean_outliers
        else raw
    )
    paths: dict[str, np.ndarray] = {}
    failures: dict[str, str] = {}
    for candidate in candidates:
        if first - max(0, first - settings.train_days) < candidate.min_train:
            failures[candidate.name] = f"needs {candidate.min_train} training days"
            continue
        source = cleaned if candidate.fitted else raw
        try:
            path = one_step_path(candidate, source, first, last, refit_every, settings.train_days)
        except Exception as error:
            failures[candidate.name] = f"{type(error).__name__}: {error}"
            continue
        paths[candidate.name] = spec.transform.inverse(path * scale)
    return paths, failures


def choose(errors: dict[str, np.ndarray], min_improvement: float) -> tuple[str, float | None]:
    """The candidate with the lowest MAE if it beat persistence, else persistence."""
    naive_mae = metrics.mae(errors[NAIVE.name])
    best_name, best_mae = NAIVE.name, naive_mae
    for name, error in errors.items():
        candidate_mae = metrics.mae(error)
        if candidate_mae < best_mae:
            best_name, best_mae = name, candidate_mae
    relative = metrics.mae_ratio_vs_persistence(best_mae, naive_mae)
    if relative is None or relative >= 1 - min_improvement:
        return NAIVE.name, metrics.mae_ratio_vs_persistence(naive_mae, naive_mae)
    return best_name, relative


def forecast_series(
    spec: SeriesSpec,
    forecast_date: dt.date,
    candidates: Sequence[Candidate],
    settings: ForecastSettings,
) -> SeriesForecast:
    """Backtest, choose, refit and forecast one series; never raises on bad data."""
    problem = _problem(spec, forecast_date, settings)
    level = settings.interval_level
    if problem:
        return _fallback(spec, forecast_date, problem, level)
    series = spec.series
    n = len(series.values)
    backtest = min(settings.backtest_days, n - settings.min_train_days)
    first = n - backtest
    scored = series.observed[first:]
    if scored.sum() < settings.min_backtest_days:
        reason = f"only {int(scored.sum())} observed days in the backtest window"
        return _fallback(spec, forecast_date, reason, level)
    paths, failures = backtest_paths(spec, candidates, settings, first, n - 1, backtest)
    actuals = series.values[first:][scored]
    errors = {name: path[scored] - actuals for name, path in paths.items()}
    naive_mae = metrics.mae(errors[NAIVE.name])
    training = (series.date_at(max(0, first - settings.train_days)), series.date_at(first - 1))
    scores = tuple(
        CandidateScore(
            name,
            metrics.mae(error),
            metrics.rmse(error),
            metrics.mae_ratio_vs_persistence(metrics.mae(error), naive_mae),
            metrics.smape(actuals, paths[name][scored]),
            *training,
        )
        for name, error in errors.items()
    )
    failed = tuple(sorted(failures.items()))
    chosen, chosen_ratio = choose(errors, spec.min_improvement)
    evidence = {"scores": scores, "failures": failed, "backtest_mae_ratio": chosen_ratio}
    if naive_mae == 0:
        reason = "persistence was exact over the backtest"
        return _fallback(spec, forecast_date, reason, level, **evidence)
    model = [candidate for candidate in candidates if candidate.name == chosen]
    latest, refit_failures = backtest_paths(spec, model, settings, n, n, 1)
    if chosen not in latest:
        reason = f"{chosen} refit failed: {refit_failures.get(chosen, 'no forecast')}"
        return _fallback(spec, forecast_date, reason, level, **evidence)
    value = float(latest[chosen][-1])
    days = (forecast_date - series.last_observed).days
    spread = _z(level) * metrics.rmse(errors[chosen]) * np.sqrt(days)
    lower, upper = _interval(value, spread, spec.lower_bound)
    if spec.lower_bound is not None:
        value = max(value, spec.lower_bound)
    return SeriesForecast(
        spec.subject_id,
        spec.target,
        forecast_date,
        value,
        lower,
        upper,
        chosen,
        chosen_ratio,
        None,
        selected_training=(series.date_at(max(0, n - settings.train_days)), series.date_at(n - 1)),
        scores=scores,
        failures=failed,
    )


@dataclass(frozen=True)
class Evaluation:
    """Out-of-sample one-step errors of the chosen models and of persistence, same days."""

    chosen_errors: np.ndarray
    naive_errors: np.ndarray
    chosen_models: tuple[str, ...]

    @property
    def mae_ratio(self) -> float | None:
        return metrics.mae_ratio_vs_persistence(
            metrics.mae(self.chosen_errors), metrics.mae(self.naive_errors)
        )


def rolling_evaluation(
    spec: SeriesSpec,
    candidates: Sequence[Candidate],
    settings: ForecastSettings,
    eval_days: int,
) -> Evaluation | None:
    """Replay the daily choice over the last ``eval_days`` days without look-ahead.

    On each day t the model is chosen exactly as the daily run does, from the one-step errors
    of the ``backtest_days`` before t, and its forecast of t is scored. Parameters are refitted
    every ``backtest_days`` days (the daily run refits every day, so this is if anything
    pessimistic). None when the series is too short for the replay.
    """
    series = spec.series
    n, backtest = len(series.values), settings.backtest_days
    first = n - eval_days - backtest
    if first < settings.min_train_days or np.ptp(series.values[first:]) == 0:
        return None
    paths, _ = backtest_paths(spec, candidates, settings, first, n - 1, backtest)
    chosen_errors, naive_errors, chosen_models = [], [], []
    for day in range(n - eval_days, n):
        if not series.observed[day]:
            continue
        seen = series.observed[day - backtest : day]
        actual_window = series.values[day - backtest : day][seen]
        offset = day - first
        errors = {
            name: path[offset - backtest : offset][seen] - actual_window
            for name, path in paths.items()
        }
        chosen = choose(errors, spec.min_improvement)[0] if seen.any() else NAIVE.name
        chosen_models.append(chosen)
        chosen_errors.append(paths[chosen][offset] - series.values[day])
        naive_errors.append(paths[NAIVE.name][offset] - series.values[day])
    return Evaluation(np.array(chosen_errors), np.array(naive_errors), tuple(chosen_models))
