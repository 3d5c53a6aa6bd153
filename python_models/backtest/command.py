"""``yieldopt backtest``: prepare the database, run one backtest or a sweep, print the table."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from rich.console import Console
from rich.table import Table

from python_models.backtest.outputs import markdown, shown_table
from python_models.backtest.prepare import build_pool_days, load_recordings
from python_models.backtest.runner import RunOutcome, read_market, run_backtest
from python_models.backtest.simulate import BacktestSettings
from python_models.backtest.sweep import (
    needs_rebuild,
    parse_sweep,
    point_config,
    point_folder,
    sweep_table,
)
from python_models.backtest.trade_days import MarketDays
from yieldopt import db
from yieldopt.config import StrategyConfig


def print_table(console: Console, outcome: RunOutcome) -> None:
    """The figures of one run, strategy first, drawdown in percent."""
    shown = shown_table(outcome.table)
    table = Table(title=f"{outcome.run_id} ({outcome.status}) → {outcome.folder}")
    table.add_column("portfolio")
    for heading in shown.columns:
        table.add_column(heading, justify="right")
    for name, row in shown.iterrows():
        table.add_row(
            str(name),
            *(
                f"{value:,.0f}" if heading.endswith(("USD", "invested")) else f"{value:,.3f}"
                for heading, value in row.items()
            ),
        )
    console.print(table)


def write_sweep(output: Path, table: pd.DataFrame, console: Console) -> None:
    """``sweep.csv`` and ``sweep.md`` in the output folder, and the table on the console."""
    output.mkdir(parents=True, exist_ok=True)
    table.to_csv(output / "sweep.csv", index=False)
    keys = list(table.columns[: table.columns.get_loc("strategy_net_apy")])
    labels = table[keys].apply(lambda row: ", ".join(f"{k}={v}" for k, v in row.items()), axis=1)
    shown = table.drop(columns=keys).set_axis(labels.rename("point"))
    (output / "sweep.md").write_text("# Sweep\n\n" + markdown(shown) + "\n")
    console.print(shown.round(4).to_string())


def backtest(
    start: dt.date,
    end: dt.date,
    config: StrategyConfig,
    output: Path,
    replay: bool,
    sweep_specs: Sequence[str],
    capital_usd: float,
    capital_token: str,
    console: Console,
) -> list[RunOutcome]:
    """Load (``replay``), build the by-day models, run every point; return the outcomes."""
    points: list[dict[str, Any]] = parse_sweep(sweep_specs, config) if sweep_specs else [{}]
    info = db.connection_info()
    db.apply_to_environment(info)
    if replay:
        console.print(f"loading recorded API responses as of {end} into {info.dbname} …")
        rows = load_recordings(info, end)
        console.print(f"loaded {sum(rows.values()):,} raw rows")
    built: StrategyConfig | None = None
    market: MarketDays | None = None
    outcomes = []
    for point in points:
        point_settings = point_config(config, point)
        settings = BacktestSettings(start, end, point_settings, capital_usd, capital_token)
        if market is None or needs_rebuild(built, point_settings):
            console.print(f"building the by-day pool models for {start - dt.timedelta(1)} → {end}")
            build_pool_days(start, end, point_settings, with_upstream=replay and built is None)
            built = point_settings
            market = read_market(info, settings)
        folder = point_folder(output, point) if point else output
        outcome = run_backtest(info, market, settings, folder, console, point)
        print_table(console, outcome)
        outcomes.append(outcome)
    if sweep_specs:
        write_sweep(output, sweep_table(points, [o.summary for o in outcomes]), console)
    return outcomes
