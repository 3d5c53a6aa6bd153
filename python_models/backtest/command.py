"""``yieldopt backtest``: prepare the database, run one backtest or a sweep, print the table."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from rich.console import Console
from rich.table import Table

from core import db
from core.config import StrategyConfig
from python_models.backtest.baselines import STRATEGY
from python_models.backtest.outputs import TABLE_HEADINGS, cell, markdown, shown_table
from python_models.backtest.prepare import build_pool_days
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
from python_models.backtest.walk_forward import WalkForwardSettings, walk_forward


def rich_table(frame: pd.DataFrame, title: str) -> Table:
    """A frame as a console table, its index first, cells as in the Markdown report."""
    table = Table(title=title)
    table.add_column(str(frame.index.name or ""))
    for column in frame.columns:
        table.add_column(str(column), justify="right")
    for name, row in zip(frame.index, frame.itertuples(index=False), strict=True):
        table.add_row(str(name), *map(cell, map(str, frame.columns), row))
    return table


def shown_sweep(table: pd.DataFrame) -> pd.DataFrame:
    """The sweep table for people: one labelled row per point, the report's headings."""
    keys = list(table.columns[: table.columns.get_loc(f"{STRATEGY}_net_apy")])
    labels = table[keys].apply(lambda row: ", ".join(f"{k}={v}" for k, v in row.items()), axis=1)
    shown = table.drop(columns=keys).set_axis(labels.rename("point"))
    return shown.rename(
        columns={
            **{f"{STRATEGY}_{key}": heading for key, heading in TABLE_HEADINGS.items()},
            "best_baseline": "best baseline",
            "best_baseline_net_apy": "its net APY %",
            "strategy_minus_best_pp": "strategy − best (pp)",
        }
    )


def write_sweep(output: Path, table: pd.DataFrame, console: Console) -> None:
    """``sweep.csv`` (raw figures) and ``sweep.md`` in the output folder, the table on screen."""
    output.mkdir(parents=True, exist_ok=True)
    table.to_csv(output / "sweep.csv", index=False)
    shown = shown_sweep(table)
    (output / "sweep.md").write_text("# Sweep: the strategy per point\n\n" + markdown(shown) + "\n")
    console.print(rich_table(shown, f"sweep → {output}"))


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
    walk_forward_settings: WalkForwardSettings | None = None,
) -> list[RunOutcome]:
    """Build the by-day models, run every point; return the outcomes.

    ``replay``: the recorded raw data was just loaded (the command line does it with
    ``flows.backtest_data``), so the dbt build includes everything upstream.
    """
    points: list[dict[str, Any]] = parse_sweep(sweep_specs, config) if sweep_specs else [{}]
    info = db.connection_info()
    db.apply_to_environment(info)
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
        if walk_forward_settings is None:
            outcome = run_backtest(info, market, settings, folder, console, point)
        else:
            console.print("walk-forward: simulating every candidate choice …")
            tuned = walk_forward(market, settings, walk_forward_settings)
            outcome = run_backtest(
                info,
                market,
                settings,
                folder,
                console,
                point,
                tuned.policies,
                tuned.scored_from,
                tuned.steps,
                decided=tuned.decided,
            )
        console.print(
            rich_table(shown_table(outcome.table), f"{outcome.run_id} ({outcome.status})")
        )
        outcomes.append(outcome)
    if sweep_specs:
        write_sweep(output, sweep_table(points, [o.summary for o in outcomes]), console)
    return outcomes
