"""Changing what happens after a day changes no decision up to that day (no database)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from synthetic import market_data

from core.config import StrategyConfig
from python_models.backtest.market import MarketData, MarketDays
from python_models.backtest.portfolios import ORACLE_NAME as ORACLE
from python_models.backtest.portfolios import default_portfolios
from python_models.backtest.simulator import DayRecord, Settings, simulate

START, END = dt.date(2025, 3, 1), dt.date(2025, 3, 24)
CUT = dt.date(2025, 3, 12)  # the last day whose decisions must not move

# two whole 24-day backtests of every portfolio (a MILP solve a day each): no database, but a
# minute of solving, so the run tier rather than the unit one
pytestmark = pytest.mark.e2e


def decisions(data: MarketData) -> list[tuple]:
    """Every portfolio's status, plan and positions per day (the oracle sees the future by
    definition: it is the upper bound, not a decision)."""
    settings = Settings(START, END, StrategyConfig(payback_days=7, min_pools=2))
    rows: list[DayRecord] = [
        r for records in simulate(MarketDays(data), settings, default_portfolios()) for r in records
    ]
    return [
        (r.day, r.portfolio, r.decision.status, [s.model_dump() for s in r.decision.plan], r.held)
        for r in rows
        if r.portfolio != ORACLE
    ]


def altered_after(data: MarketData, cut: dt.date) -> MarketData:
    """The same data with everything dated after ``cut`` changed: APY, TVL, gas, the ETH
    price, eligibility (a decision date D reads data dated up to D − 1)."""
    later = pd.Timestamp(cut)
    history = data.history.copy()
    future = history["day"] > later
    history.loc[future, "apy_pct"] = history.loc[future, "apy_pct"][::-1].to_numpy() * 3
    history.loc[future, "tvl_usd"] /= 50
    gas = data.gas.copy()
    gas[gas.index > later] *= 20
    eth = data.eth.copy()
    eth[eth.index > later] *= 2
    pools = data.pools.copy()
    flipped = (pools["decision_date"] > later + pd.Timedelta(days=1)) & pools[
        "pool_id"
    ].str.startswith("eth")
    pools.loc[flipped, "eligible"] = False
    changed = pools["decision_date"] > later + pd.Timedelta(days=1)
    pools.loc[changed, "apy_last"] *= 3
    return MarketData(data.start, data.end, pools, history, gas, eth, data.caps)


def test_decisions_up_to_a_day_ignore_everything_after_it() -> None:
    data = market_data(START, END)
    original = decisions(data)
    changed = decisions(altered_after(data, CUT))
    up_to = [row for row in original if row[0] <= CUT]
    assert up_to == [row for row in changed if row[0] <= CUT]
    # the decision of CUT + 1 is made on the data of CUT: still the same
    next_day = CUT + dt.timedelta(days=1)
    assert [r for r in original if r[0] == next_day] == [r for r in changed if r[0] == next_day]
    # and the change is visible from the day after that, so the test can fail
    assert [r for r in original if r[0] > next_day] != [r for r in changed if r[0] > next_day]
