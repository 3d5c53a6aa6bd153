"""Steps 10–12: retrain, pool APY/TVL forecasts and the gas forecast (plain Python, no Prefect).

Every series gets the same treatment: a daily series is prepared (gaps carried forward, spikes
damped for the fitted models), each candidate model (its parameters estimated by statsmodels
every 28 days) is scored in a rolling-origin backtest against persistence, and a candidate
replaces persistence only when it beat it there. Results
land in the ``forecasts`` schema (see ``docs/data_contracts.md``); the flow calls
:func:`retrain_and_forecast_pools` and :func:`forecast_gas`.
"""

from python_models.forecasting.daily import (
    GasForecastSummary,
    PoolForecastSummary,
    forecast_gas,
    retrain_and_forecast_pools,
)

__all__ = [
    "GasForecastSummary",
    "PoolForecastSummary",
    "forecast_gas",
    "retrain_and_forecast_pools",
]
