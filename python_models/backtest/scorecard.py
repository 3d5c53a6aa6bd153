"""The ``summary.json`` document: every portfolio's figures, excess with intervals, windows.

The figures (:mod:`.risk`) are computed over the scored days only: the whole range for a
plain backtest; for a walk-forward, the days from the first step boundary (the warm-up
before it trades a choice made on nothing). The scored span is also cut in two halves, so a
result that holds on one half only shows. Excess is the strategy's net APY minus each
baseline's with a 90 % block-bootstrap interval.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pandas as pd

from python_models.backtest.baselines import BASELINES, STRATEGY
from python_models.backtest.performance import portfolio_stats
from python_models.backtest.risk import daily_returns, excess, window_metrics

ROUNDED = 6


def _rounded(figures: dict[str, Any]) -> dict[str, Any]:
    return {
        key: round(value, ROUNDED) if isinstance(value, float) else value
        for key, value in figures.items()
    }


def _window(frame: pd.DataFrame, first: dt.date, last: dt.date) -> pd.DataFrame:
    dates = pd.to_datetime(frame["trade_date"]).dt.date
    return frame[(dates >= first) & (dates <= last)]


def _opening(days: pd.DataFrame, first: dt.date, capital_usd: float) -> float:
    """NAV at the end of the day before ``first`` (the capital when there is none)."""
    before = days[pd.to_datetime(days["trade_date"]).dt.date < first]
    return float(before["nav_usd"].iloc[-1]) if not before.empty else capital_usd


def halves(first: dt.date, last: dt.date) -> list[tuple[str, dt.date, dt.date]]:
    """The scored span and its two halves (the first half ends on the middle day)."""
    middle = first + dt.timedelta(days=((last - first).days + 1) // 2 - 1)
    return [
        ("scored", first, last),
        ("first_half", first, middle),
        ("second_half", middle + dt.timedelta(days=1), last),
    ]


def portfolio_figures(
    days: pd.DataFrame,
    holdings: pd.DataFrame,
    descriptions: pd.DataFrame,
    capital_usd: float,
    first: dt.date,
    last: dt.date,
) -> dict[str, dict[str, Any]]:
    """Every portfolio's figures over ``first`` … ``last`` and its daily returns."""
    out = {}
    for name, rows in days.groupby("portfolio", sort=False):
        rows = rows.sort_values("trade_date")
        window = _window(rows, first, last)
        held = _window(holdings[holdings["portfolio"] == name], first, last)
        opening = _opening(rows, first, capital_usd)
        figures = window_metrics(
            window, held[["trade_date", "pool_id", "allocation_usd"]], opening, descriptions
        )
        plain = portfolio_stats(window, opening)
        figures |= {"volatility": plain["volatility"], "days_invested": plain["days_invested"]}
        out[str(name)] = {
            "figures": figures,
            "returns": daily_returns(window, opening),
        }
    return out


def scorecard(
    days: pd.DataFrame,
    holdings: pd.DataFrame,
    descriptions: pd.DataFrame,
    capital_usd: float,
    scored_from: dt.date,
    scored_to: dt.date,
    steps: Sequence[dict[str, Any]] = (),
) -> dict[str, Any]:
    """The summary document (the report's contract, see README.md)."""
    windows = []
    document: dict[str, Any] = {}
    for label, first, last in halves(scored_from, scored_to):
        figures = portfolio_figures(days, holdings, descriptions, capital_usd, first, last)
        if STRATEGY not in figures:
            continue
        strategy = figures[STRATEGY]["returns"]
        excesses = {
            name: excess(strategy, figures[name]["returns"])
            for name in BASELINES
            if name in figures
        }
        if label == "scored":
            document = {
                STRATEGY: _rounded(figures[STRATEGY]["figures"]),
                "baselines": {
                    name: _rounded(figures[name]["figures"])
                    for name in BASELINES
                    if name in figures
                },
                "excess": excesses,
            }
        windows.append(
            {
                "window": label,
                "from": first.isoformat(),
                "to": last.isoformat(),
                "net_apy": {
                    name: round(float(entry["figures"]["net_apy"]), 4)
                    for name, entry in figures.items()
                },
                "excess": excesses,
            }
        )
    document["windows"] = windows
    document["walk_forward"] = list(steps)
    return document
