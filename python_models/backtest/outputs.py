"""The files of a backtest in its output folder.

Written day by day (appended and flushed, so an interrupted run leaves whole rows):
``days.csv`` (NAV, costs and decision of every portfolio per day), ``holdings.csv``,
``plan.csv``. Written at the end, also after an interruption: ``summary.json`` (the figures
of the strategy and each baseline), ``report.md`` (the table) and ``nav.png`` (NAV curves).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, TextIO

import pandas as pd
from matplotlib.figure import Figure

from python_models.backtest.baselines import STRATEGY
from python_models.backtest.performance import summary
from python_models.backtest.rows import (
    HOLDING_COLUMNS,
    NAV_COLUMNS,
    PLAN_COLUMNS,
    holding_rows,
    nav_row,
    plan_rows,
)
from python_models.backtest.simulate import BacktestSettings, DayRecord

TABLE_HEADINGS = {
    "net_apy": "net APY %",
    "volatility": "volatility %",
    "max_drawdown": "max drawdown %",
    "gas_usd": "gas USD",
    "conversion_usd": "conversion USD",
    "turnover": "turnover",
    "days_invested": "days invested",
}


class DayFiles:
    """The three per-day CSV files of a run, appended one trade day at a time."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self._streams: list[TextIO] = []
        self._writers = {
            name: self._open(folder / f"{name}.csv", columns)
            for name, columns in (
                ("days", NAV_COLUMNS),
                ("holdings", HOLDING_COLUMNS),
                ("plan", PLAN_COLUMNS),
            )
        }

    def _open(self, path: Path, columns: Sequence[str]) -> csv.DictWriter:
        stream = path.open("w", newline="")
        self._streams.append(stream)
        writer = csv.DictWriter(stream, fieldnames=list(columns))
        writer.writeheader()
        return writer

    def write_day(self, run_id: str, records: Sequence[DayRecord]) -> None:
        """Append one trade day of every portfolio and flush it to disk."""
        self._writers["days"].writerows(nav_row(run_id, record) for record in records)
        self._writers["holdings"].writerows(
            row for record in records for row in holding_rows(run_id, record)
        )
        self._writers["plan"].writerows(
            row for record in records for row in plan_rows(run_id, record)
        )
        for stream in self._streams:
            stream.flush()

    def __enter__(self) -> DayFiles:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        for stream in self._streams:
            stream.close()


def cell(column: str, value: Any) -> str:
    """A table cell: money and day counts as whole numbers, other figures with 3 decimals."""
    if not isinstance(value, int | float):
        return str(value)
    whole = column.endswith(("USD", "usd", "invested"))
    return f"{value:,.0f}" if whole else f"{value:,.3f}"


def markdown(frame: pd.DataFrame) -> str:
    """A frame as a Markdown table, its index first."""
    columns = [str(column) for column in frame.columns]
    header = "| " + " | ".join([str(frame.index.name or ""), *columns]) + " |"
    rule = "|---|" + "---:|" * len(columns)
    lines = [
        "| " + " | ".join([str(name), *map(cell, columns, row)]) + " |"
        for name, row in zip(frame.index, frame.itertuples(index=False), strict=True)
    ]
    return "\n".join([header, rule, *lines])


def shown_table(table: pd.DataFrame) -> pd.DataFrame:
    """The figures per portfolio with readable headings, drawdown in percent."""
    shown = table.assign(max_drawdown=table["max_drawdown"] * 100).rename(columns=TABLE_HEADINGS)
    return shown.rename_axis("portfolio")


def nav_chart(days: pd.DataFrame, path: Path, title: str) -> None:
    """NAV of every portfolio over the trade days, strategy drawn thickest.

    A bare ``Figure`` (no pyplot): no display backend, no global figure state.
    """
    figure = Figure(figsize=(10, 5.5))
    axes = figure.subplots()
    for name, rows in days.groupby("portfolio", sort=False):
        axes.plot(
            pd.to_datetime(rows["trade_date"]),
            rows["nav_usd"],
            label=name,
            linewidth=2.4 if name == STRATEGY else 1.3,
        )
    axes.set_title(title)
    axes.set_ylabel("NAV (USD)")
    axes.grid(alpha=0.3)
    axes.legend()
    figure.autofmt_xdate()
    figure.tight_layout()
    figure.savefig(path, dpi=110)


def write_report(
    folder: Path,
    settings: BacktestSettings,
    table: pd.DataFrame,
    days: pd.DataFrame,
    status: str,
    sweep_point: dict[str, Any],
) -> dict[str, Any]:
    """Write ``summary.json``, ``report.md`` and ``nav.png``; return the summary."""
    document = summary(table)
    (folder / "summary.json").write_text(json.dumps(document, indent=2) + "\n")
    last = days["trade_date"].max() if not days.empty else None
    title = f"Backtest {settings.start} → {last or settings.start}"
    if not days.empty:
        nav_chart(days, folder / "nav.png", title)
    strategy_apy = table.at[STRATEGY, "net_apy"]
    comparisons = "\n".join(
        f"- strategy − {name}: {strategy_apy - table.at[name, 'net_apy']:+.3f} pp net APY"
        for name in table.index
        if name != STRATEGY
    )
    point = ", ".join(f"{key}={value}" for key, value in sweep_point.items())
    (folder / "report.md").write_text(
        f"# {title}\n\n"
        f"Status: {status} ({days['trade_date'].nunique()} of {settings.days} days)"
        f"{f'; sweep point {point}' if point else ''}. Capital {settings.capital_usd:,.0f} USD "
        f"in {settings.capital_token}; horizon_days={settings.config.horizon_days}, "
        f"conversion_rate={settings.config.conversion_rate}, "
        f"min_pools={settings.config.min_pools}.\n\n"
        f"{markdown(shown_table(table))}\n\n{comparisons}\n\n![NAV](nav.png)\n"
    )
    return document
