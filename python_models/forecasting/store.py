"""Read curated history from ``marts`` and write the ``forecasts`` schema.

Pool and gas forecasts for run date D read rows dated before D only: the D row of
``pool_daily_metrics`` is the /pools snapshot of D, a copy of D − 1. Writes replace the run date's rows in one
transaction (delete, then insert), so re-running a day leaves exactly one set of forecasts
and a failed write leaves the previous set intact. The tables are created if missing, with
the columns of ``docs/data_contracts.md``; dbt declares them as sources.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd
from psycopg2.extensions import connection
from psycopg2.extras import execute_values

from python_models.forecasting.pools import PoolHistory
from python_models.forecasting.results import SeriesForecast

SCHEMA_DDL = """
create schema if not exists forecasts;

create table if not exists forecasts.pool_forecasts (
    run_date date not null,
    pool_id text not null,
    target text not null check (target in ('apy_pct', 'tvl_usd')),
    forecast_date date not null,
    forecast_value double precision,
    lower_80 double precision,
    upper_80 double precision,
    model_name text not null,
    backtest_mase double precision,
    fallback_reason text,
    created_at timestamptz not null default now(),
    horizon_days integer not null default 1,
    primary key (run_date, pool_id, target)
);
alter table forecasts.pool_forecasts
    add column if not exists horizon_days integer not null default 1;

create table if not exists forecasts.gas_forecasts (
    run_date date primary key,
    forecast_date date not null,
    gas_price_gwei double precision,
    lower_80 double precision,
    upper_80 double precision,
    eth_price_usd double precision,
    tx_cost_usd double precision,
    model_name text not null,
    backtest_mase double precision,
    fallback_reason text,
    created_at timestamptz not null default now()
);

create table if not exists forecasts.model_performance_metrics (
    run_date date not null,
    subject_type text not null check (subject_type in ('pool', 'gas')),
    subject_id text not null,
    target text not null,
    model_name text not null,
    metric text not null check (metric in ('mae', 'rmse', 'mase', 'smape')),
    metric_value double precision not null,
    is_selected boolean not null,
    training_start date not null,
    training_end date not null,
    created_at timestamptz not null default now(),
    horizon_days integer not null default 1,
    primary key (run_date, subject_type, subject_id, target, model_name, metric)
);
alter table forecasts.model_performance_metrics
    add column if not exists horizon_days integer not null default 1;
"""

# The contract's metric names (docs/data_contracts.md) and the score field each one reads:
# 'mase' is the MAE ratio vs persistence on the same scored origins (model_selection.py), not
# the textbook MASE (which scales by the in-sample naive error).
METRICS = {"mae": "mae", "rmse": "rmse", "mase": "mae_ratio", "smape": "smape"}


def ensure_schema(conn: connection) -> None:
    """Create the ``forecasts`` schema and its tables if they do not exist."""
    with conn.cursor() as cur:
        cur.execute(SCHEMA_DDL)


def read_pool_histories(
    conn: connection, run_date: dt.date, pool_ids: Sequence[str], days: int
) -> list[PoolHistory]:
    """The ``days`` days before ``run_date`` of each pool, in the order of ``pool_ids``.

    Also the last APY and the last TVL dated before those days (carried forward into them,
    so the series are the ones a longer read would give). The run date's own row is never
    read. A pool without rows gets an empty history (its forecast then says "no history").
    """
    with conn.cursor() as cur:
        cur.execute(
            """
            with recent as (
                select pool_id, metric_date, apy_pct, tvl_usd
                from marts.pool_daily_metrics
                where pool_id = any(%(pools)s)
                  and metric_date < %(run_date)s
                  and metric_date >= %(since)s
            ),

            apy_before as (
                select distinct on (pool_id)
                    pool_id, metric_date, apy_pct, null::double precision as tvl_usd
                from marts.pool_daily_metrics
                where pool_id = any(%(pools)s) and metric_date < %(since)s
                  and apy_pct is not null
                order by pool_id, metric_date desc
            ),

            tvl_before as (
                select distinct on (pool_id)
                    pool_id, metric_date, null::double precision as apy_pct, tvl_usd
                from marts.pool_daily_metrics
                where pool_id = any(%(pools)s) and metric_date < %(since)s
                  and tvl_usd is not null
                order by pool_id, metric_date desc
            )

            select pool_id, metric_date, apy_pct, tvl_usd from apy_before
            union all
            select pool_id, metric_date, apy_pct, tvl_usd from tvl_before
            union all
            select pool_id, metric_date, apy_pct, tvl_usd from recent
            order by pool_id, metric_date
            """,
            {
                "pools": list(pool_ids),
                "run_date": run_date,
                "since": run_date - dt.timedelta(days=days),
            },
        )
        frame = pd.DataFrame(cur.fetchall(), columns=["pool_id", "day", "apy_pct", "tvl_usd"])
    groups = dict(tuple(frame.groupby("pool_id", sort=False)))
    empty = frame.iloc[:0]
    return [
        PoolHistory(
            pool_id,
            groups.get(pool_id, empty)["day"].to_numpy(),
            groups.get(pool_id, empty)["apy_pct"].to_numpy(dtype=float),
            groups.get(pool_id, empty)["tvl_usd"].to_numpy(dtype=float),
        )
        for pool_id in pool_ids
    ]


def read_gas_history(
    conn: connection, run_date: dt.date, days: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Daily and hourly gas history of the last ``days`` days up to the end of ``run_date``."""
    since = run_date - dt.timedelta(days=days)
    with conn.cursor() as cur:
        cur.execute(
            """
            select gas_date, avg_gas_price_gwei, eth_price_usd
            from marts.gas_fees_daily
            where gas_date <= %s and gas_date > %s
            order by gas_date
            """,
            (run_date, since),
        )
        daily = pd.DataFrame(
            cur.fetchall(), columns=["gas_date", "avg_gas_price_gwei", "eth_price_usd"]
        )
        cur.execute(
            """
            select gas_hour, avg_gas_price_gwei, eth_price_usd
            from marts.gas_fees_hourly
            where gas_hour < (%s::date + 1)::timestamp at time zone 'UTC'
              and gas_hour >= %s::timestamp at time zone 'UTC'
            order by gas_hour
            """,
            (run_date, since),
        )
        hourly = pd.DataFrame(
            cur.fetchall(), columns=["gas_hour", "avg_gas_price_gwei", "eth_price_usd"]
        )
    for frame, column in ((daily, "avg_gas_price_gwei"), (hourly, "avg_gas_price_gwei")):
        frame[column] = pd.to_numeric(frame[column], errors="coerce")
    for frame in (daily, hourly):
        frame["eth_price_usd"] = pd.to_numeric(frame["eth_price_usd"], errors="coerce")
    return daily, hourly


