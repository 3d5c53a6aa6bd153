"""Steps 10–12 against a real PostgreSQL: marts in, ``forecasts`` schema out, idempotent.

The marts are built by dbt elsewhere; here a database of its own (on the session's server)
gets minimal ``marts`` tables with the contract columns, filled from recorded history.
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
from python_models.forecasting import forecast_gas, retrain_and_forecast_pools
from python_models.forecasting.gas import REFERENCE_TRANSFER_GAS

RUN_DATE = dt.date(2025, 5, 31)
AAVE = "aa70268e-4b52-42bf-a116-608b370f9501"
FLUID = "4438dabc-7f0c-430b-8136-2722711ae663"
SHORT = "9674ffb3-faaf-4d93-99e7-1175ca0ad643"

MARTS_DDL = """
create schema if not exists marts;
create table marts.pool_daily_metrics (
    pool_id text not null, metric_date date not null, apy_pct double precision,
    apy_base_pct double precision, apy_reward_pct double precision, tvl_usd double precision,
    primary key (pool_id, metric_date)
);
create table marts.gas_fees_daily (
    gas_date date primary key, avg_gas_price_gwei numeric, eth_price_usd numeric,
    forecast_gas_price_gwei numeric
);
create table marts.gas_fees_hourly (
    gas_hour timestamptz primary key, avg_gas_price_gwei numeric, base_fee_gwei numeric,
    eth_price_usd numeric
);
"""


@pytest.fixture(scope="module")
def conn(pg, real_pools, gas_daily) -> Iterator[psycopg2.extensions.connection]:
    info = db.connection_info(f"{pg.dbname}_forecasting")
    connection = psycopg2.connect(info.uri())
    try:
        with connection, connection.cursor() as cur:
            cur.execute(MARTS_DDL)
            pool_rows = [
                (pool_id, row.date.date(), row.apy, row.apy_base, row.apy_reward, row.tvl)
                for pool_id, frame in real_pools.items()
                for row in frame.itertuples()
            ]
            # a gap and a null in the aave history: bad rows must not stop the run
            pool_rows = [row for row in pool_rows if not (row[0] == AAVE and row[1].day == 15)]
            pool_rows.append((FLUID, dt.date(2025, 7, 1), None, None, None, None))
            execute_values(cur, "insert into marts.pool_daily_metrics values %s", _plain(pool_rows))
            # Etherscan publishes a day late: the run date's eve comes from hourly data only
            daily = gas_daily[gas_daily["gas_date"] != RUN_DATE - dt.timedelta(days=1)]
            execute_values(
                cur,
                "insert into marts.gas_fees_daily (gas_date, avg_gas_price_gwei, eth_price_usd)"
                " values %s",
                _plain(daily.itertuples(index=False, name=None)),
            )
            execute_values(
                cur, "insert into marts.gas_fees_hourly values %s", _plain(_hourly(gas_daily))
            )
        yield connection
    finally:
        connection.close()
        db.drop_database(info)


def _plain(rows) -> list[tuple]:
    """Python scalars for the driver (psycopg2 does not adapt numpy's)."""
    return [tuple(v.item() if isinstance(v, np.generic) else v for v in row) for row in rows]


def _hourly(gas_daily: pd.DataFrame) -> list[tuple]:
    """Hourly rows for the last 7 days to the run date, shaped around the real daily average."""
    rows = []
    recent = gas_daily[
        (gas_daily["gas_date"] > RUN_DATE - dt.timedelta(days=7))
        & (gas_daily["gas_date"] <= RUN_DATE)
    ]
    for day in recent.itertuples():
        for hour in range(24):
            at = dt.datetime.combine(day.gas_date, dt.time(hour), tzinfo=dt.UTC)
            gwei = day.avg_gas_price_gwei * (1 + 0.2 * np.sin(2 * np.pi * hour / 24))
            rows.append((at, gwei, gwei * 0.9, day.eth_price_usd + hour))
    return rows


def _table(conn, query: str, params=()) -> pd.DataFrame:
    with conn.cursor() as cur:
        cur.execute(query, params)
        return pd.DataFrame(cur.fetchall(), columns=[c.name for c in cur.description])


def test_pool_forecasts_and_metrics_are_written_for_every_pool(conn):
    pools = [AAVE, FLUID, SHORT, "unknown-pool"]
    summary = retrain_and_forecast_pools(conn, RUN_DATE, pools, horizon_days=7)
    forecasts = _table(
        conn, "select * from forecasts.pool_forecasts where run_date = %s", (RUN_DATE,)
    )
    assert len(forecasts) == 8 == summary.rows["pool_forecasts"]
    # the run of D decides D on data up to D − 1: the APY is the mean of D … D + 6
    assert set(forecasts["forecast_date"]) == {RUN_DATE}
    by_key = forecasts.set_index(["pool_id", "target"])
    assert by_key.xs("apy_pct", level="target")["horizon_days"].eq(7).all()
    assert by_key.xs("tvl_usd", level="target")["horizon_days"].eq(1).all()
    assert by_key.loc[("unknown-pool", "apy_pct"), "fallback_reason"] == "no history"
    assert by_key.loc[(SHORT, "tvl_usd"), "fallback_reason"].startswith("short series")
    for pool in (AAVE, FLUID):
        for target in ("apy_pct", "tvl_usd"):
            row = by_key.loc[(pool, target)]
            assert pd.isna(row["fallback_reason"])
            assert row["lower_80"] <= row["forecast_value"] <= row["upper_80"]
    metrics = _table(conn, "select * from forecasts.model_performance_metrics")
    assert len(metrics) == summary.rows["model_performance_metrics"]
    assert set(metrics["metric"]) == {"mae", "rmse", "mase", "smape"}
    assert set(metrics["subject_id"]) == {AAVE, FLUID}
    selected = metrics[metrics["is_selected"] & (metrics["metric"] == "mase")]
    assert len(selected) == 4  # one chosen model per pool and target
    assert set(metrics.loc[metrics["target"] == "apy_pct", "horizon_days"]) == {7}
    naive = metrics[(metrics["model_name"] == "naive") & (metrics["metric"] == "mase")]
    assert np.allclose(naive["metric_value"].astype(float), 1.0)
    assert (metrics["training_end"] < RUN_DATE).all()


def test_rerunning_a_day_replaces_its_rows_and_never_reads_its_own_day(conn):
    first = retrain_and_forecast_pools(conn, RUN_DATE, [AAVE, FLUID])
    with conn, conn.cursor() as cur:
        cur.execute(
            "update marts.pool_daily_metrics set apy_pct = apy_pct * 10, tvl_usd = 0"
            " where metric_date >= %s",
            (RUN_DATE,),
        )
    second = retrain_and_forecast_pools(conn, RUN_DATE, [AAVE, FLUID])
    assert first.forecasts == second.forecasts
    counts = _table(
        conn,
        "select (select count(*) from forecasts.pool_forecasts where run_date = %s) as forecasts,"
        " (select count(*) from forecasts.model_performance_metrics"
        "  where run_date = %s and subject_type = 'pool') as metrics",
        (RUN_DATE, RUN_DATE),
    ).iloc[0]
    assert counts["forecasts"] == 4
    assert counts["metrics"] == second.rows["model_performance_metrics"]


def test_gas_forecast_uses_daily_and_hourly_history_and_prices_a_transfer(conn):
    summary = forecast_gas(conn, RUN_DATE)
    again = forecast_gas(conn, RUN_DATE)
    assert summary == again
    rows = _table(conn, "select * from forecasts.gas_forecasts")
    assert len(rows) == 1
    row = rows.iloc[0]
    assert row["forecast_date"] == RUN_DATE
    assert row["fallback_reason"] is None
    assert 0 < row["lower_80"] <= row["gas_price_gwei"] <= row["upper_80"]
    # the latest ETH price known on the run date: its last hourly row
    assert row["eth_price_usd"] == pytest.approx(2529.32 + 23)
    expected = REFERENCE_TRANSFER_GAS * row["gas_price_gwei"] * 1e-9 * row["eth_price_usd"]
    assert row["tx_cost_usd"] == pytest.approx(expected)
    metrics = _table(
        conn, "select * from forecasts.model_performance_metrics where subject_type = 'gas'"
    )
    assert set(metrics["target"]) == {"gas_price_gwei"}
    assert (metrics["training_end"] < RUN_DATE).all()
    assert metrics["is_selected"].any()
