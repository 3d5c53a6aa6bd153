"""Property tests over random problems: the MILP against the independent evaluator.

Every solution must pass every constraint of :func:`evaluate` (written from docs/product.md, not
from the model), must score at least as well as keeping the current allocation and as the
greedy fill by APY whenever those are feasible, and an infeasible answer must be right (no
baseline is feasible) and name ``min_pools``, the only constraint that can conflict.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from python_models.optimization import parse_problem, solve
from python_models.optimization.evaluate import (
    evaluate,
    greedy_allocation,
    keep_current_allocation,
    min_position_usd,
    tolerance_usd,
)
from python_models.optimization.problem import Problem
from python_models.optimization.solver import MIP_REL_GAP

TOKENS = ["USDC", "USDT", "DAI", "WETH"]
ORDER = ["withdraw", "convert", "deposit"]


@st.composite
def problems(draw: st.DrawFn) -> Problem:
    count = draw(st.integers(1, 7))
    pools = []
    for index in range(count):
        eligible = draw(st.booleans()) or index % 4 != 3
        pools.append(
            {
                "pool_id": f"pool-{index}",
                "apy": draw(st.floats(0, 20)),
                "tvl_usd": draw(st.sampled_from([5e4, 1e6, 2e7, 5e8])),
                "group": draw(st.integers(1, 3)),
                "tokens": draw(
                    st.lists(st.sampled_from(TOKENS), min_size=1, max_size=3, unique=True)
                ),
                "gas_usd": draw(st.floats(0, 60)),
                "eligible": eligible,
            }
        )
    held = draw(st.lists(st.sampled_from([p["pool_id"] for p in pools]), max_size=3, unique=True))
    current = {pool_id: draw(st.floats(0, 400_000)) for pool_id in held}
    wallet = draw(st.dictionaries(st.sampled_from(TOKENS), st.floats(0, 800_000), max_size=3))
    parameters = {
        "position_max_pct_pool_tvl": draw(st.sampled_from([1, 5, 20, 100])),
        "position_max_pct_total_assets": draw(st.sampled_from([10, 25, 60, 100])),
        "group1_max_pct": draw(st.sampled_from([40, 100])),
        "group2_max_pct": draw(st.sampled_from([0, 20, 50])),
        "group3_max_pct": draw(st.sampled_from([0, 10, 20])),
        "min_pools": draw(st.integers(0, 4)),
        "min_position_usd": draw(st.sampled_from([0, 1000, 50_000])),
        "conversion_rate": draw(st.sampled_from([0, 0.0004, 0.01])),
        "profit_optimization": draw(st.booleans()),
        "horizon_days": draw(st.sampled_from([1, 30, 365])),
    }
    return parse_problem(
        {
            "parameters": parameters,
            "pools": pools,
            "holdings": {"current_allocations": current, "liquidity_portfolio": wallet},
        }
    )


def objective_tolerance(problem: Problem, value: float) -> float:
    # HiGHS stops at a relative gap of MIP_REL_GAP; rounding of a cent per pool on top.
    return 2 * MIP_REL_GAP * abs(value) + 0.01 * (len(problem.pools) + 1) + 1e-6 * problem.aum_usd


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_solutions_hold_every_constraint_and_beat_the_baselines(problem: Problem) -> None:
    result = solve(problem)
    assert result.status in ("optimal", "infeasible"), result.reason
    current = keep_current_allocation(problem)
    # A held position under the smallest one the program may hold (min_position_usd, at least
    # 1 USD) must move, paying its gas; the checks' rounding slack may still pass it as kept.
    keepable = not any(0 < usd < min_position_usd(problem) for usd in current.values())
    baselines = [
        *([evaluate(problem, current)] if keepable else []),
        evaluate(problem, greedy_allocation(problem)),
    ]
    if result.status == "infeasible":
        assert "min_pools" in result.reason
        assert not any(baseline.feasible for baseline in baselines)
        return
    check = evaluate(problem, result.allocations)
    assert check.violations == []
    tol = tolerance_usd(problem)
    assert all(value >= -tol for value in result.idle.values())
    total = sum(result.allocations.values()) + sum(result.idle.values())
    assert total + result.conversion_cost_usd == pytest.approx(problem.aum_usd, abs=tol)
    assert result.expected_profit_usd == pytest.approx(check.expected_profit_usd, abs=1e-6)
    actions = [step.action for step in result.plan]
    assert actions == sorted(actions, key=ORDER.index)
    for baseline in baselines:
        if baseline.feasible:
            assert check.objective_usd >= baseline.objective_usd - objective_tolerance(
                problem, baseline.objective_usd
            )


@settings(max_examples=25, deadline=None)
@given(
    amount=st.floats(10_000, 1_000_000),
    apy=st.floats(1, 15),
    gas=st.floats(5, 50),
    horizon=st.sampled_from([7, 30, 90]),
    edge_share=st.floats(0.05, 0.9),
)
def test_an_apy_edge_that_does_not_pay_for_the_gas_moves_nothing(
    amount: float, apy: float, gas: float, horizon: int, edge_share: float
) -> None:
    # Moving everything to the better pool gains amount × edge × horizon/365 and pays gas twice
    # (withdraw + deposit); choose the edge so the gain is only part of that gas.
    edge = edge_share * 2 * gas / (amount * horizon / 365) * 100
    problem = parse_problem(
        {
            "parameters": {
                "min_pools": 1,
                "min_position_usd": 1000,
                "horizon_days": horizon,
                "position_max_pct_pool_tvl": 100,
                "position_max_pct_total_assets": 100,
                "conversion_rate": 0.0004,
            },
            "pools": [
                {
                    "pool_id": "now",
                    "apy": apy,
                    "tvl_usd": 1e9,
                    "group": 1,
                    "tokens": ["USDC"],
                    "gas_usd": gas,
                },
                {
                    "pool_id": "better",
                    "apy": apy + edge,
                    "tvl_usd": 1e9,
                    "group": 1,
                    "tokens": ["USDC"],
                    "gas_usd": gas,
                },
            ],
            "holdings": {"current_allocations": {"now": amount}},
        }
    )
    result = solve(problem)
    assert result.status == "optimal"
    assert result.plan == []
    assert result.allocations == {"now": amount}
    assert result.gas_cost_usd == 0


def test_an_edge_that_pays_for_the_gas_moves_the_money() -> None:
    problem = parse_problem(
        {
            "parameters": {
                "min_pools": 1,
                "position_max_pct_pool_tvl": 100,
                "position_max_pct_total_assets": 100,
                "horizon_days": 30,
            },
            "pools": [
                {
                    "pool_id": "now",
                    "apy": 4.0,
                    "tvl_usd": 1e9,
                    "group": 1,
                    "tokens": ["USDC"],
                    "gas_usd": 20,
                },
                {
                    "pool_id": "better",
                    "apy": 4.5,
                    "tvl_usd": 1e9,
                    "group": 1,
                    "tokens": ["USDC"],
                    "gas_usd": 20,
                },
            ],
            "holdings": {"current_allocations": {"now": 1_000_000}},
        }
    )
    result = solve(problem)
    assert result.allocations == {"better": pytest.approx(1_000_000)}
    assert [step.action for step in result.plan] == ["withdraw", "deposit"]
    assert result.gas_cost_usd == 40


def pool(
    pool_id: str,
    group: int = 1,
    tvl: float = 1e9,
    tokens: tuple[str, ...] = ("USDC",),
    eligible: bool = True,
) -> dict[str, Any]:
    return {
        "pool_id": pool_id,
        "apy": 5.0,
        "tvl_usd": tvl,
        "group": group,
        "tokens": list(tokens),
        "gas_usd": 10.0,
        "eligible": eligible,
    }


@pytest.mark.parametrize(
    ("parameters", "pools", "wallet", "expected"),
    [
        (
            {"min_pools": 4},
            [pool("a"), pool("b"), pool("c", eligible=False)],
            {"USDC": 1e6},
            ["min_pools=4 needs 4 positions", "only 2 eligible pools"],
        ),
        (
            {"min_pools": 3, "min_position_usd": 1000, "position_max_pct_total_assets": 50},
            [pool("a"), pool("b"), pool("c")],
            {"USDC": 2500},
            ["min_pools=3", "3,000 USD in all", "AUM is 2,500 USD"],
        ),
        (
            {"min_pools": 3, "position_max_pct_pool_tvl": 1, "min_position_usd": 10_000},
            [pool("a"), pool("b", tvl=5e5), pool("c", tvl=2e5)],
            {"USDC": 1e6},
            [
                "only 1 of the 3 eligible pools can hold",
                "position_max_pct_pool_tvl=1.0%",
                "b cap 5,000 USD",
            ],
        ),
        (
            {"min_pools": 4, "group1_max_pct": 2, "group2_max_pct": 1, "min_position_usd": 10_000},
            [pool("a"), pool("b"), pool("c", group=2), pool("d", group=2)],
            {"USDC": 1e6},
            [
                "group caps allow at most 3",
                "group2_max_pct=1.0% of AUM = 10,000 USD fits 1 of its 2",
            ],
        ),
        (
            {"min_pools": 4, "min_position_usd": 25_000, "conversion_rate": 0.01},
            [pool(p, tokens=("DAI",)) for p in "abcd"],
            {"USDC": 100_000},
            ["at most 3 fit", "conversion costs (conversion_rate=0.01"],
        ),
    ],
)
def test_infeasible_problems_name_the_conflicting_constraint(
    parameters: dict[str, Any],
    pools: list[dict[str, Any]],
    wallet: dict[str, float],
    expected: list[str],
) -> None:
    problem = parse_problem(
        {"parameters": parameters, "pools": pools, "holdings": {"liquidity_portfolio": wallet}}
    )
    result = solve(problem)
    assert result.status == "infeasible"
    for fragment in expected:
        assert fragment in result.reason


@pytest.mark.parametrize(
    ("parameters", "named"),
    [
        ({"protocol_max_pct": 0}, "protocol_max_pct=0.0% (3 pools)"),
        ({"position_max_pct_total_assets": 0.05}, "position_max_pct_total_assets=0.05% (3 pools)"),
        ({"group1_max_pct": 0, "group2_max_pct": 0}, "group1_max_pct=0.0% (2 pools)"),
    ],
)
def test_a_limit_that_leaves_no_pool_room_idles_the_money_and_names_itself(
    parameters: dict[str, Any], named: str
) -> None:
    pools = [pool("a"), pool("b"), pool("c", group=2)]
    for entry in pools:
        entry["protocol"] = "aave"
    raw = {
        "parameters": {"min_pools": 2, **parameters},
        "pools": pools,
        "holdings": {"current_allocations": {"a": 4e5}, "liquidity_portfolio": {"USDC": 6e5}},
    }
    result = solve(parse_problem(raw))
    assert result.status == "optimal"  # not an infeasible day
    assert result.allocations == {}  # everything idle, the held position withdrawn
    assert result.idle_reason is not None
    assert "nothing can be invested" in result.idle_reason
    assert named in result.idle_reason
