"""Run one backtest: read the range, simulate day by day, write as it goes, report.

Every day is written to the database (committed) and to the CSV files before the next one is
computed, under a progress bar that shows the strategy's running NAV. Ctrl-C stops the loop
between two days: the run is marked ``interrupted`` and the report is written from the days
done, then the interrupt goes on to the caller.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from core import db
from python_models.backtest import outputs, run_tables
from python_models.backtest.inputs import read_market_data
from python_models.backtest.performance import stats_table
from python_models.backtest.rows import nav_row
from python_models.backtest.simulate import BacktestSettings, simulate
from python_models.backtest.trade_days import MarketDays


@dataclass(frozen=True)
class RunOutcome:
    """A finished (or interrupted) run: its id, status, figures and where they are."""

    run_id: str
    status: str
    table: pd.DataFrame
    summary: dict[str, Any]
    folder: Path


def _progress(console: Console) -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[nav]}"),
        TimeRemainingColumn(),
        console=console,
        transient=False,
    )


def read_market(info: db.PgConnection, settings: BacktestSettings) -> MarketDays:
    """The range's curated data from the database, as day-by-day panels."""
    with db.connect(info) as conn:
        return MarketDays(read_market_data(conn, settings.start, settings.end))


def run_backtest(
    info: db.PgConnection,
    market: MarketDays,
    settings: BacktestSettings,
    folder: Path,
    console: Console,
    sweep_point: dict[str, Any] | None = None,
) -> RunOutcome:
    """Simulate ``settings``'s range on ``market``; write the days to ``info``'s database and
    to ``folder``."""
    sweep_point = sweep_point or {}
    run_id = f"{settings.start}_{settings.end}_{uuid.uuid4().hex[:8]}"
    days: list[dict[str, Any]] = []
    status = "failed"
    with db.connect(info) as conn, outputs.DayFiles(folder) as files, _progress(console) as bar:
        run_tables.start_run(conn, run_id, settings, sweep_point, str(folder))
        conn.commit()
        task = bar.add_task("backtest", total=settings.days, nav="")
        try:
            for records in simulate(market, settings):
                run_tables.write_day(conn, run_id, records)
                files.write_day(run_id, records)
                days.extend(nav_row(run_id, record) for record in records)
                nav = records[0].end.nav_usd
                growth = nav / settings.capital_usd - 1
                bar.update(
                    task,
                    advance=1,
                    nav=f"{records[0].day} strategy NAV {nav:,.0f} USD ({growth:+.2%})",
                )
            status = "completed"
        except KeyboardInterrupt:
            status = "interrupted"
            raise
        finally:
            frame = pd.DataFrame(days, columns=list(days[0]) if days else None)
            table = stats_table(frame, settings.capital_usd) if days else None
            document = (
                outputs.write_report(folder, settings, table, frame, status, sweep_point)
                if table is not None
                else None
            )
            run_tables.finish_run(conn, run_id, status, document)
    return RunOutcome(run_id, status, table, document, folder)
