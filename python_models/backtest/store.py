"""The ``backtest`` schema: one row per run, and per run the NAV path, holdings and plans.

Each day is committed as it is computed, so an interrupted run leaves every finished day
readable (its run row says ``interrupted``). Runs are never overwritten: each has its own
``run_id``. The tables are created if missing and declared as the dbt source ``backtest``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from psycopg2.extensions import connection
from psycopg2.extras import Json, execute_values

from python_models.backtest.outputs import (
    HOLDING_COLUMNS,
    NAV_COLUMNS,
    PLAN_COLUMNS,
    holding_rows,
    nav_row,
    plan_rows,
)
from python_models.backtest.simulator import DayRecord, Settings

SCHEMA_DDL = """
create schema if not exists backtest;

create table if not exists backtest.runs (
    run_id text primary key,
    status text not null check (status in ('running', 'completed', 'interrupted', 'failed')),
    start_date date not null,
    end_date date not null,
    capital_usd double precision not null,
    capital_token text not null,
    parameters jsonb not null,
    sweep_point jsonb not null default '{}'::jsonb,
    output_dir text,
    summary jsonb,
    started_at timestamptz not null,
    finished_at timestamptz
);

create table if not exists backtest.daily_nav (
    run_id text not null references backtest.runs (run_id) on delete cascade,
    portfolio text not null,
    trade_date date not null,
    status text not null,
    reason text,
    nav_usd double precision not null,
    invested_usd double precision not null,
    idle_usd double precision not null,
    yield_usd double precision not null,
    gas_usd double precision not null,
    conversion_usd double precision not null,
    traded_usd double precision not null,
    positions integer not null,
    idle_bound text,
    ineligible_held integer not null default 0,
    primary key (run_id, portfolio, trade_date)
);
-- added with the walk-forward report: why capital was idle, positions in ineligible pools
alter table backtest.daily_nav add column if not exists idle_bound text;
alter table backtest.daily_nav add column if not exists ineligible_held integer not null default 0;
-- added with the yardsticks: yield at the quoted APY (dilution) and the idle tokens
alter table backtest.daily_nav add column if not exists undiluted_yield_usd double precision;
alter table backtest.daily_nav add column if not exists idle_by_token jsonb;

create table if not exists backtest.daily_holdings (
    run_id text not null references backtest.runs (run_id) on delete cascade,
    portfolio text not null,
    trade_date date not null,
    pool_id text not null,
    allocation_usd double precision not null,
    apy_pct double precision not null,
    end_usd double precision not null,
    primary key (run_id, portfolio, trade_date, pool_id)
);

create table if not exists backtest.plan_steps (
    run_id text not null references backtest.runs (run_id) on delete cascade,
    portfolio text not null,
    trade_date date not null,
    step_no integer not null,
    action text not null check (action in ('withdraw', 'convert', 'deposit')),
    pool_id text,
    token_symbol text,
    to_token_symbol text,
    amount_usd double precision not null,
    gas_usd double precision not null,
    cost_usd double precision not null,
    primary key (run_id, portfolio, trade_date, step_no)
);
"""


def ensure_schema(conn: connection) -> None:
    """Create the ``backtest`` schema and its tables if they do not exist."""
    with conn.cursor() as cur:
        cur.execute(SCHEMA_DDL)


def start_run(
    conn: connection,
    run_id: str,
    settings: Settings,
    sweep_point: Mapping[str, Any],
    output_dir: str,
) -> None:
    """Insert the run as ``running`` with every parameter it uses."""
    ensure_schema(conn)
    with conn.cursor() as cur:
        cur.execute(
            """
            insert into backtest.runs (run_id, status, start_date, end_date, capital_usd,
                capital_token, parameters, sweep_point, output_dir, started_at)
            values (%s, 'running', %s, %s, %s, %s, %s, %s, %s, %s)
            """,
            (
                run_id,
                settings.start,
                settings.end,
                settings.capital_usd,
                settings.capital_token,
                Json(settings.config.snapshot()),
                Json(dict(sweep_point)),
                output_dir,
                dt.datetime.now(dt.UTC),
            ),
        )


def _insert(conn: connection, table: str, columns: Sequence[str], rows: list[dict]) -> None:
    if not rows:
        return
    with conn.cursor() as cur:
        execute_values(
            cur,
            f"insert into backtest.{table} ({', '.join(columns)}) values %s",
            [
                tuple(Json(v) if isinstance(v := row[column], dict) else v for column in columns)
                for row in rows
            ],
        )


def write_day(conn: connection, run_id: str, records: Sequence[DayRecord]) -> None:
    """Insert one trade day of every portfolio and commit it."""
    _insert(conn, "daily_nav", NAV_COLUMNS, [nav_row(run_id, record) for record in records])
    _insert(
        conn,
        "daily_holdings",
        HOLDING_COLUMNS,
        [row for record in records for row in holding_rows(run_id, record)],
    )
    _insert(
        conn,
        "plan_steps",
        PLAN_COLUMNS,
        [row for record in records for row in plan_rows(run_id, record)],
    )
    conn.commit()


def finish_run(
    conn: connection, run_id: str, status: str, summary: Mapping[str, Any] | None
) -> None:
    """Mark the run completed, interrupted or failed, with its summary."""
    with conn.cursor() as cur:
        cur.execute(
            """
            update backtest.runs set status = %s, summary = %s, finished_at = %s
            where run_id = %s
            """,
            (status, Json(dict(summary)) if summary else None, dt.datetime.now(dt.UTC), run_id),
        )
    conn.commit()
