"""Pool forecasts (steps 10–11): APY over the holding period and next-day TVL, every pool.

The run of day D decides on data dated up to D − 1 (the D row of ``pool_daily_metrics`` is
the /pools snapshot, a copy of D − 1): each pool's APY forecast is the mean of D … D + h − 1
(h: the strategy's ``horizon_days``), its TVL forecast is D's. Both come from the same
:class:`~python_models.forecasting.panel.PanelForecaster` the backtest runs over a year, asked
for one day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from python_models.forecasting.model_selection import ForecastSettings
from python_models.forecasting.panel import PanelForecaster
from python_models.forecasting.paths import lookback_days
from python_models.forecasting.results import SeriesForecast, day_forecasts
from python_models.forecasting.targets import APY, TARGETS, TVL


@dataclass(frozen=True)
class PoolHistory:
    """One pool's daily history as stored in ``marts.pool_daily_metrics``."""

    pool_id: str
    dates: np.ndarray
    apy_pct: np.ndarray
    tvl_usd: np.ndarray


def history_days(horizon_days: int, settings: ForecastSettings) -> int:
    """Days of history before the run date the pool forecasts read (both targets)."""
    return max(
        lookback_days(TARGETS[APY], horizon_days, settings),
        lookback_days(TARGETS[TVL], 1, settings),
    )


def _long(histories: Sequence[PoolHistory], target: str) -> pd.DataFrame:
    """One target of every pool as ``subject_id, day, value`` rows."""
    return pd.DataFrame(
        {
            "subject_id": np.repeat(
                [h.pool_id for h in histories], [len(h.dates) for h in histories]
            ).astype(object),
            "day": pd.to_datetime(np.concatenate([np.asarray(h.dates) for h in histories])),
            "value": np.concatenate([np.asarray(getattr(h, target), float) for h in histories]),
        }
    )


def forecast_pools(
    histories: Sequence[PoolHistory],
    run_date: dt.date,
    horizon_days: int = 1,
    settings: ForecastSettings | None = None,
    workers: int | None = None,
) -> list[SeriesForecast]:
    """APY (mean over ``horizon_days`` from ``run_date``) and TVL of every pool, in input
    order (APY then TVL per pool), from history dated before ``run_date``. ``workers``: at
    most this many processes for the statsmodels estimates (None: as many as pay)."""
    settings = settings or ForecastSettings()
    pool_ids = [history.pool_id for history in histories]
    end = run_date - dt.timedelta(days=1)
    by_target = {}
    for target, horizon in ((APY, horizon_days), (TVL, 1)):
        forecaster = PanelForecaster(
            _long(histories, target), target, end, settings, pool_ids, workers=workers
        )
        by_target[target] = day_forecasts(forecaster, target, run_date, horizon)
    return [
        forecast for pair in zip(by_target[APY], by_target[TVL], strict=True) for forecast in pair
    ]
