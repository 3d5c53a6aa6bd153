"""Incremental pool metrics benchmark (run by hand): does the daily build stay flat as history grows?

A throw-away database gets the raw DeFiLlama tables (``RAW_TABLES_DDL``, as dlt makes them) and a
synthetic history of POOLS pools written straight into them with generate_series (no HTTP):
one /chart point per pool per day, fetched the day after it describes. Then:

(a) a full refresh of pool_daily_metrics and its parents after DAYS days;
(b) the incremental build of one more day, once after 30 days and once after DAYS days. The
    new day brings a /pools snapshot of every pool and, like step 9, chart points of 1 % of
    the pools (yesterday's point), so the day is a realistic daily load.

Every figure is the wall time of one `dbt run --select +pool_daily_metrics` (dbt's own
start-up included) and, in brackets, the sum of the models' execution times. After each full
refresh the model tables are vacuumed and analyzed, as autovacuum would have done by the next
day's run (without it the first incremental build pays for the hint bits and visibility map of
millions of fresh rows: 13.6 and 17.0 s instead of 9.6 s after 365 days, in three runs).
Targets: (b) <= 10 % of (a); (b) after DAYS days <= 1.5 x (b) after 30 days.

Usage: .venv/bin/python bench/dbt_incremental.py [--pools 20000] [--days 365] [--keep]
The last line printed is JSON: {"full_refresh_s": …, "incremental_day30_s": …,
"incremental_day365_s": …} (wall times; the `models_*` keys hold the model times).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import tempfile
import time
import uuid
from pathlib import Path

from dbt.cli.main import dbtRunner

from core import db
from core.config import default_dbt_vars
from core.paths import DBT_PROJECT_DIR, PROJECT_ROOT
from ingestion.defillama.settings import RAW_TABLES_DDL

START_DATE = dt.date(2024, 1, 1)
SELECT = "+pool_daily_metrics"
# The tables that SELECT materializes (the others are views).
MODEL_TABLES = ("intermediate.int_pool_history_unioned", "intermediate.int_pool_daily_metrics")
# Its own dbt target folder: other dbt invocations on the project keep theirs.
TARGET_DIR = Path(tempfile.gettempdir()) / "yieldopt_bench_dbt_target"


# One chart point per pool per day in [first, last]; the APY wanders around a per-pool level.
CHART_ROWS = """
insert into raw_defillama.pool_chart
    (pool, chart_date, "timestamp", tvl_usd, apy, apy_base, apy_reward, fetched_at,
     _dlt_load_id, _dlt_id)
select
    'bench-' || pool_no, day::date, day + interval '23 hours', 1e5 * pool_no,
    2 + pool_no %% 9 + sin(pool_no + extract(epoch from day) / 86400 / 7) * (pool_no %% 4) * 0.4,
    2 + pool_no %% 9, 0, day + interval '1 day 1 hour', 'bench', md5('c' || pool_no || day)
from
    generate_series(%(first)s::date, %(last)s::date, interval '1 day') as day,
    generate_series(1, %(pools)s) as pool_no
"""

SNAPSHOT_ROWS = """
insert into raw_defillama.pools
    (pool, chain, project, symbol, tvl_usd, apy, apy_base, apy_reward, underlying_tokens,
     stablecoin, il_risk, exposure, fetched_at, run_date, _dlt_load_id, _dlt_id)
select
    'bench-' || pool_no, 'Ethereum', 'aave-v3', 'USDC-USDT', 1e5 * pool_no,
    2.1 + pool_no %% 9, 2 + pool_no %% 9, 0.1, '["0xa0b8", "0xdac1"]'::jsonb, true, 'no',
    'multi', %(day)s::date + interval '2 hours', %(day)s::date, 'bench', md5('s' || pool_no || %(day)s)
from generate_series(1, %(pools)s) as pool_no
"""

# Step 9 of the day: yesterday's chart point for 1 % of the pools.
DAILY_CHART_ROWS = """
insert into raw_defillama.pool_chart
    (pool, chart_date, "timestamp", tvl_usd, apy, apy_base, apy_reward, fetched_at,
     _dlt_load_id, _dlt_id)
select
    'bench-' || pool_no, %(day)s::date - 1, %(day)s::date - interval '1 hour', 1e5 * pool_no,
    2.05 + pool_no %% 9, 2 + pool_no %% 9, 0.05, %(day)s::date + interval '3 hours', 'bench',
    md5('d' || pool_no || %(day)s)
