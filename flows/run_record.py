"""The run record: one row per run date and one per step, in schema ``ops``.

Keyed by run date (and step), so re-running a day updates its record instead of adding
rows; ``attempts`` counts the runs. A failed step keeps its readable reason here.
"""

from __future__ import annotations

import datetime as dt
import json

from psycopg2.extensions import connection

DDL = """
create schema if not exists ops;
create table if not exists ops.daily_runs (
    run_date date primary key,
    status text not null,
    attempts integer not null default 1,
    failed_step text,
    error text,
    started_at timestamptz not null,
    finished_at timestamptz
);
create table if not exists ops.step_runs (
    run_date date not null,
    step_no integer not null,
    step_name text not null,
    status text not null,
    row_counts jsonb not null default '{}'::jsonb,
    seconds double precision,
    error text,
    started_at timestamptz not null,
    primary key (run_date, step_no)
);
"""


def ensure_tables(conn: connection) -> None:
    """Create the ``ops`` tables if this database has none yet."""
    with conn.cursor() as cur:
        cur.execute(DDL)


def start_run(conn: connection, run_date: dt.date) -> None:
    """Mark the day as running; a re-run of the day counts one more attempt."""
    ensure_tables(conn)
    with conn.cursor() as cur:
        cur.execute(
            """
            insert into ops.daily_runs (run_date, status, started_at)
            values (%s, 'RUNNING', now())
            on conflict (run_date) do update set
                status = 'RUNNING', attempts = ops.daily_runs.attempts + 1,
                failed_step = null, error = null, started_at = now(), finished_at = null
            """,
            (run_date,),
        )
        cur.execute("delete from ops.step_runs where run_date = %s", (run_date,))


def record_step(
    conn: connection,
    run_date: dt.date,
    step_no: int,
    step_name: str,
    status: str,
    row_counts: dict[str, int],
    seconds: float,
    error: str | None = None,
) -> None:
    """Upsert one step's outcome."""
    with conn.cursor() as cur:
        cur.execute(
            """
            insert into ops.step_runs
                (run_date, step_no, step_name, status, row_counts, seconds, error, started_at)
            values (%s, %s, %s, %s, %s, %s, %s, now())
            on conflict (run_date, step_no) do update set
                step_name = excluded.step_name, status = excluded.status,
                row_counts = excluded.row_counts, seconds = excluded.seconds,
                error = excluded.error, started_at = excluded.started_at
            """,
            (run_date, step_no, step_name, status, json.dumps(row_counts), seconds, error),
        )


def finish_run(
    conn: connection, run_date: dt.date, failed_step: str | None, error: str | None
) -> None:
    """Close the day's record as SUCCESS or FAILED with the failing step's reason."""
    with conn.cursor() as cur:
        cur.execute(
            """
            update ops.daily_runs
            set status = %s, failed_step = %s, error = %s, finished_at = now()
            where run_date = %s
            """,
            ("FAILED" if failed_step else "SUCCESS", failed_step, error, run_date),
        )
