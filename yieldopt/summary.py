"""What a finished run prints: rows per table, then the day's allocation and report paths.

Read back from the database rather than passed along by the steps, so the closing summary
shows what was actually written (and a re-run shows the same thing).
"""

from __future__ import annotations

import datetime as dt

from psycopg2 import sql
from rich.console import Console
from rich.table import Table

from core import db
from python_models.reporting.data import load_report
from python_models.reporting.deliver import report_paths

# Every raw schema (one per source, ``raw_*``; not dlt's ``*_staging`` work areas) and these.
SUMMARY_SCHEMAS = ("marts", "forecasts", "optimization")


def table_row_counts(info: db.PgConnection) -> list[tuple[str, int]]:
    """Exact row counts of every data table of the run's schemas (dlt's bookkeeping excluded)."""
    with db.connect(info) as conn, conn.cursor() as cur:
        cur.execute(
            """
            select table_schema, table_name
            from information_schema.tables
            where (
                (table_schema like 'raw\\_%%' and table_schema not like '%%\\_staging')
                or table_schema = any(%s)
              )
              -- marts.pool_daily_metrics is a view of its incremental intermediate table
              and (table_type = 'BASE TABLE' or table_schema = 'marts')
              and table_name not like '\\_dlt\\_%%'
            order by table_schema, table_name
            """,
            (list(SUMMARY_SCHEMAS),),
        )
        tables = cur.fetchall()
        counts = []
        for schema, table in tables:
            cur.execute(
                sql.SQL("select count(*) from {}.{}").format(
                    sql.Identifier(schema), sql.Identifier(table)
                )
            )
            counts.append((f"{schema}.{table}", cur.fetchone()[0]))
    return counts


def print_table_summary(console: Console, info: db.PgConnection) -> None:
    """Rows per table, so a reader sees at a glance what the run loaded and built."""
    table = Table(title="Rows per table")
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, count in table_row_counts(info):
        table.add_row(name, f"{count:,}")
    console.print(table)


def print_allocation(console: Console, info: db.PgConnection, run_date: dt.date) -> None:
    """The day's allocation as the report states it, then where the message and chart are."""
    with db.connect(info) as conn:
        report = load_report(conn, run_date)
    table = Table(
        title=f"Allocation {run_date} · AUM ${report.aum_usd:,.0f} · "
        f"expected profit ${report.expected_profit_usd:,.0f} "
        f"(gas ${report.gas_cost_usd:,.0f}, conversion ${report.conversion_cost_usd:,.0f})"
    )
    table.add_column("pool")
    table.add_column("group", justify="right")
    table.add_column("APY %", justify="right")
    table.add_column("previous $", justify="right")
    table.add_column("allocation $", justify="right")
    table.add_column("share", justify="right")
    for row in sorted(report.allocations, key=lambda a: -a.allocation_usd):
        table.add_row(
            row.label,
            "" if row.group_id is None else str(row.group_id),
            "" if row.apy_pct is None else f"{row.apy_pct:.2f}",
            f"{row.previous_usd:,.0f}",
            f"{row.allocation_usd:,.0f}",
            f"{row.allocation_usd / report.aum_usd:.1%}" if report.aum_usd else "",
        )
    console.print(table)
    message_path, chart_path = report_paths(run_date)
    console.print(f"report: {message_path}\nchart:  {chart_path}")
