"""Plans are paid exactly as written; positions earn the APY the optimizer expects of them,
diluted by their own size; quotes include the treasury's positions; NAV is net of every cost."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from markets import market

from core.config import StrategyConfig
from python_models.backtest.market import quoted_with
from python_models.backtest.simulator import (
    OverdrawnError,
    Portfolio,
    accrue,
    diluted_apy,
    execute_plan,
)
from python_models.decision.problem import build_problem
from python_models.optimization import parse_problem, solve
from python_models.optimization.dilution import diluted_yield_usd
from python_models.optimization.evaluate import tolerance_usd
from python_models.optimization.problem import Holdings
from python_models.optimization.result import PlanStep

EXAMPLES = Path(__file__).parents[1] / "examples" / "optimization"


def solved(name: str):
    problem = parse_problem(json.loads((EXAMPLES / name).read_text()))
    result = solve(problem)
    assert result.succeeded
    return problem, result


@pytest.mark.parametrize("example", ["usdc_into_usdc_usdt.json", "rebalance_three_token_pool.json"])
def test_executing_the_plan_lands_on_the_optimizers_allocation_and_costs(example: str) -> None:
    problem, result = solved(example)
    start = Portfolio(
        dict(problem.holdings.current_allocations), dict(problem.holdings.liquidity_portfolio)
    )
    tokens = {pool.pool_id: pool.tokens for pool in problem.pools}
    end, costs = execute_plan(start, result.plan, tokens, tolerance_usd(problem))

    assert costs.gas_usd == pytest.approx(sum(step.gas_usd for step in result.plan))
    assert costs.gas_usd == pytest.approx(result.gas_cost_usd)
    assert costs.conversion_usd == pytest.approx(result.conversion_cost_usd)
    assert costs.conversion_usd > 0  # both examples convert tokens
    assert end.positions == pytest.approx(result.allocations)
    assert {t: v for t, v in end.idle.items() if v > 0.01} == pytest.approx(
        {t: v for t, v in result.idle.items() if v > 0.01}
    )
    assert end.nav_usd == pytest.approx(start.nav_usd - costs.gas_usd - costs.conversion_usd)


def test_each_step_is_charged_as_written() -> None:
    start = Portfolio({"a": 1000.0}, {"USDC": 500.0})
    plan = [
        PlanStep(step_no=1, action="withdraw", pool_id="a", amount_usd=400.0, gas_usd=3.0),
        PlanStep(
            step_no=2,
            action="convert",
            token_symbol="USDC",
            to_token_symbol="DAI",
            amount_usd=300.0,
            cost_usd=0.25,
        ),
        PlanStep(step_no=3, action="deposit", pool_id="b", amount_usd=600.0, gas_usd=7.0),
    ]
    end, costs = execute_plan(start, plan, {"a": ["USDC"], "b": ["USDC", "DAI"]}, 0.01)
    assert end.positions == {"a": 600.0, "b": 600.0}
    assert end.idle == pytest.approx({"USDC": 500 + 400 - 300.25 - 300})
    assert "DAI" not in end.idle  # 300 bought, 300 deposited
    assert (costs.gas_usd, costs.conversion_usd, costs.traded_usd) == (10.0, 0.25, 1000.0)
    assert end.gas_paid_usd == 10.0
    assert end.nav_usd == pytest.approx(start.nav_usd - 10.25)


def test_a_plan_that_spends_tokens_it_does_not_have_is_refused() -> None:
    plan = [PlanStep(step_no=1, action="deposit", pool_id="b", amount_usd=600.0)]
    with pytest.raises(OverdrawnError, match="USDC"):
        execute_plan(Portfolio({}, {"USDC": 500.0}), plan, {"b": ["USDC"]}, 0.05)


def test_positions_compound_their_apy_daily_and_idle_earns_nothing() -> None:
    portfolio = Portfolio({"a": 1000.0, "b": 1000.0}, {"USDC": 100.0}, gas_paid_usd=5.0)
    earned_total = 0.0
    for _ in range(365):
        portfolio, earned = accrue(portfolio, {"a": 5.0, "b": 0.0})
        earned_total += earned
    assert portfolio.positions["a"] == pytest.approx(1050.0)
    assert portfolio.positions["b"] == 1000.0
    assert portfolio.idle == {"USDC": 100.0}
    assert earned_total == pytest.approx(50.0)
    assert portfolio.nav_usd == pytest.approx(2050 + 100 - 5)


def test_a_position_earns_the_apy_spread_over_the_supply_it_joined() -> None:
    # 10 M in a pool of 90 M supply paying 5 %: the interest of 90 M is now spread over 100 M
    earned = diluted_apy(pd.Series({"a": 5.0}), pd.Series({"a": 90e6}), {"a": 10e6})
    assert earned["a"] == pytest.approx(5.0 * 90 / 100)
    # the optimizer's own formula says the same (c = 0: the history was recorded without us)
    a_year = diluted_yield_usd(10e6, 0.05, 90e6, 0.0)
    assert a_year == pytest.approx(10e6 * earned["a"] / 100)


def test_quotes_include_the_treasurys_own_position_as_live_quotes_would() -> None:
    day = market({"a": {"apy_pct": 5.0, "tvl_usd": 90e6, "apy_last": 4.0, "tvl_last": 90e6}})
    quoted = quoted_with(day, {"a": 10e6})
    row = quoted.pools.loc["a"]
    assert row["apy_pct"] == pytest.approx(4.5)  # 5 % × 90 / 100
    assert row["tvl_usd"] == pytest.approx(100e6)
    assert row["apy_last"] == pytest.approx(3.6)
    # the optimizer then expects what the simulator credits: x · APY · S / (S + x)
    problem = build_problem(quoted, Holdings(current_allocations={"a": 10e6}), StrategyConfig())
    (pool,) = problem.pools
    expected = diluted_yield_usd(10e6, pool.apy / 100, pool.tvl_usd, 10e6)
    assert expected == pytest.approx(10e6 * 0.045)
    assert quoted_with(day, {}) is day
