"""One day's forecasts as records: what the daily run writes and reports, with the evidence.

The panel's choice (``model_selection.Selection``) holds arrays over subjects and days; the
daily run needs, per subject, the forecast with its interval, the model and why, and each
candidate's backtest scores with the days its parameters were estimated on.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from python_models.forecasting.model_selection import Selection, training_window
from python_models.forecasting.panel import PanelForecaster
from python_models.forecasting.refits import refit_date


@dataclass(frozen=True)
class CandidateScore:
    """One candidate's backtest errors and the days the parameters in force were fitted on."""

    model_name: str
    mae: float
    rmse: float
    mae_ratio: float | None
    smape: float
    training_start: dt.date
    training_end: dt.date


@dataclass(frozen=True)
class SeriesForecast:
    """The forecast of one series for ``forecast_date`` (the mean over ``horizon_days`` from it)."""

    subject_id: str
    target: str
    forecast_date: dt.date
    horizon_days: int
    value: float | None
    lower: float | None
    upper: float | None
    model_name: str
    backtest_mae_ratio: float | None
    fallback_reason: str | None
    selected_training: tuple[dt.date, dt.date] | None = None
    scores: tuple[CandidateScore, ...] = ()


def _number(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None


def day_forecasts(
    forecaster: PanelForecaster, target: str, day: dt.date, horizon_days: int
) -> list[SeriesForecast]:
    """Every subject's forecast for ``day`` (from the days before it), in panel order."""
    panel, settings = forecaster.panel, forecaster.settings
    position = panel.position(day)
    if not 1 <= position <= panel.days:
        return [
            SeriesForecast(
                subject, target, day, horizon_days, None, None, None, "naive", None, "no history"
            )
            for subject in panel.subjects
        ]
    selection = forecaster.select(pd.DatetimeIndex([pd.Timestamp(day)]), horizon_days)
    refit = refit_date(day, settings.refit_every_days)
    return [
        _record(forecaster, selection, row, target, day, horizon_days, refit)
        for row in range(len(panel.subjects))
    ]


def _record(
    forecaster: PanelForecaster,
    selection: Selection,
    row: int,
    target: str,
    day: dt.date,
    horizon_days: int,
    refit: dt.date,
) -> SeriesForecast:
    spec = forecaster.spec
    value = _number(selection.value[row, 0])
    spread = _number(selection.spread[row, 0])
    lower = upper = None
    if value is not None and spread is not None:
        lower, upper = value - spread, value + spread
        if spec.lower_bound is not None:
            lower = max(lower, spec.lower_bound)
    training = training_window(forecaster.panel, row, refit, forecaster.settings)
    naive_mae = selection.mae[0, row, 0]
    scores = tuple(
        CandidateScore(
            name,
            float(selection.mae[index, row, 0]),
            float(selection.rmse[index, row, 0]),
            float(selection.mae[index, row, 0] / naive_mae) if naive_mae > 0 else None,
            float(selection.smape[index, row, 0]),
            *training,
        )
        for index, name in enumerate(selection.names)
        if np.isfinite(selection.mae[index, row, 0])
    )
    reason = selection.reasons[row, 0]
    return SeriesForecast(
        subject_id=forecaster.panel.subjects[row],
        target=target,
        forecast_date=day,
        horizon_days=horizon_days,
        value=value,
        lower=lower,
        upper=upper,
        model_name=str(selection.models[row, 0]),
        backtest_mae_ratio=_number(selection.ratio[row, 0]),
        fallback_reason=reason,
        selected_training=None if reason else training,
        scores=scores,
    )
