"""The rows of a backtest day and the files of a backtest in its output folder.

One row shape serves the database tables (:mod:`.store`) and the CSV files.

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

from python_models.backtest.portfolios import REFERENCES
from python_models.backtest.portfolios import STRATEGY_NAME as STRATEGY
from python_models.backtest.simulator import DayRecord, Settings

NAV_COLUMNS = (
    "run_id",
    "portfolio",
    "trade_date",
    "status",
    "reason",
    "nav_usd",
    "invested_usd",
    "idle_usd",
    "yield_usd",
    "undiluted_yield_usd",
    "gas_usd",
    "conversion_usd",
    "traded_usd",
    "positions",
    "idle_bound",
    "ineligible_held",
    "idle_by_token",
)
HOLDING_COLUMNS = (
    "run_id",
    "portfolio",
    "trade_date",
    "pool_id",
    "allocation_usd",
    "apy_pct",
    "end_usd",
)
PLAN_COLUMNS = (
    "run_id",
    "portfolio",
    "trade_date",
    "step_no",
    "action",
    "pool_id",
    "token_symbol",
    "to_token_symbol",
    "amount_usd",
    "gas_usd",
    "cost_usd",
)
# the plan step's own fields, after the run, portfolio and day columns
PLAN_STEP_FIELDS = set(PLAN_COLUMNS[3:])


def nav_row(run_id: str, record: DayRecord) -> dict[str, Any]:
    """The portfolio's day: decision, NAV at the end of the day and what the day cost."""
    return {
        "run_id": run_id,
        "portfolio": record.portfolio,
        "trade_date": record.day,
        "status": record.decision.status,
        "reason": record.decision.reason,
        "nav_usd": record.end.nav_usd,
        "invested_usd": record.end.invested_usd,
        "idle_usd": record.end.idle_usd,
        "yield_usd": record.yield_usd,
        "undiluted_yield_usd": record.undiluted_yield_usd,
        "gas_usd": record.costs.gas_usd,
        "conversion_usd": record.costs.conversion_usd,
        "traded_usd": record.costs.traded_usd,
        "positions": len(record.held),
        "idle_bound": record.decision.idle_bound,
        "ineligible_held": record.ineligible_held,
        "idle_by_token": dict(record.end.idle),
    }


def holding_rows(run_id: str, record: DayRecord) -> list[dict[str, Any]]:
    """One row per position held over the day: after the plan, its APY, at the day's end."""
    return [
        {
            "run_id": run_id,
            "portfolio": record.portfolio,
            "trade_date": record.day,
            "pool_id": pool_id,
            "allocation_usd": usd,
            "apy_pct": record.apy_pct[pool_id],
            "end_usd": record.end.positions[pool_id],
        }
        for pool_id, usd in sorted(record.held.items())
    ]


def plan_rows(run_id: str, record: DayRecord) -> list[dict[str, Any]]:
    """The executed plan, step by step, with the gas and conversion cost each step paid."""
    return [
        {
            "run_id": run_id,
            "portfolio": record.portfolio,
            "trade_date": record.day,
            **step.model_dump(include=PLAN_STEP_FIELDS),
        }
        for step in record.decision.plan
    ]


