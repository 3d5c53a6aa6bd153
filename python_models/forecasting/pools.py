"""Pool forecasts (step 11): APY and TVL of every pool, pools fitted in parallel.

Pools are independent, so they are spread over worker processes in chunks. Results come back
in input order and every series is computed by the same deterministic code in the same kind
of worker process (even with one worker), so one worker and many give identical output.
Workers are started with ``spawn`` (the daily flow runs inside Prefect, whose threads make
``fork`` unsafe) and with single-threaded BLAS: the models' matrices are tiny, and BLAS
threads spinning against each other made the fits nine times slower on two cores.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

from python_models.forecasting.candidates import POOL_CANDIDATES
from python_models.forecasting.model_selection import ForecastSettings, SeriesForecast, SeriesSpec
from python_models.forecasting.model_selection import forecast_series as forecast_one
from python_models.forecasting.series import daily_series

# How each target behaves. APY spikes revert (damp them for the fitted models); TVL jumps
# (large deposits and withdrawals) persist and cannot go below zero. Both are so close to a
# random walk that a model must beat persistence by 10 % in the backtest before it is trusted.
# The margins were set with bench/forecast.py on the recorded 2024–25 histories (for APY, a
# margin of 0, 0.05, 0.10, 0.15, 0.20 gave a mean MAE ratio vs persistence of 1.010, 1.000, 0.998, 0.999, 1.000).
POOL_TARGETS: dict[str, dict[str, Any]] = {
    "apy_pct": {"lower_bound": None, "min_improvement": 0.10, "clean_outliers": True},
    "tvl_usd": {"lower_bound": 0.0, "min_improvement": 0.10, "clean_outliers": False},
}
# Several chunks per worker even out pools that take longer than others.
CHUNKS_PER_WORKER = 4


@dataclass(frozen=True)
class PoolHistory:
    """One pool's daily history as stored in ``marts.pool_daily_metrics``."""

    pool_id: str
    dates: np.ndarray
    apy_pct: np.ndarray
    tvl_usd: np.ndarray


def forecast_pool(
    history: PoolHistory, run_date: dt.date, settings: ForecastSettings
) -> list[SeriesForecast]:
    """Both targets of one pool for the day after ``run_date``, from data up to ``run_date``."""
    forecast_date = run_date + dt.timedelta(days=1)
    return [
        forecast_one(
            SeriesSpec(
                history.pool_id,
                target,
                daily_series(history.dates, getattr(history, target), run_date),
                **rules,
            ),
            forecast_date,
            POOL_CANDIDATES,
            settings,
        )
        for target, rules in POOL_TARGETS.items()
    ]


def forecast_pools(
    histories: Sequence[PoolHistory],
    run_date: dt.date,
    settings: ForecastSettings | None = None,
    workers: int | None = None,
) -> list[SeriesForecast]:
    """Forecast every pool on ``workers`` processes (default: all cores), in input order."""
    settings = settings or ForecastSettings()
    workers = max(1, min(workers or os.cpu_count() or 1, len(histories)))
    task = partial(forecast_pool, run_date=run_date, settings=settings)
    chunk = max(1, len(histories) // (workers * CHUNKS_PER_WORKER))
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=single_threaded_blas
    ) as executor:
        per_pool = list(executor.map(task, histories, chunksize=chunk))
    return [forecast for pool in per_pool for forecast in pool]


def single_threaded_blas() -> None:
    """Worker initializer: one BLAS thread per process (the fits' matrices are tiny)."""
    threadpool_limits(limits=1)
