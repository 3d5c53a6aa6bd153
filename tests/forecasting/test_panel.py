"""One forecaster, two callers: the daily entry points give the backtest panel's numbers.

The daily run of D reads the marts (rows dated before D) and forecasts D; the backtest asks
``forecast_panel`` for a year of days at once. On recorded pools (long gaps included) and
the recorded gas series, on dates at and right after refit dates, the two agree exactly,
the daily run making its own statsmodels estimates (the panel's are forgotten first).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import numpy as np
import pandas as pd
import psycopg2
import pytest
from psycopg2.extras import execute_values

from core import db
from python_models.forecasting import estimation, forecast_gas, retrain_and_forecast_pools
from python_models.forecasting.gas import GAS_SUBJECT, gas_history
from python_models.forecasting.model_selection import ForecastSettings
from python_models.forecasting.panel import PanelForecaster, forecast_panel
from python_models.forecasting.paths import lookback_days
from python_models.forecasting.refits import refit_date
from python_models.forecasting.targets import APY, GAS, TARGETS, TVL
from tests.forecasting.conftest import recorded_chart, recorded_gas

POOLS = [
    "3dd2c646-c05a-4483-98f4-d7a924a6d6d3",  # gaps of 53–124 days before 2024-08-27
    "3e669ce8-74c5-4fc9-bf85-f40a924c6407",  # a 152-day gap to 2025-03-10
    "45ef8c9e-bab3-44ae-bcf1-3c38044e0399",  # a 25-day gap to 2025-05-20
    "84fb00e5-3c59-4878-8ebe-4fd601a861bd",  # since 2024-01
    "2608e751-41d4-47db-9b9c-4bf3a757fc1b",  # since 2022
    "aa70268e-4b52-42bf-a116-608b370f9501",  # Aave v3 USDC
    "4438dabc-7f0c-430b-8136-2722711ae663",  # Fluid USDC
]
REFITS = [dt.date(2024, 12, 30), dt.date(2025, 3, 24), dt.date(2025, 5, 19)]
DATES = sorted(
    {
        dt.date(2024, 8, 28),
        dt.date(2024, 9, 15),
        dt.date(2025, 3, 12),
        dt.date(2025, 5, 22),
        dt.date(2025, 6, 5),
        *REFITS,
        *(day + dt.timedelta(days=1) for day in REFITS),
    }
)
HORIZONS = (1, 7, 30)

MARTS_DDL = """
create schema if not exists marts;
create table marts.pool_daily_metrics (
    pool_id text not null, metric_date date not null, apy_pct double precision,
    tvl_usd double precision, primary key (pool_id, metric_date)
);
create table marts.gas_fees_daily (
    gas_date date primary key, avg_gas_price_gwei numeric, eth_price_usd numeric
);
create table marts.gas_fees_hourly (
    gas_hour timestamptz primary key, avg_gas_price_gwei numeric, eth_price_usd numeric
);
"""


@pytest.fixture(scope="module")
def history() -> pd.DataFrame:
    return pd.concat([recorded_chart(pool) for pool in POOLS], ignore_index=True)


@pytest.fixture(scope="module")
def gas() -> pd.DataFrame:
    frame = recorded_gas()
    return frame[frame["gas_date"] >= dt.date(2022, 1, 1)].assign(eth_price_usd=2500.0)


@pytest.fixture(scope="module")
def conn(pg, history, gas) -> Iterator[psycopg2.extensions.connection]:
    info = db.connection_info(f"{pg.dbname}_forecast_panel")
    connection = psycopg2.connect(info.uri())
    try:
        with connection, connection.cursor() as cur:
            cur.execute(MARTS_DDL)
            rows = history[["subject_id", "day", "apy_pct", "tvl_usd"]].astype(object)
            rows = rows.where(rows.notna(), None)
            rows["day"] = history["day"].dt.date
            execute_values(
                cur,
                "insert into marts.pool_daily_metrics values %s",
                list(rows.itertuples(index=False, name=None)),
            )
            execute_values(
                cur,
                "insert into marts.gas_fees_daily values %s",
                [(r.gas_date, r.avg_gas_price_gwei, r.eth_price_usd) for r in gas.itertuples()],
            )
        yield connection
    finally:
        connection.close()
        db.drop_database(info)


def _panel(history: pd.DataFrame, target: str, horizon: int) -> pd.DataFrame:
    rows = history.rename(columns={target: "value"})[["subject_id", "day", "value"]]
    return forecast_panel(rows, target, pd.DatetimeIndex(DATES), horizon)[0]


@pytest.mark.parametrize("horizon", HORIZONS)
def test_daily_pool_forecasts_equal_the_panel(conn, history, horizon):
    apy = _panel(history, APY, horizon)
    tvl = _panel(history, TVL, 1)
    estimation.clear()
    compared = 0
    for day in DATES:
        summary = retrain_and_forecast_pools(conn, day, POOLS, horizon_days=horizon)
        for forecast in summary.forecasts:
            panel = apy if forecast.target == APY else tvl
            expected = panel.loc[pd.Timestamp(day), forecast.subject_id]
            assert forecast.forecast_date == day
            if np.isnan(expected):
                assert forecast.value is None, (day, forecast)
            else:
                assert forecast.value == expected, (day, forecast)  # bit for bit
                compared += 1
    assert compared > len(DATES) * len(POOLS)


def test_daily_gas_forecast_equals_the_panel(conn, gas):
    daily = gas[["gas_date", "avg_gas_price_gwei", "eth_price_usd"]]
    hourly = pd.DataFrame(columns=["gas_hour", "avg_gas_price_gwei", "eth_price_usd"])
    panel = forecast_panel(gas_history(daily, hourly), GAS, pd.DatetimeIndex(DATES))[0]
    estimation.clear()
    models = set()
    for day in DATES:
        summary = forecast_gas(conn, day)
        assert summary.gas_price_gwei == panel.loc[pd.Timestamp(day), GAS_SUBJECT], day
        models.add(summary.model_name)
    assert models > {"naive"}


def test_the_run_dates_own_row_is_never_read(conn):
    day = DATES[-1]
    before = retrain_and_forecast_pools(conn, day, POOLS, horizon_days=7)
    with conn, conn.cursor() as cur:
        cur.execute(
            "insert into marts.pool_daily_metrics values ('snapshot-only', %s, 5, 1e6)"
            " on conflict do nothing",
            (day,),
        )
        cur.execute(
            "update marts.pool_daily_metrics set apy_pct = apy_pct * 10, tvl_usd = 0"
            " where metric_date >= %s",
            (day,),
        )
    after = retrain_and_forecast_pools(conn, day, [*POOLS, "snapshot-only"], horizon_days=7)
    assert after.forecasts[: len(before.forecasts)] == before.forecasts
    assert after.forecasts[-1].fallback_reason == "no history"


@pytest.mark.parametrize(("target", "horizon"), [(APY, 1), (APY, 30), (TVL, 1)])
def test_a_forecast_reads_only_a_bounded_past(history, target, horizon):
    """The days before the lookback (bar the value carried in) and the days from D on
    change nothing: a forecast depends on the series up to D − 1 and the refit calendar."""
    rows = history.rename(columns={target: "value"})[["subject_id", "day", "value"]]
    rows = rows[rows["value"].notna()]
    settings = ForecastSettings()
    full = PanelForecaster(rows, target, dt.date(2025, 6, 30)).frames(
        pd.DatetimeIndex(DATES), horizon
    )[0]
    for day in DATES:
        stamp = pd.Timestamp(day)
        since = stamp - pd.Timedelta(days=lookback_days(TARGETS[target], horizon, settings))
        before = rows[rows["day"] < since].groupby("subject_id").tail(1)
        recent = rows[(rows["day"] >= since) & (rows["day"] < stamp)]
        future = rows[rows["day"] >= stamp].assign(value=lambda f: f["value"] * 3)
        altered = pd.concat([before, recent, future])
        cut = PanelForecaster(altered, target, dt.date(2025, 6, 30), subjects=list(full.columns))
        pd.testing.assert_series_equal(
            cut.frames(pd.DatetimeIndex([day]), horizon)[0].iloc[0], full.loc[stamp]
        )


def test_horizons_and_margins_reuse_the_fitted_blocks(history):
    rows = history.rename(columns={APY: "value"})[["subject_id", "day", "value"]]
    forecaster = PanelForecaster(rows, APY, dt.date(2025, 6, 4))
    days = pd.date_range("2024-09-01", "2025-06-05")
    one = forecaster.frames(days, 7)
    fitted = set(forecaster._paths._fitted_blocks)
    again = forecaster.frames(days, 7)
    other = forecaster.frames(days, 14, min_improvement=0.0)
    assert forecaster._paths._fitted_blocks == fitted  # 14 days reaches no earlier block
    pd.testing.assert_frame_equal(one[0], again[0])
    assert not one[0].equals(other[0])
    assert refit_date(dt.date(2025, 5, 20), 28) == dt.date(2025, 5, 19)
