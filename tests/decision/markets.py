"""Hand-made problems and day markets for the decision tests (no database)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from python_models.decision.market import POOL_COLUMNS, DayMarket
from python_models.optimization import parse_problem
from python_models.optimization.problem import Problem

PARAMETERS = {
    "position_max_pct_pool_tvl": 5,
    "position_max_pct_total_assets": 40,
    "group1_max_pct": 100,
    "group2_max_pct": 50,
    "group3_max_pct": 20,
    "min_pools": 1,
    "min_position_usd": 1000,
    "conversion_rate": 0.0,
}
DAY = dt.date(2025, 3, 1)


def problem(
    pools: list[dict[str, Any]],
    current: dict[str, float] | None = None,
    **parameters: Any,
) -> Problem:
    """USDC pools; 1,000,000 USD, idle unless ``current`` places some of it."""
    current = current or {}
    rows = [{"tokens": ["USDC"], "gas_usd": 1.0, "eligible": True, **pool} for pool in pools]
    return parse_problem(
        {
            "parameters": {**PARAMETERS, **parameters},
            "pools": rows,
            "holdings": {
                "current_allocations": current,
                "liquidity_portfolio": {"USDC": 1_000_000 - sum(current.values())},
            },
        }
    )


def market(rows: dict[str, dict[str, Any]], day: dt.date = DAY, **gas: float) -> DayMarket:
    """A day's market of Ethereum USDC lending pools; each row overrides the defaults."""
    defaults = {
        "eligible": True,
        "group_id": 1.0,
        "tokens": ["USDC"],
        "protocol": "aave",
        "curator": None,
        "chain": "Ethereum",
        "apy_pct": 5.0,
        "tvl_usd": 1e9,
        "apy_last": 5.0,
        "tvl_last": 1e9,
        "supply_per_tvl": np.nan,
        "available_liquidity_usd": np.nan,
        "deposit_gas_units": 100_000.0,
        "tx_fee_usd": np.nan,
        "project": "aave-v3",
        "symbol": "USDC",
        "category": "lending",
        "usd_stablecoin": True,
    }
    frame = pd.DataFrame(
        [{**defaults, **row} for row in rows.values()], index=pd.Index(list(rows), name="pool_id")
    )
    return DayMarket(
        day,
        frame[list(POOL_COLUMNS)],
        gas.get("gwei", 10.0),
        gas.get("eth", 3000.0),
        {},
    )
