"""Gas forecast (step 12): today's average gas price in gwei and the USD cost of a transfer.

The series is the Etherscan daily average (``marts.gas_fees_daily``), extended with the mean
of the hourly history (``marts.gas_fees_hourly``) for complete days the daily table does not
have yet (Etherscan publishes a day late). The forecast is for the run date itself from the
days before it: the day's average is not known while it is running. Gas prices move in
ratios, so the models work on the log price; the weekly model (ETS with a 7-day season) joins
once four weeks of training data exist. One series, so both fitted models are estimated by
statsmodels' maximum-likelihood fits (``ARIMA(0,1,1)``, ``ETSModel``) at each refit date. The backtest forecasts the same series with
``forecast_panel(gas_history(daily, hourly), "gas_price_gwei", days)``.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from python_models.forecasting.model_selection import ForecastSettings
from python_models.forecasting.panel import PanelForecaster
from python_models.forecasting.results import SeriesForecast, day_forecasts
from python_models.forecasting.targets import GAS

GAS_SUBJECT = "ethereum"
# The reference transaction for tx_cost_usd: a plain ETH transfer.
REFERENCE_TRANSFER_GAS = 21_000
GWEI_IN_ETH = 1e-9
# A day of hourly history counts as complete with this many hours.
MIN_HOURS_PER_DAY = 20


def daily_gas(daily: pd.DataFrame, hourly: pd.DataFrame) -> pd.Series:
    """Average gwei per day: the daily table, completed by full days of hourly data."""
    from_daily = pd.Series(
        daily["avg_gas_price_gwei"].to_numpy(dtype=float),
        index=pd.to_datetime(daily["gas_date"]),
    ).dropna()
    hours = pd.Series(
        hourly["avg_gas_price_gwei"].to_numpy(dtype=float),
        index=pd.DatetimeIndex(pd.to_datetime(hourly["gas_hour"], utc=True)).tz_localize(None),
    ).dropna()
    by_day = hours.groupby(hours.index.normalize()).agg(["mean", "count"])
    from_hourly = by_day.loc[by_day["count"] >= MIN_HOURS_PER_DAY, "mean"]
    return from_daily.combine_first(from_hourly).sort_index()


def latest_eth_price(daily: pd.DataFrame, hourly: pd.DataFrame, run_date: dt.date) -> float | None:
    """The most recent ETH price (USD) known on ``run_date``: hourly first, else daily."""
    end = pd.Timestamp(run_date) + pd.Timedelta(days=1)
    hours = hourly.assign(at=pd.to_datetime(hourly["gas_hour"], utc=True).dt.tz_localize(None))
    hours = hours.loc[(hours["at"] < end) & hours["eth_price_usd"].notna()].sort_values("at")
    if not hours.empty:
        return float(hours["eth_price_usd"].iloc[-1])
    days = daily.assign(at=pd.to_datetime(daily["gas_date"]))
    days = days.loc[(days["at"] < end) & days["eth_price_usd"].notna()].sort_values("at")
    return float(days["eth_price_usd"].iloc[-1]) if not days.empty else None


def tx_cost_usd(gas_price_gwei: float | None, eth_price_usd: float | None) -> float | None:
    """USD cost of the 21,000-gas reference transfer."""
    if gas_price_gwei is None or eth_price_usd is None:
        return None
    return REFERENCE_TRANSFER_GAS * gas_price_gwei * GWEI_IN_ETH * eth_price_usd


def gas_history(daily: pd.DataFrame, hourly: pd.DataFrame) -> pd.DataFrame:
    """The daily gas series as the forecaster's ``subject_id, day, value`` rows."""
    series = daily_gas(daily, hourly)
    return pd.DataFrame({"subject_id": GAS_SUBJECT, "day": series.index, "value": series.values})


def forecast_gas_price(
    daily: pd.DataFrame,
    hourly: pd.DataFrame,
    run_date: dt.date,
    settings: ForecastSettings | None = None,
) -> SeriesForecast:
    """The run date's average gas price from the days before it."""
    end = run_date - dt.timedelta(days=1)
    forecaster = PanelForecaster(gas_history(daily, hourly), GAS, end, settings, [GAS_SUBJECT])
    return day_forecasts(forecaster, GAS, run_date, 1)[0]
