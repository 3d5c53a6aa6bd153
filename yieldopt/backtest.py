"""``yieldopt backtest``: what a person sees while a backtest runs, and its closing tables.

The backtest itself (``flows.backtest.run_request``) reports stages and days through
callbacks; here they become a progress bar showing the strategy's running NAV and, at the
end, each run's table and the sweep's. ``--replay`` loads the recorded API responses first
(the replay server is a test double: only the command line imports it).
"""

from __future__ import annotations

import pandas as pd
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from core import db
from flows.backtest import run_request
from python_models.backtest.outputs import cell, shown_table
from python_models.backtest.request import BacktestRequest
from python_models.backtest.run import RunOutcome
from python_models.backtest.simulator import DayRecord
from python_models.backtest.sweep import shown_sweep, sweep_table
from replay.backtest_data import load_recordings
from yieldopt.prefect_api import ensure_api


def rich_table(frame: pd.DataFrame, title: str) -> Table:
    """A frame as a console table, its index first, cells as in the Markdown report."""
    table = Table(title=title)
    table.add_column(str(frame.index.name or ""))
    for column in frame.columns:
        table.add_column(str(column), justify="right")
    for name, row in zip(frame.index, frame.itertuples(index=False), strict=True):
        table.add_row(str(name), *map(cell, map(str, frame.columns), row))
    return table


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


def run_backtest_command(request: BacktestRequest, console: Console) -> list[RunOutcome]:
    """Load the recordings when asked, run the request with a progress bar, print tables."""
    # the dbt build is a Prefect flow: its API is up (or refused with a reason) before any load
    ensure_api()
    if request.replay:
        info = db.connection_info()
        console.print(f"loading recorded API responses as of {request.end} into {info.dbname} …")
        rows = load_recordings(info, request.end, since=request.start)
        console.print(f"loaded {sum(rows.values()):,} raw rows")
    days = (request.end - request.start).days + 1
    with _progress(console) as bar:
        task = bar.add_task("backtest", total=days, nav="", visible=False)

        def on_stage(message: str) -> None:
            console.print(message)
            bar.reset(task, total=days, nav="", visible=False)

        def on_day(records: list[DayRecord]) -> None:
            first = records[0]
            growth = first.end.nav_usd / request.capital_usd - 1
            bar.update(
                task,
                advance=1,
                visible=True,
                nav=f"{first.day} {first.portfolio} NAV {first.end.nav_usd:,.0f} USD "
                f"({growth:+.2%})",
            )

        outcomes = run_request(request, on_stage=on_stage, on_day=on_day)
    for outcome in outcomes:
        if outcome.table is not None:
            console.print(
                rich_table(shown_table(outcome.table), f"{outcome.run_id} ({outcome.status})")
            )
    if request.sweep:
        summaries = [outcome.summary for outcome in outcomes]
        points = [outcome.point for outcome in outcomes]
        console.print(rich_table(shown_sweep(sweep_table(points, summaries)), "sweep"))
    return outcomes
