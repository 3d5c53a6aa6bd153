"""The entry points the daily flow calls for steps 10–12.

Each reads the curated history dated before the run date (the run of D decides on data up
to D − 1), forecasts D, writes the ``forecasts`` schema (replacing the day's rows) and
returns a summary whose ``rows`` go into the run record. The numbers are the backtest's:
both come from :class:`~python_models.forecasting.panel.PanelForecaster`.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from psycopg2.extensions import connection

from python_models.forecasting import store
from python_models.forecasting.gas import forecast_gas_price, latest_eth_price, tx_cost_usd
from python_models.forecasting.model_selection import ForecastSettings
from python_models.forecasting.pools import forecast_pools, history_days
from python_models.forecasting.results import SeriesForecast

logger = logging.getLogger(__name__)

# Gas history to read: the forecast reads about 210 days (paths.lookback_days); the rest
# covers gaps, whose last value is carried forward.
GAS_HISTORY_DAYS = 400


@dataclass(frozen=True)
class PoolForecastSummary:
    """What step 10–11 did for one run date."""

    run_date: dt.date
    horizon_days: int
    pools: int
    rows: dict[str, int]
    models: dict[str, int]
    fallbacks: dict[str, int]
    seconds: float
    forecasts: list[SeriesForecast] = field(repr=False, default_factory=list)


@dataclass(frozen=True)
class GasForecastSummary:
    """What step 12 did for one run date."""

    run_date: dt.date
    gas_price_gwei: float | None
    tx_cost_usd: float | None
    model_name: str
    backtest_mae_ratio: float | None
    fallback_reason: str | None
    rows: dict[str, int]


def _reason_kind(reason: str) -> str:
    return reason.split(":")[0]


def retrain_and_forecast_pools(
    conn: connection,
    run_date: dt.date,
    pool_ids: Sequence[str],
    workers: int | None = None,
    settings: ForecastSettings | None = None,
    horizon_days: int = 1,
) -> PoolForecastSummary:
    """Steps 10–11: the mean APY over ``horizon_days`` from ``run_date`` and the TVL of
    ``run_date`` for ``pool_ids``, from history dated before it; write the day.

    ``workers``: at most this many processes for the statsmodels estimates (None: the
    cores, and only when the fits add up to seconds; ``estimation.py``).
    """
    settings = settings or ForecastSettings()
    started = time.perf_counter()
    pool_ids = sorted(set(pool_ids))
    days = history_days(horizon_days, settings)
    histories = store.read_pool_histories(conn, run_date, pool_ids, days)
    forecasts = forecast_pools(histories, run_date, horizon_days, settings, workers)
    rows = store.write_pool_forecasts(conn, run_date, forecasts)
    summary = PoolForecastSummary(
        run_date=run_date,
        horizon_days=horizon_days,
        pools=len(pool_ids),
        rows=rows,
        models=dict(Counter(f"{f.target}:{f.model_name}" for f in forecasts)),
        fallbacks=dict(
            Counter(_reason_kind(f.fallback_reason) for f in forecasts if f.fallback_reason)
        ),
        seconds=time.perf_counter() - started,
        forecasts=forecasts,
    )
    logger.info(
        "pool forecasts for %s (APY over %d days): %d pools, models %s, fallbacks %s, %.1fs",
        run_date,
        summary.horizon_days,
        summary.pools,
        summary.models,
        summary.fallbacks,
        summary.seconds,
    )
    return summary


def forecast_gas(
    conn: connection, run_date: dt.date, settings: ForecastSettings | None = None
) -> GasForecastSummary:
    """Step 12: the run date's gas price (gwei) and reference transfer cost (USD); write it."""
    daily, hourly = store.read_gas_history(conn, run_date, GAS_HISTORY_DAYS)
    result = forecast_gas_price(daily, hourly, run_date, settings)
    eth_price = latest_eth_price(daily, hourly, run_date)
    cost = tx_cost_usd(result.value, eth_price)
    rows = store.write_gas_forecast(conn, run_date, result, eth_price, cost)
    logger.info(
        "gas forecast for %s: %s gwei (%s), tx %s USD, fallback %s",
        run_date,
        result.value,
        result.model_name,
        cost,
        result.fallback_reason,
    )
    return GasForecastSummary(
        run_date=run_date,
        gas_price_gwei=result.value,
        tx_cost_usd=cost,
        model_name=result.model_name,
        backtest_mae_ratio=result.backtest_mae_ratio,
        fallback_reason=result.fallback_reason,
        rows=rows,
    )