def _number(value: float | None) -> float | None:
    """Plain floats for the driver; NaN is stored as null."""
    return None if value is None or not np.isfinite(value) else float(value)


def metric_rows(
    run_date: dt.date, subject_type: str, results: Sequence[SeriesForecast]
) -> list[tuple]:
    """One row per candidate, target and metric; undefined values (ratio 0/0) are left out."""
    rows = []
    for result in results:
        for score in result.scores:
            for metric, field in METRICS.items():
                value = _number(getattr(score, field))
                if value is None:
                    continue
                rows.append(
                    (
                        run_date,
                        subject_type,
                        result.subject_id,
                        result.target,
                        score.model_name,
                        metric,
                        value,
                        score.model_name == result.model_name,
                        score.training_start,
                        score.training_end,
                        result.horizon_days,
                    )
                )
    return rows


def _replace_metrics(
    conn: connection, run_date: dt.date, subject_type: str, results: Sequence[SeriesForecast]
) -> int:
    rows = metric_rows(run_date, subject_type, results)
    with conn.cursor() as cur:
        cur.execute(
            "delete from forecasts.model_performance_metrics"
            " where run_date = %s and subject_type = %s",
            (run_date, subject_type),
        )
        execute_values(
            cur,
            """
            insert into forecasts.model_performance_metrics (
                run_date, subject_type, subject_id, target, model_name, metric, metric_value,
                is_selected, training_start, training_end, horizon_days
            ) values %s
            """,
            rows,
            page_size=5000,
        )
    return len(rows)


def write_pool_forecasts(
    conn: connection, run_date: dt.date, results: Sequence[SeriesForecast]
) -> dict[str, int]:
    """Replace the run date's pool forecasts and pool metrics; rows written per table."""
    ensure_schema(conn)
    rows = [
        (
            run_date,
            result.subject_id,
            result.target,
            result.forecast_date,
            _number(result.value),
            _number(result.lower),
            _number(result.upper),
            result.model_name,
            _number(result.backtest_mae_ratio),
            result.fallback_reason,
            result.horizon_days,
        )
        for result in results
    ]
    with conn:
        with conn.cursor() as cur:
            cur.execute("delete from forecasts.pool_forecasts where run_date = %s", (run_date,))
            execute_values(
                cur,
                """
                insert into forecasts.pool_forecasts (
                    run_date, pool_id, target, forecast_date, forecast_value, lower_80,
                    upper_80, model_name, backtest_mase, fallback_reason, horizon_days
                ) values %s
                """,
                rows,
                page_size=5000,
            )
        metrics_written = _replace_metrics(conn, run_date, "pool", results)
    return {"pool_forecasts": len(rows), "model_performance_metrics": metrics_written}


def write_gas_forecast(
    conn: connection,
    run_date: dt.date,
    result: SeriesForecast,
    eth_price_usd: float | None,
    tx_cost_usd: float | None,
) -> dict[str, int]:
    """Replace the run date's gas forecast and gas metrics; rows written per table."""
    ensure_schema(conn)
    with conn:
        with conn.cursor() as cur:
            cur.execute("delete from forecasts.gas_forecasts where run_date = %s", (run_date,))
            cur.execute(
                """
                insert into forecasts.gas_forecasts (
                    run_date, forecast_date, gas_price_gwei, lower_80, upper_80, eth_price_usd,
                    tx_cost_usd, model_name, backtest_mase, fallback_reason
                ) values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
                """,
                (
                    run_date,
                    result.forecast_date,
                    _number(result.value),
                    _number(result.lower),
                    _number(result.upper),
                    _number(eth_price_usd),
                    _number(tx_cost_usd),
                    result.model_name,
                    _number(result.backtest_mae_ratio),
                    result.fallback_reason,
                ),
            )
        metrics_written = _replace_metrics(conn, run_date, "gas", [result])
    return {"gas_forecasts": 1, "model_performance_metrics": metrics_written}