from generate_series(1, %(pools)s, 100) as pool_no
"""


def execute(info: db.PgConnection, statement: str, **params: object) -> None:
    """Run one statement and analyze the raw tables so the planner sees the new volume."""
    with db.connect(info) as conn, conn.cursor() as cur:
        cur.execute(statement, params)
        cur.execute("analyze raw_defillama.pool_chart; analyze raw_defillama.pools")


def dbt_run(run_date: dt.date, *extra: str) -> tuple[float, float]:
    """Wall seconds of one dbt run, and the sum of the models' execution seconds."""
    args = [
        "run",
        "--select",
        SELECT,
        *extra,
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(PROJECT_ROOT),
        "--target-path",
        str(TARGET_DIR),
        "--vars",
        json.dumps({**default_dbt_vars(), "run_date": run_date.isoformat()}),
        "--quiet",
    ]
    started = time.perf_counter()
    outcome = dbtRunner().invoke(args)
    wall = time.perf_counter() - started
    if not outcome.success:
        raise RuntimeError(f"dbt run for {run_date} failed: {outcome.exception or outcome.result}")
    return wall, sum(result.execution_time for result in outcome.result.results)


def settle(info: db.PgConnection) -> None:
    """Vacuum and analyze what a full refresh just wrote, as autovacuum does long before the
    next daily run: otherwise the first incremental build after it pays for setting the hint
    bits and visibility map of millions of fresh rows, a cost a daily build never sees."""
    with db.connect(info) as conn:
        conn.autocommit = True
        with conn.cursor() as cur:
            for table in MODEL_TABLES:
                cur.execute(f"vacuum analyze {table}")


def add_day(info: db.PgConnection, day: dt.date, pools: int) -> None:
    """The raw rows one daily run adds: a /pools snapshot of all pools, step 9's charts."""
    execute(info, SNAPSHOT_ROWS, day=day, pools=pools)
    execute(info, DAILY_CHART_ROWS, day=day, pools=pools)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pools", type=int, default=20_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    args = parser.parse_args()

    info = db.connection_info(f"bench_pools_{uuid.uuid4().hex[:8]}")
    db.apply_to_environment(info)
    os.environ["YIELDOPT_DATABASE"] = info.dbname
    print(f"database {info.dbname}: {args.pools} pools x {args.days} days")
    try:
        execute(info, RAW_TABLES_DDL)
        day30, day_n = (
            START_DATE + dt.timedelta(days=29),
            START_DATE + dt.timedelta(days=args.days - 1),
        )

        execute(info, CHART_ROWS, first=START_DATE, last=day30, pools=args.pools)
        dbt_run(day30, "--full-refresh")
        settle(info)
        add_day(info, day30 + dt.timedelta(days=1), args.pools)
        incremental_30 = dbt_run(day30 + dt.timedelta(days=1))
        print(
            f"(b) incremental day after 30 days: {incremental_30[0]:.1f} s ({incremental_30[1]:.1f} s models)"
        )

        started = time.perf_counter()
        execute(info, CHART_ROWS, first=day30 + dt.timedelta(days=1), last=day_n, pools=args.pools)
        print(
            f"    generated {args.days} days of raw history in {time.perf_counter() - started:.0f} s"
        )
        full = dbt_run(day_n, "--full-refresh")
        settle(info)
        print(f"(a) full refresh after {args.days} days: {full[0]:.1f} s ({full[1]:.1f} s models)")
        add_day(info, day_n + dt.timedelta(days=1), args.pools)
        incremental_n = dbt_run(day_n + dt.timedelta(days=1))
        print(
            f"(b) incremental day after {args.days} days: {incremental_n[0]:.1f} s "
            f"({incremental_n[1]:.1f} s models)"
        )
    finally:
        if not args.keep:
            db.drop_database(info)

    print(
        f"ratio (b{args.days})/(a): {incremental_n[0] / full[0]:.1%} wall, "
        f"{incremental_n[1] / full[1]:.1%} models (target <= 10 %)"
    )
    print(
        f"ratio (b{args.days})/(b30): {incremental_n[0] / incremental_30[0]:.2f} wall, "
        f"{incremental_n[1] / incremental_30[1]:.2f} models (target <= 1.5)"
    )
    print(
        json.dumps(
            {
                "full_refresh_s": round(full[0], 2),
                "incremental_day30_s": round(incremental_30[0], 2),
                "incremental_day365_s": round(incremental_n[0], 2),
                "models_full_refresh_s": round(full[1], 2),
                "models_incremental_day30_s": round(incremental_30[1], 2),
                "models_incremental_day365_s": round(incremental_n[1], 2),
                "pools": args.pools,
                "days": args.days,
            }
        )
    )


if __name__ == "__main__":
    main()