TABLE_HEADINGS = {
    "net_apy": "net APY %",
    "gross_apy": "gross APY %",
    "cost_share_of_gross": "costs % of gross",
    "dilution_bp": "dilution bp",
    "worst_day_bp": "worst day bp",
    "cvar5_bp": "CVaR 5 % bp",
    "max_drawdown": "max drawdown %",
    "idle_share": "idle %",
    "turnover": "turnover",
    "max_pool_share": "max pool %",
    "max_protocol_share": "max protocol %",
    "max_curator_share": "max curator %",
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
        self._writers["days"].writerows(
            {
                key: json.dumps(v) if isinstance(v := value, dict) else v
                for key, value in row.items()
            }
            for row in (nav_row(run_id, record) for record in records)
        )
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


def all_figures(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Portfolio → figures in report order: the strategy, the yardsticks, the baselines."""
    return {STRATEGY: document[STRATEGY], **document["references"], **document["baselines"]}


def figures_table(document: dict[str, Any]) -> pd.DataFrame:
    """Portfolio x figure from a summary document, strategy first, readable headings."""
    rows = all_figures(document)
    frame = pd.DataFrame.from_dict(rows, orient="index")[list(TABLE_HEADINGS)]
    return frame.rename(columns=TABLE_HEADINGS).rename_axis("portfolio").fillna(0.0)


def shown_table(table: pd.DataFrame) -> pd.DataFrame:
    """The console's short table: the first columns of :func:`figures_table`."""
    return table.iloc[:, :8]


def nav_chart(days: pd.DataFrame, path: Path, title: str) -> None:
    """NAV of every portfolio over the trade days: the strategy thickest, the yardsticks
    dashed and first in the legend (what a treasury would do instead).

    A bare ``Figure`` (no pyplot): no display backend, no global figure state.
    """
    figure = Figure(figsize=(10, 5.5))
    axes = figure.subplots()
    groups = dict(tuple(days.groupby("portfolio", sort=False)))
    order = [STRATEGY, *REFERENCES] + [n for n in groups if n not in (STRATEGY, *REFERENCES)]
    for name in (n for n in order if n in groups):
        rows = groups[name]
        axes.plot(
            pd.to_datetime(rows["trade_date"]),
            rows["nav_usd"],
            label=name,
            linewidth=2.4 if name == STRATEGY else 1.8 if name in REFERENCES else 1.0,
            linestyle="--" if name in REFERENCES else "-",
        )
    axes.set_title(title)
    axes.set_ylabel("NAV (USD)")
    axes.grid(alpha=0.3)
    axes.legend(fontsize="small")
    figure.autofmt_xdate()
    figure.tight_layout()
    figure.savefig(path, dpi=110)


def verdict(document: dict[str, Any]) -> str:
    """The report's first line: did following the strategy beat what a treasury would do
    instead (each yardstick), net of costs, with the interval of the difference."""
    if not document.get("references"):
        return "No yardstick could be measured over this range."
    parts = []
    for name in document["references"]:
        entry = document["excess"][name]
        low, high = entry["ci90"]
        word = "beat" if low > 0 else "lost to" if high < 0 else "did not separate from"
        parts.append(
            f"{word} {name} by {entry['net_apy_pp']:+.2f} pp [90 %: {low:+.2f}, {high:+.2f}]"
        )
    return (
        f"Following the strategy earned {document[STRATEGY]['net_apy']:.2f} % a year net and "
        + "; ".join(parts)
        + "."
    )


def _excess_lines(document: dict[str, Any]) -> str:
    rows = []
    for window in document["windows"]:
        for name, entry in window["excess"].items():
            low, high = entry["ci90"]
            rows.append(
                f"| {window['window']} {window['from']} → {window['to']} | {name} | "
                f"{entry['net_apy_pp']:+.3f} | [{low:+.3f}, {high:+.3f}] |"
            )
    header = (
        "| window | yardstick or baseline | strategy − it, pp net APY | 90 % interval |\n"
        "|---|---|---:|---|"
    )
    return header + "\n" + "\n".join(rows)


def _choice(chosen: dict[str, Any]) -> str:
    return ", ".join(f"{key}={value}" for key, value in chosen["choice"].items()) or "shipped"


def _steps_lines(steps: Sequence[dict[str, Any]]) -> str:
    if not steps:
        return "Fixed configuration (no walk-forward)."
    others = list(steps[0]["baselines_chosen"])
    rows = [
        f"| {step['from']} → {step['to']} | {step['chosen']['view']} | "
        f"{_choice(step['chosen'])} | {step['chosen']['trailing_net_apy']:.3f} | "
        + " | ".join(_choice(step["baselines_chosen"][name]) for name in others)
        + " |"
        for step in steps
    ]
    return (
        f"| step | APY view | choice | trailing net APY % | {' | '.join(others)} |\n"
        f"|---|---|---|---:|{'---|' * len(others)}\n" + "\n".join(rows)
    )


def _idle_lines(document: dict[str, Any]) -> str:
    rows = all_figures(document)
    lines = [
        f"- {name}: {figures['idle_share']:.2f} % idle on average; by reason (% of NAV-days): "
        + (", ".join(f"{k} {v:.2f}" for k, v in figures["idle_by_bound"].items()) or "none")
        for name, figures in rows.items()
    ]
    return "\n".join(lines)


def write_report(
    folder: Path,
    settings: Settings,
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
        f"# {title}\n\n**{verdict(document)}**\n\n"
        f"Status: {status} ({days['trade_date'].nunique()} of {settings.days} days, "
        f"{scored_text})"
        f"{f'; sweep point {point}' if point else ''}. Capital {settings.capital_usd:,.0f} USD "
        f"in {settings.capital_token}; payback_days={settings.config.payback_days}, "
        f"holding_days={settings.config.holding_days}, min_move_usd={settings.config.min_move_usd:,.0f}, "
        f"conversion_rate={settings.config.conversion_rate}, "
        f"min_pools={settings.config.min_pools}.\n\n"
        "Portfolios: the strategy; the yardsticks a treasury would use instead (not bound by "
        "the rules); the baselines bound by the same rules, then buy_and_hold (ignores the "
        "rules) and the oracle (perfect foresight).\n\n"
        f"{markdown(figures_table(document))}\n\n"
        f"## Excess over each yardstick and baseline\n\n{_excess_lines(document)}\n\n"
        f"## Walk-forward steps\n\n{_steps_lines(document['walk_forward'])}\n\n"
        f"## Idle capital\n\n{_idle_lines(document)}\n\n"
        + "".join(f"{section}\n\n" for section in sections)
        + "![NAV](nav.png)\n"
    )
