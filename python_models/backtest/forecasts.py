"""Point-in-time forecasts for every backtest day in one pass per series.

The daily flow chooses each series' model in a rolling-origin backtest
(:func:`python_models.forecasting.model_selection.forecast_series`): every candidate forecasts the
last 60 days one step ahead, the lowest MAE wins if it beat persistence by the target's
margin, else persistence; short, stale or constant series fall back to persistence. Doing that
with the statsmodels candidates for 365 days x 200 pools is far too slow, so the backtest
keeps the same choice rule and the same fallbacks but only the forecasting module's
*fixed-rule* candidates (``fitted=False``: naive, mean_7d, drift_28d, and for gas also
seasonal_naive_7d). A fixed rule's forecast of day t depends on the days before t alone, so it
is computed once over the whole series; the choice for day D then reads the errors of the 60
days before D from cumulative sums. The result equals ``forecast_series`` with the fixed-rule
candidates for every day (``tests/backtest/test_forecasts.py`` checks that against it).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from python_models.forecasting.candidates import (
    GAS_CANDIDATES,
    NAIVE,
    POOL_CANDIDATES,
    Candidate,
)
from python_models.forecasting.daily import GAS_HISTORY_DAYS
from python_models.forecasting.model_selection import ForecastSettings
from python_models.forecasting.pools import POOL_TARGETS

PERSISTENCE = NAIVE.name
_SETTINGS = ForecastSettings()
# The number of last days whose range must not be zero (forecasting.model_selection._problem).
CONSTANT_CHECK_DAYS = _SETTINGS.train_days + _SETTINGS.backtest_days


@dataclass(frozen=True)
class ChoiceRules:
    """How one kind of series is forecast: candidates, history read, margin and bound."""

    candidates: tuple[Candidate, ...]
    window_days: int  # days of history the daily flow's series holds (ending the day before)
    min_improvement: float
    lower_bound: float | None = None
    log: bool = False


def _fixed(candidates: tuple[Candidate, ...]) -> tuple[Candidate, ...]:
    return tuple(candidate for candidate in candidates if not candidate.fitted)


POOL_RULES: dict[str, ChoiceRules] = {
    target: ChoiceRules(
        candidates=_fixed(POOL_CANDIDATES),
        # store.read_pool_histories reads train_days + backtest_days up to the day before.
        window_days=_SETTINGS.train_days + _SETTINGS.backtest_days,
        min_improvement=rules["min_improvement"],
        lower_bound=rules["lower_bound"],
    )
    for target, rules in POOL_TARGETS.items()
}
GAS_RULES = ChoiceRules(
    candidates=_fixed(GAS_CANDIDATES),
    # forecast_gas reads GAS_HISTORY_DAYS up to the run date; the series ends the day before.
    window_days=GAS_HISTORY_DAYS - 1,
    min_improvement=0.05,  # SeriesSpec's default, which forecast_gas_price keeps
    lower_bound=0.0,
    log=True,
)


def _rule_path(candidate: Candidate, values: np.ndarray) -> np.ndarray:
    """Forecast of every position 0..n from the positions before it (NaN where too early)."""
    path = np.full(len(values) + 1, np.nan)
    if len(values) >= candidate.min_train:
        path[candidate.min_train :] = candidate.predict(values, candidate.min_train)
    return path


def _window_sums(cumulative: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """Sum over positions lower..upper-1 from a cumulative sum with a leading zero."""
    return cumulative[upper] - cumulative[lower]


def series_forecasts(
    history: pd.Series,
    days: pd.DatetimeIndex,
    rules: ChoiceRules,
    settings: ForecastSettings = _SETTINGS,
) -> pd.DataFrame:
    """The forecast of each day in ``days`` from the observations dated before it.

    ``history`` holds the observed values indexed by day (gaps allowed). Returns ``value``
    (NaN without history) and ``model_name`` per day, as ``forecast_series`` would.
    """
    result = pd.DataFrame({"value": np.nan, "model_name": PERSISTENCE}, index=days)
    history = history.dropna().sort_index()
    history = history[~history.index.duplicated(keep="last")]
    if history.empty or days.empty:
        return result
    start = history.index[0]
    calendar = pd.date_range(start, max(days.max(), history.index[-1]), freq="D")
    observed_values = history.reindex(calendar)
    observed = observed_values.notna().to_numpy()
    values = observed_values.ffill().to_numpy(dtype=float)
    positions = ((days - start).days).to_numpy()
    inside = positions >= 1
    n = positions[inside]

    # Per position p: the next observed position >= p and the last observed position <= p.
    index = np.arange(len(calendar))
    next_observed = np.minimum.accumulate(np.where(observed, index, len(calendar))[::-1])[::-1]
    next_observed = np.append(next_observed, len(calendar))
    last_observed = np.maximum.accumulate(np.where(observed, index, -1))
    cum_observed = np.concatenate([[0], np.cumsum(observed)])

    window_start = next_observed[np.maximum(n - rules.window_days, 0)]
    has_history = window_start <= n - 1
    length = n - window_start
    last = last_observed[n - 1]
    count = _window_sums(cum_observed, window_start, n)
    stale = (n - last) - 1 > settings.max_stale_days
    short = count < settings.min_train_days + settings.min_backtest_days

    # Range of the last CONSTANT_CHECK_DAYS days of the series (carried-forward values).
    span = CONSTANT_CHECK_DAYS
    ffilled = pd.Series(values)
    observed_only = pd.Series(np.where(observed, values, np.nan))
    ptp_ffilled = (ffilled.rolling(span, 1).max() - ffilled.rolling(span, 1).min()).to_numpy()
    ptp_observed = (
        observed_only.rolling(span, 1).max() - observed_only.rolling(span, 1).min()
    ).to_numpy()
    constant = np.where(n - span >= window_start, ptp_ffilled[n - 1], ptp_observed[n - 1]) == 0
    if rules.log:
        non_positive = np.concatenate([[0], np.cumsum(values <= 0)])
        constant |= _window_sums(non_positive, window_start, n) > 0

    backtest = np.minimum(settings.backtest_days, length - settings.min_train_days)
    first = n - backtest
    scored = _window_sums(cum_observed, np.clip(first, 0, None), n)
    fallback = ~has_history | stale | short | constant | (scored < settings.min_backtest_days)

    model_input = np.log(np.where(values > 0, values, np.nan)) if rules.log else values
    paths: dict[str, np.ndarray] = {}
    maes: dict[str, np.ndarray] = {}
    safe_first = np.clip(first, 0, None)
    for candidate in rules.candidates:
        path = _rule_path(candidate, model_input)
        path = np.exp(path) if rules.log else path
        errors = np.where(observed, np.abs(path[:-1] - values), 0.0)
        cumulative = np.concatenate([[0], np.cumsum(np.nan_to_num(errors))])
        mae = _window_sums(cumulative, safe_first, n) / np.maximum(scored, 1)
        trained = np.minimum(first - window_start, settings.train_days) >= candidate.min_train
        paths[candidate.name] = path
        maes[candidate.name] = np.where(trained, mae, np.inf)

    naive_mae = maes[PERSISTENCE]
    best_name = np.full(len(n), PERSISTENCE, dtype=object)
    best_mae = naive_mae.copy()
    for name, mae in maes.items():
        better = mae < best_mae
        best_name = np.where(better, name, best_name)
        best_mae = np.where(better, mae, best_mae)
    with np.errstate(divide="ignore", invalid="ignore"):
        relative = best_mae / naive_mae
    # Persistence was exact over the backtest: a fallback too (the last value, unbounded).
    fallback |= naive_mae == 0
    chosen = np.where(fallback | ~(relative < 1 - rules.min_improvement), PERSISTENCE, best_name)

    value = values[n - 1].copy()
    for name, path in paths.items():
        picked = chosen == name
        value[picked] = path[n[picked]]
    if rules.lower_bound is not None:
        value = np.where(fallback, value, np.maximum(value, rules.lower_bound))
    value[~has_history] = np.nan
    result.loc[days[inside], "value"] = value
    result.loc[days[inside], "model_name"] = chosen
    return result


def panel_choices(
    history: pd.DataFrame, column: str, days: pd.DatetimeIndex, rules: ChoiceRules
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``series_forecasts`` of ``column`` for every ``subject_id`` of a long history frame.

    ``history`` has ``subject_id``, ``day`` and the column; the answer is two days x subjects
    frames: the forecast values and the model each day chose.
    """
    frames = {
        subject: series_forecasts(rows.set_index("day")[column], days, rules)
        for subject, rows in history.groupby("subject_id", sort=True)
    }
    values = pd.DataFrame(
        {subject: frame["value"] for subject, frame in frames.items()}, index=days
    )
    models = pd.DataFrame(
        {subject: frame["model_name"] for subject, frame in frames.items()}, index=days
    )
    return values, models


def panel_forecasts(
    history: pd.DataFrame, column: str, days: pd.DatetimeIndex, rules: ChoiceRules
) -> pd.DataFrame:
    """The forecast values of :func:`panel_choices` (days x subjects)."""
    return panel_choices(history, column, days, rules)[0]
