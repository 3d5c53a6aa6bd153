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
    "gross_apy": "gross APY %",
    "cost_share_of_gross": "costs % of gross",
    "worst_day_bp": "worst day bp",
    "cvar5_bp": "CVaR 5 % bp",
    "max_drawdown": "max drawdown %",
    "idle_share": "idle %",
    "turnover": "turnover",
    "max_pool_share": "max pool %",
    "max_protocol_share": "max protocol %",
    "max_chain_share": "max chain %",
    "max_token_share": "max token %",
    "days_holding_ineligible": "days ineligible held",
    "gas_usd": "gas USD",
    "conversion_usd": "conversion USD",
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
    whole = column.endswith(("USD", "usd", "invested", "held"))
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


def figures_table(document: dict[str, Any]) -> pd.DataFrame:
    """Portfolio x figure from a summary document, strategy first, readable headings."""
    rows = {STRATEGY: document[STRATEGY], **document["baselines"]}
    frame = pd.DataFrame.from_dict(rows, orient="index")[list(TABLE_HEADINGS)]
    return frame.rename(columns=TABLE_HEADINGS).rename_axis("portfolio").fillna(0.0)


def shown_table(table: pd.DataFrame) -> pd.DataFrame:
    """The console's short table: the first columns of :func:`figures_table`."""
    return table.iloc[:, :8]


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


def _excess_lines(document: dict[str, Any]) -> str:
    rows = []
    for window in document["windows"]:
        for name, entry in window["excess"].items():
            low, high = entry["ci90"]
            rows.append(
                f"| {window['window']} {window['from']} → {window['to']} | {name} | "
                f"{entry['net_apy_pp']:+.3f} | [{low:+.3f}, {high:+.3f}] |"
            )
    header = "| window | baseline | strategy − baseline, pp net APY | 90 % interval |\n|---|---|---:|---|"
    return header + "\n" + "\n".join(rows)


def _steps_lines(steps: Sequence[dict[str, Any]]) -> str:
    if not steps:
        return "Fixed configuration (no walk-forward)."
    rows = [
        f"| {step['from']} → {step['to']} | {step['chosen']['apy']} | "
        f"{step['chosen']['horizon_days']} | {step['chosen']['margin']} | "
        f"{step['chosen']['min_edge_bp']:g} | {step['chosen']['trailing_net_apy']:.3f} | "
        + " | ".join(f"{chosen['horizon_days']}" for chosen in step["baselines_chosen"].values())
        + " |"
        for step in steps
    ]
    others = " | ".join(f"{name} h" for name in steps[0]["baselines_chosen"])
    return (
        f"| step | APY view | horizon_days | margin | min edge bp | trailing net APY % | {others} |\n"
        f"|---|---|---:|---|---:|---:|{'---:|' * len(steps[0]['baselines_chosen'])}\n"
        + "\n".join(rows)
    )


def _idle_lines(document: dict[str, Any]) -> str:
    rows = {STRATEGY: document[STRATEGY], **document["baselines"]}
    lines = [
        f"- {name}: {figures['idle_share']:.2f} % idle on average; by reason (% of NAV-days): "
        + (", ".join(f"{k} {v:.2f}" for k, v in figures["idle_by_bound"].items()) or "none")
        for name, figures in rows.items()
    ]
    return "\n".join(lines)


def write_report(
    folder: Path,
    settings: BacktestSettings,
    document: dict[str, Any],
    days: pd.DataFrame,
    status: str,
    sweep_point: dict[str, Any],
    sections: Sequence[str] = (),
) -> None:
    """Write ``summary.json``, ``report.md`` (with any extra ``sections``) and ``nav.png``."""
    (folder / "summary.json").write_text(json.dumps(document, indent=2) + "\n")
    last = days["trade_date"].max() if not days.empty else None
    title = f"Backtest {settings.start} → {last or settings.start}"
    if not days.empty:
        nav_chart(days, folder / "nav.png", title)
    point = ", ".join(f"{key}={value}" for key, value in sweep_point.items())
    scored = document["windows"][0] if document["windows"] else None
    scored_text = f"scored {scored['from']} → {scored['to']}" if scored else "nothing scored"
    (folder / "report.md").write_text(
        f"# {title}\n\n"
        f"Status: {status} ({days['trade_date'].nunique()} of {settings.days} days, "
        f"{scored_text})"
        f"{f'; sweep point {point}' if point else ''}. Capital {settings.capital_usd:,.0f} USD "
        f"in {settings.capital_token}; horizon_days={settings.config.horizon_days}, "
        f"conversion_rate={settings.config.conversion_rate}, "
        f"min_pools={settings.config.min_pools}.\n\n"
        f"{markdown(figures_table(document))}\n\n"
        f"## Excess over each baseline\n\n{_excess_lines(document)}\n\n"
        f"## Walk-forward steps\n\n{_steps_lines(document['walk_forward'])}\n\n"
        f"## Idle capital\n\n{_idle_lines(document)}\n\n"
        + "".join(f"{section}\n\n" for section in sections)
        + "![NAV](nav.png)\n"
    )
