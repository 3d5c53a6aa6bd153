"""Run one backtest: read the range, simulate day by day, write as it goes, report.

Every day is written to the database (committed) and to the CSV files before the next one is
computed, under a progress bar that shows the strategy's running NAV. Ctrl-C stops the loop
between two days: the run is marked ``interrupted`` and the report is written from the days
done, then the interrupt goes on to the caller.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from core import db
from python_models.backtest import outputs, run_tables
from python_models.backtest.forecast_scores import (
    decision_regret_usd,
    forecast_section,
    score_views,
)
from python_models.backtest.inputs import read_market_data
from python_models.backtest.outputs import figures_table
from python_models.backtest.policies import Decision, Policy
from python_models.backtest.rows import holding_rows, nav_row
from python_models.backtest.scorecard import scorecard
from python_models.backtest.simulate import BacktestSettings, simulate
from python_models.backtest.stress import PRICE_DAYS, stress_portfolios, stress_section
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
    policies: Sequence[Policy] | None = None,
    scored_from: dt.date | None = None,
    steps: Sequence[dict[str, Any]] = (),
    sections: Sequence[str] = (),
    decided: Mapping[str, Sequence[Decision]] | None = None,
) -> RunOutcome:
    """Simulate ``settings``'s range on ``market``; write the days to ``info``'s database and
    to ``folder``. The figures are over ``scored_from`` (default: the start) … the last day;
    ``steps`` are the walk-forward's choices, ``sections`` extra report sections, ``decided``
    decisions made before (see :func:`simulate`)."""
    sweep_point = sweep_point or {}
    run_id = f"{settings.start}_{settings.end}_{uuid.uuid4().hex[:8]}"
    days: list[dict[str, Any]] = []
    held: list[dict[str, Any]] = []
    status = "failed"
    with db.connect(info) as conn, outputs.DayFiles(folder) as files, _progress(console) as bar:
        run_tables.start_run(conn, run_id, settings, sweep_point, str(folder))
        conn.commit()
        task = bar.add_task("backtest", total=settings.days, nav="")
        try:
            for records in simulate(market, settings, policies, decided):
                run_tables.write_day(conn, run_id, records)
                files.write_day(run_id, records)
                days.extend(nav_row(run_id, record) for record in records)
                held.extend(row for record in records for row in holding_rows(run_id, record))
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
            document = table = None
            if days:
                holdings = pd.DataFrame(
                    held,
                    columns=["trade_date", "portfolio", "pool_id", "allocation_usd"]
                    if not held
                    else None,
                )
                document = scorecard(
                    frame,
                    holdings,
                    market.descriptions,
                    settings.capital_usd,
                    scored_from or settings.start,
                    frame["trade_date"].max(),
                    steps,
                )
                first, last = scored_from or settings.start, frame["trade_date"].max()
                scores = score_views(market, settings.config.horizon_days, first, last)
                regret = decision_regret_usd(frame, first, last)
                document["forecast_scores"] = {**scores, "decision_regret_usd": regret}
                scored = frame[pd.to_datetime(frame["trade_date"]).dt.date <= last]
                stress = stress_portfolios(
                    scored, holdings, market.descriptions, settings.config, settings.capital_token
                )
                document["stress_usdc_2023"] = stress
                table = figures_table(document)
                outputs.write_report(
                    folder,
                    settings,
                    document,
                    frame,
                    status,
                    sweep_point,
                    [
                        forecast_section(scores, regret),
                        stress_section(stress, PRICE_DAYS[0], PRICE_DAYS[1]),
                        *sections,
                    ],
                )
            run_tables.finish_run(conn, run_id, status, document)
    return RunOutcome(run_id, status, table, document, folder)
