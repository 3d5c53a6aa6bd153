"""Run one backtest on a market: simulate day by day, write as it goes, report at the end.

Every day is written to the database (committed) and to the CSV files before the next one is
computed; the caller's ``on_day`` sees each day (the command line draws its progress bar from
it). Ctrl-C stops the loop between two days: the run is marked ``interrupted`` and the report
is written from the days done, then the interrupt goes on to the caller.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from core import db
from python_models.backtest import outputs, store
from python_models.backtest.forecast_scores import (
    decision_regret_usd,
    forecast_section,
    score_views,
)
from python_models.backtest.market import MarketDays
from python_models.backtest.metrics import scorecard
from python_models.backtest.outputs import figures_table, holding_rows, nav_row
from python_models.backtest.portfolios import default_portfolios
from python_models.backtest.simulator import DayRecord, Settings, simulate
from python_models.backtest.stress import PRICE_DAYS, stress_portfolios, stress_section
from python_models.decision.policies import Decision, Policy

HOLDING_FIELDS = ["trade_date", "portfolio", "pool_id", "allocation_usd"]


@dataclass(frozen=True)
class RunOutcome:
    """A finished (or interrupted) run: its id, status, figures and where they are."""

    run_id: str
    status: str
    table: pd.DataFrame | None
    summary: dict[str, Any] | None
    folder: Path
    point: dict[str, Any]


def run_backtest(
    info: db.PgConnection,
    market: MarketDays,
    settings: Settings,
    folder: Path,
    policies: Sequence[Policy] | None = None,
    *,
    on_day: Callable[[list[DayRecord]], None] | None = None,
    sweep_point: Mapping[str, Any] | None = None,
    scored_from: dt.date | None = None,
    steps: Sequence[dict[str, Any]] = (),
    sections: Sequence[str] = (),
    decided: Mapping[str, Sequence[Decision]] | None = None,
) -> RunOutcome:
    """Simulate ``settings``'s range on ``market``; write the days to ``info``'s database and
    to ``folder``. The figures are over ``scored_from`` (default: the start) … the last day;
    ``steps`` are the walk-forward's choices, ``sections`` extra report sections, ``decided``
    decisions made before (see :func:`simulate`)."""
    point = dict(sweep_point or {})
    chosen = tuple(policies) if policies is not None else default_portfolios()
    run_id = f"{settings.start}_{settings.end}_{uuid.uuid4().hex[:8]}"
    days: list[dict[str, Any]] = []
    held: list[dict[str, Any]] = []
    status = "failed"
    document = table = None
    with db.connect(info) as conn, outputs.DayFiles(folder) as files:
        store.start_run(conn, run_id, settings, point, str(folder))
        conn.commit()
        try:
            for records in simulate(market, settings, chosen, decided):
                store.write_day(conn, run_id, records)
                files.write_day(run_id, records)
                days.extend(nav_row(run_id, record) for record in records)
                held.extend(row for record in records for row in holding_rows(run_id, record))
                if on_day is not None:
                    on_day(records)
            status = "completed"
        except KeyboardInterrupt:
            status = "interrupted"
            raise
        finally:
            if days:
                document = _report(
                    market,
                    settings,
                    folder,
                    days,
                    held,
                    status,
                    point,
                    steps,
                    sections,
                    scored_from,
                )
                table = figures_table(document)
            store.finish_run(conn, run_id, status, document)
    return RunOutcome(run_id, status, table, document, folder, point)


def _report(
    market: MarketDays,
    settings: Settings,
    folder: Path,
    days: list[dict[str, Any]],
    held: list[dict[str, Any]],
    status: str,
    point: dict[str, Any],
    steps: Sequence[dict[str, Any]],
    sections: Sequence[str],
    scored_from: dt.date | None,
) -> dict[str, Any]:
    """The summary document, and the report files written from it."""
    frame = pd.DataFrame(days, columns=list(days[0]))
    holdings = pd.DataFrame(held, columns=None if held else HOLDING_FIELDS)
    first, last = scored_from or settings.start, frame["trade_date"].max()
    document = scorecard(
        frame, holdings, market.descriptions, settings.capital_usd, first, last, steps
    )
    scores = score_views(market, settings.config.holding_days, first, last)
    regret = decision_regret_usd(frame, first, last)
    document["forecast_scores"] = {**scores, "decision_regret_usd": regret}
    stress = stress_portfolios(
        frame, holdings, market.descriptions, settings.config, settings.capital_token
    )
    document["stress_usdc_2023"] = stress
    document["eligible_pools_per_day"] = eligible_counts(market, first, last)
    outputs.write_report(
        folder,
        settings,
        document,
        frame,
        status,
        point,
        [
            eligible_section(document["eligible_pools_per_day"]),
            forecast_section(scores, regret),
            stress_section(stress, PRICE_DAYS[0], PRICE_DAYS[1]),
            *sections,
        ],
    )
    return document


def eligible_counts(market: MarketDays, first: dt.date, last: dt.date) -> dict[str, Any]:
    """Eligible pools per decision date over the scored days: with the pools' underlying
    tokens and curators (``after``) and by the tokens of their symbol alone (``before``)."""
    window = slice(pd.Timestamp(first), pd.Timestamp(last))
    counts = {
        label: market.eligible_count(column).loc[window]
        for label, column in (("before", "eligible_by_symbol"), ("after", "eligible"))
    }
    return {
        label: {
            "min": int(series.min()),
            "median": float(series.median()),
            "max": int(series.max()),
            "mean": round(float(series.mean()), 2),
        }
        for label, series in counts.items()
    }


def eligible_section(counts: dict[str, Any]) -> str:
    """The report's universe section."""
    rows = "\n".join(
        f"| {label} | {c['min']} | {c['median']:g} | {c['max']} | {c['mean']:.1f} |"
        for label, c in counts.items()
    )
    return (
        "## Eligible pools per day\n\n"
        "Before: a pool's tokens read from its symbol; after: from its underlying tokens, "
        "with curated vaults judged by their curator.\n\n"
        "| universe | min | median | max | mean |\n|---|---:|---:|---:|---:|\n" + rows
    )
