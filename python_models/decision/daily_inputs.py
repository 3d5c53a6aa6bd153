"""Step 13's inputs for one run date: the day's market from the marts, and the holdings.

The market (:class:`~python_models.decision.market.DayMarket`) is read with the same
functions the backtest reads its range with (:mod:`python_models.decision.marts`): each pool
as judged on the run date, fed the forecasts of step 11 (refused, not replaced by actuals,
where an eligible pool has none), the gas forecast of step 12 and the ETH close of the day
before, the caps in force. The problem is then built by the one pure function both callers
use (:func:`python_models.decision.problem.build_problem`). Holdings: the last successful
run's positions and idle tokens; on the first run, the wallet's tokens valued by the ledger.
Stale inputs stop the step instead of deciding on old data.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from psycopg2.extensions import connection

from core.config import StrategyConfig
from python_models.decision.market import POOL_COLUMNS, DayMarket
from python_models.decision.marts import (
    caps_on,
    eth_close_before,
    frame,
    read_caps,
    read_eth_closes,
    read_pool_days,
)
from python_models.decision.problem import StaleInputError
from python_models.decision.problem import build_problem as problem_of
from python_models.optimization.problem import Holdings, Problem
from python_models.optimization.runs import previous_holdings

__all__ = ["StaleInputError", "build_problem", "day_market", "holdings_for", "lists_snapshot"]
# The ETH close that prices gas is at most this old.
ETH_PRICE_LOOKBACK_DAYS = 7


def _check_fresh(conn: connection, run_date: dt.date) -> float:
    """Refuse to allocate without today's pools snapshot and gas forecast; the gas price."""
    latest = frame(conn, "select max(last_seen_date) as latest from marts.defi_pools", {})
    latest_snapshot = latest["latest"].iloc[0]
    if latest_snapshot != run_date:
        raise StaleInputError(
            f"no pools snapshot for {run_date} (latest: {latest_snapshot or 'none'}): "
            "refusing to allocate on old data"
        )
    gas = frame(
        conn,
        "select gas_price_gwei from forecasts.gas_forecasts where run_date = %(day)s",
        {"day": run_date},
    )
    if gas.empty or pd.isna(gas["gas_price_gwei"].iloc[0]):
        raise StaleInputError(f"no gas forecast for {run_date}: refusing to allocate")
    return float(gas["gas_price_gwei"].iloc[0])


def _forecasts(conn: connection, run_date: dt.date) -> pd.DataFrame:
    """The run date's APY and TVL forecast per pool (step 11)."""
    rows = frame(
        conn,
        """
        select
            pool_id,
            max(forecast_value) filter (where target = 'apy_pct') as apy_pct,
            max(forecast_value) filter (where target = 'tvl_usd') as tvl_usd
        from forecasts.pool_forecasts
        where run_date = %(day)s
        group by pool_id
        """,
        {"day": run_date},
    )
    return rows.set_index("pool_id").astype(float)


def day_market(conn: connection, run_date: dt.date) -> DayMarket:
    """The run date's market, as the backtest's trade day of the same date sees it."""
    gas_price = _check_fresh(conn, run_date)
    rows = read_pool_days(conn, run_date, run_date).set_index("pool_id")
    forecasts = _forecasts(conn, run_date).reindex(rows.index)
    pools = rows.assign(apy_pct=forecasts["apy_pct"], tvl_usd=forecasts["tvl_usd"])
    closes = read_eth_closes(conn, run_date - dt.timedelta(days=ETH_PRICE_LOOKBACK_DAYS), run_date)
    return DayMarket(
        decision_date=run_date,
        pools=pools[list(POOL_COLUMNS)],
        gas_price_gwei=gas_price,
        eth_price_usd=eth_close_before(closes, run_date),
        caps=caps_on(read_caps(conn, run_date, run_date), run_date),
    )


def wallet_holdings(conn: connection, run_date: dt.date) -> Holdings:
    """The wallet's tokens on the run date, valued by the ledger, all idle."""
    rows = frame(
        conn,
        """
        select token_symbol, sum(nav_usd) as usd
        from marts.daily_ledger
        where ledger_date = %(day)s and nav_usd > 0
        group by token_symbol
        order by token_symbol
        """,
        {"day": run_date},
    )
    return Holdings(
        liquidity_portfolio=dict(zip(rows["token_symbol"], rows["usd"].astype(float), strict=True))
    )


def holdings_for(conn: connection, run_date: dt.date, holdings: Holdings | None = None) -> Holdings:
    """``holdings`` if given, else the last run's, else the wallet's; refused when empty."""
    holdings = holdings or previous_holdings(conn, run_date) or wallet_holdings(conn, run_date)
    if holdings.aum_usd <= 0:
        raise StaleInputError(f"no holdings for {run_date}: the wallet ledger is empty")
    return holdings


def build_problem(
    conn: connection,
    run_date: dt.date,
    config: StrategyConfig,
    holdings: Holdings | None = None,
) -> Problem:
    """The day's problem; ``holdings`` overrides what the runs and wallet say."""
    return problem_of(day_market(conn, run_date), holdings_for(conn, run_date, holdings), config)


def lists_snapshot(conn: connection, run_date: dt.date) -> dict[str, Any]:
    """The analyst lists, icebox and caps in force on the run date, for the run record."""
    rows = frame(
        conn,
        """
        select list_name, entry
        from marts.lists_in_force
        where in_force_date = %(day)s
        order by list_name, entry
        """,
        {"day": run_date},
    )
    snapshot: dict[str, Any] = {
        name: list(entries) for name, entries in rows.groupby("list_name")["entry"]
    }
    snapshot["exposure_caps"] = caps_on(read_caps(conn, run_date, run_date), run_date)
    return snapshot
