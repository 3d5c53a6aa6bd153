"""The policies: the baselines' allocation rules, the yardsticks, a move that pays for itself,
and why capital stays idle."""

from __future__ import annotations

import datetime as dt

import pytest
from markets import PARAMETERS, market, problem

from core.config import StrategyConfig
from python_models.decision.allocations import equal_weight_allocation, rebalance_to
from python_models.decision.policies import (
    PERSISTENCE,
    STRATEGY,
    Benchmark,
    BestYesterday,
    SinglePool,
    idle_bound,
    optimize,
)
from python_models.decision.yardsticks import SINGLE_POOLS, PoolKey, benchmark_weights
from python_models.optimization.problem import Holdings

WALLET = Holdings(liquidity_portfolio={"USDC": 1e6})


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
    # so does a protocol family above its cap (two aave pools, 50 % > 40 %)
    families = [{**pool, "protocol": "aave"} for pool in POOLS[:2]] + POOLS[2:]
    assert rebalance_to(
        problem(families, {"a": 250_000.0, "b": 250_000.0}, protocol_max_pct=40),
        {"a": 200_000.0, "b": 200_000.0},
    )


def test_best_yesterday_ranks_by_the_apy_it_is_fed_yesterdays_not_the_forecast() -> None:
    config = StrategyConfig.model_validate(
        {**PARAMETERS, "position_max_pct_total_assets": 60, "protocol_max_pct": 100}
    )
    day = market(
        {
            "forecast_best": {"apy_pct": 9.0, "apy_last": 3.0, "protocol": "aave"},
            "yesterday_best": {"apy_pct": 3.0, "apy_last": 9.0, "protocol": "fluid"},
        }
    )
    policy = BestYesterday("best_yesterday", PERSISTENCE)
    fed = day.with_apy(day.pools["apy_last"])  # the backtest's market feeds the view
    decision = policy.decide(fed, WALLET, config)
    deposits = {step.pool_id: step.amount_usd for step in decision.plan}
    assert deposits["yesterday_best"] == pytest.approx(600_000)  # filled first, to its cap
    assert deposits["forecast_best"] == pytest.approx(400_000)


def test_the_aave_yardstick_moves_everything_into_its_pool_once_whatever_the_rules() -> None:
    key = SINGLE_POOLS["aave_v3_usdc"]
    day = market(
        {
            "aave": {"project": key.project, "symbol": key.symbol, "eligible": False},
            "other": {"apy_pct": 9.0},
        }
    )
    config = StrategyConfig(min_pools=5, position_max_pct_total_assets=25)
    policy = SinglePool("aave_v3_usdc", key=key)
    bought = policy.decide(day, WALLET, config)
    deposits = [step for step in bought.plan if step.action == "deposit"]
    assert [(step.pool_id, round(step.amount_usd)) for step in deposits] == [("aave", 1_000_000)]
    assert deposits[0].gas_usd == pytest.approx(100_000 * 10e-9 * 3000)  # the one gas rule
    held = policy.decide(day, Holdings(current_allocations={"aave": 1e6}), config)
    assert held.status == "held" and not held.plan


def test_the_benchmark_weights_the_five_largest_usd_lending_pools_on_ethereum_by_tvl() -> None:
    rows = {f"p{n}": {"tvl_last": (n + 1) * 1e8} for n in range(7)}
    rows["base"] = {"tvl_last": 9e9, "chain": "Base"}
    rows["dex"] = {"tvl_last": 9e9, "category": "dex"}
    rows["eth"] = {"tvl_last": 9e9, "usd_stablecoin": False}
    weights = benchmark_weights(market(rows).pools)
    assert weights == {f"p{n}": (n + 1) * 1e8 for n in range(2, 7)}
    # re-chosen on each month's first day, held in between
    holding = Holdings(current_allocations={"p6": 5e5}, liquidity_portfolio={"USDC": 5e5})
    policy = Benchmark("benchmark_top5")
    assert policy.decide(market(rows, dt.date(2025, 3, 14)), holding, StrategyConfig()).status == (
        "held"
    )
    moved = policy.decide(market(rows, dt.date(2025, 4, 1)), holding, StrategyConfig())
    deposited = {step.pool_id for step in moved.plan if step.action == "deposit"}
    assert {f"p{n}" for n in range(2, 6)} <= deposited


def test_a_yardstick_waits_for_its_pool() -> None:
    day = market({"a": {}})
    decision = SinglePool("x", key=PoolKey("nowhere", "Ethereum", "USDC")).decide(
        day, WALLET, StrategyConfig()
    )
    assert decision.status == "idle" and not decision.plan


# Everything invested at 4 %; b pays 4.2 %: moving one 400k position (the cap: 40 % of AUM)
# earns about 800 USD a year more, for 2 USD of gas.
MOVE_POOLS = [
    {"pool_id": "a", "apy": 4.0, "tvl_usd": 1e9, "group": 1},
    {"pool_id": "c", "apy": 4.0, "tvl_usd": 1e9, "group": 1},
    {"pool_id": "d", "apy": 4.0, "tvl_usd": 1e9, "group": 1},
    {"pool_id": "b", "apy": 4.2, "tvl_usd": 1e9, "group": 1},
]
HELD = {"a": 400_000.0, "c": 400_000.0, "d": 200_000.0}


def test_a_move_goes_when_it_repays_its_costs_within_payback_days() -> None:
    # 800 USD a year is 2.2 USD a day: 20 USD of gas repays in about 9 days
    pools = [{**pool, "gas_usd": 10.0} for pool in MOVE_POOLS]
    moved = optimize(problem(pools, HELD, payback_days=30))
    assert any(step.action == "deposit" and step.pool_id == "b" for step in moved.plan)
    kept = optimize(problem(pools, HELD, payback_days=5))
    assert not kept.plan


def test_a_move_smaller_than_min_move_usd_does_not_go_unless_forced() -> None:
    held = {"a": 399_000.0, "c": 400_000.0, "d": 201_000.0}  # a is 1k below its cap
    small = optimize(problem(MOVE_POOLS[:3], held, payback_days=365, min_move_usd=5_000))
    assert not small.plan
    gone = [{**MOVE_POOLS[0], "eligible": False}, *MOVE_POOLS[1:]]
    forced = optimize(problem(gone, HELD, min_move_usd=10_000_000))
    assert any(step.action == "withdraw" and step.pool_id == "a" for step in forced.plan)


def test_idle_capital_names_the_limit_that_bound_it() -> None:
    # one group-3 pool: 20 % of AUM at most, the other 80 % idle
    pools = [{"pool_id": "x", "apy": 9.0, "tvl_usd": 1e9, "group": 3}]
    bound = problem(pools)
    assert idle_bound(bound, {"x": 200_000.0}, "optimal") == "limits: group3_max_pct"
    assert idle_bound(bound, {}, "infeasible") == "infeasible"
    assert idle_bound(bound, {"x": 995_000.0}, "optimal") is None
    assert idle_bound(bound, {"x": 100_000.0}, "optimal") == "not worth its costs"


def test_the_strategy_refuses_a_day_without_forecasts() -> None:
    day = market({"a": {"apy_pct": float("nan")}})
    decision = STRATEGY.decide(day, WALLET, StrategyConfig(min_pools=1))
    assert decision.status == "stale" and "lack a forecast" in (decision.reason or "")
