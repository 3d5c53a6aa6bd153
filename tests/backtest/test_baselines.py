"""The baselines are computed as defined in python_models/backtest/baselines.py."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import pytest
from synthetic import market_data

from core.config import StrategyConfig
from python_models.backtest.baselines import (
    BEST_YESTERDAY,
    BUY_AND_HOLD,
    EQUAL_WEIGHT,
    STRATEGY,
    equal_weight_allocation,
    rebalance_to,
)
from python_models.backtest.policies import decide, named
from python_models.backtest.portfolio import Portfolio
from python_models.backtest.simulate import BacktestSettings, simulate
from python_models.backtest.trade_days import MarketDays, TradeDay
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


def problem(pools: list[dict[str, Any]], current: dict[str, float] | None = None) -> Problem:
    """USDC pools; 1,000,000 USD, idle unless ``current`` places some of it."""
    current = current or {}
    rows = [{"tokens": ["USDC"], "gas_usd": 1.0, "eligible": True, **pool} for pool in pools]
    return parse_problem(
        {
            "parameters": PARAMETERS,
            "pools": rows,
            "holdings": {
                "current_allocations": current,
                "liquidity_portfolio": {"USDC": 1_000_000 - sum(current.values())},
            },
        }
    )


def test_equal_weight_spreads_what_capped_pools_cannot_take() -> None:
    # caps: a 5 % of 2 M TVL = 100k; b, c, d limited by 40 % of AUM = 400k
    pools = [
        {"pool_id": "a", "apy": 3.0, "tvl_usd": 2e6, "group": 1},
        {"pool_id": "b", "apy": 4.0, "tvl_usd": 1e9, "group": 1},
        {"pool_id": "c", "apy": 5.0, "tvl_usd": 1e9, "group": 1},
        {"pool_id": "d", "apy": 6.0, "tvl_usd": 1e9, "group": 1},
    ]
    allocation = equal_weight_allocation(problem(pools))
    assert allocation == pytest.approx({"a": 100_000, "b": 300_000, "c": 300_000, "d": 300_000})


def test_equal_weight_fills_a_group_to_its_cap_and_gives_the_rest_to_the_others() -> None:
    # group 3 may hold 20 % (200k) over two pools; groups 1 and 2 share the other 800k
    pools = [
        {"pool_id": "g1", "apy": 3.0, "tvl_usd": 1e9, "group": 1},
        {"pool_id": "g2", "apy": 4.0, "tvl_usd": 1e9, "group": 2},
        {"pool_id": "g3a", "apy": 9.0, "tvl_usd": 1e9, "group": 3},
        {"pool_id": "g3b", "apy": 9.0, "tvl_usd": 1e9, "group": 3},
        {"pool_id": "gone", "apy": 9.0, "tvl_usd": 1e9, "group": 1, "eligible": False},
        {"pool_id": "tiny", "apy": 9.0, "tvl_usd": 10_000, "group": 1},  # cap 500 < 1,000
    ]
    allocation = equal_weight_allocation(problem(pools))
    assert allocation == pytest.approx(
        {"g1": 400_000, "g2": 400_000, "g3a": 100_000, "g3b": 100_000}
    )


POOLS = [
    {"pool_id": "a", "apy": 4.0, "tvl_usd": 1e9, "group": 1},
    {"pool_id": "b", "apy": 5.0, "tvl_usd": 1e9, "group": 1},
    {"pool_id": "c", "apy": 6.0, "tvl_usd": 1e9, "group": 1},
]


def test_a_baseline_holds_the_same_pools_within_limits_and_trades_otherwise() -> None:
    held = {"a": 300_000.0, "b": 350_000.0}
    assert rebalance_to(problem(POOLS, held), {"a": 330_000.0, "b": 330_000.0}) == []
    # the target names another pool
    plan = rebalance_to(problem(POOLS, held), {"a": 330_000.0, "c": 330_000.0})
    assert {(step.action, step.pool_id) for step in plan} == {
        ("withdraw", "b"),
        ("deposit", "a"),
        ("deposit", "c"),
    }
    # a held position above its cap (40 % of AUM = 400k) forces the move to the target
    over = {"a": 450_000.0, "b": 350_000.0}
    assert rebalance_to(problem(POOLS, over), {"a": 330_000.0, "b": 330_000.0})
    # a held pool that is no longer eligible forces it too
    gone = [{**POOLS[0], "eligible": False}, *POOLS[1:]]
    assert rebalance_to(problem(gone, held), {"a": 330_000.0, "b": 330_000.0})


def test_best_yesterday_ranks_by_yesterdays_actual_apy_not_the_forecast() -> None:
    config = StrategyConfig.model_validate({**PARAMETERS, "position_max_pct_total_assets": 60})
    pools = pd.DataFrame(
        {
            "eligible": True,
            "group_id": 1,
            "tokens": [["USDC"], ["USDC"]],
            "apy_forecast": [9.0, 3.0],
            "tvl_forecast": 1e9,
            "apy_yesterday": [3.0, 9.0],
            "tvl_yesterday": 1e9,
            "gas_usd": 1.0,
        },
        index=pd.Index(["forecast_best", "yesterday_best"], name="pool_id"),
    )
    day = TradeDay(dt.date(2025, 3, 1), pools, pd.Series(0.0, index=pools.index))
    decision = decide(named(BEST_YESTERDAY), day, None, config, Portfolio(idle={"USDC": 1e6}))
    deposits = {step.pool_id: step.amount_usd for step in decision.plan}
    assert deposits["yesterday_best"] == pytest.approx(600_000)  # filled first, to its cap
    assert deposits["forecast_best"] == pytest.approx(400_000)


def test_buy_and_hold_copies_the_strategys_first_plan_then_never_trades() -> None:
    start, end = dt.date(2025, 3, 1), dt.date(2025, 3, 20)
    settings = BacktestSettings(start, end, StrategyConfig(), capital_usd=1e6)
    days = list(simulate(MarketDays(market_data(start, end)), settings))
    by_name = [{record.portfolio: record for record in records} for records in days]
    bought = [day for day in by_name if day[BUY_AND_HOLD].decision.status == "bought"]
    assert len(bought) == 1
    first = bought[0]
    assert first[BUY_AND_HOLD].decision.plan == first[STRATEGY].decision.plan
    assert first[BUY_AND_HOLD].held == first[STRATEGY].held
    after = by_name[by_name.index(first) + 1 :]
    assert after and all(not day[BUY_AND_HOLD].decision.plan for day in after)
    assert all(day[BUY_AND_HOLD].held.keys() == first[BUY_AND_HOLD].held.keys() for day in after)
    # the other baselines traded on the same days with their own rules
    assert any(day[EQUAL_WEIGHT].decision.plan for day in by_name)
