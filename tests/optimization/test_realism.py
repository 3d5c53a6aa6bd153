"""Exposure caps, withdrawable-liquidity caps and dilution, on seeded random problems.

Every answer must pass the shared evaluator (which checks the new caps) and its objective,
scored with the exact dilution formula, must be within 1e-3 of an independent reference MILP
(:mod:`reference_milp`: scipy's HiGHS with 400 tangents per pool). Across the seeds each new
constraint has to bind somewhere, so the comparison is not won by caps that never matter.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from core.config import StrategyConfig
from python_models.optimization import parse_problem, solve
from python_models.optimization.evaluate import evaluate, tolerance_usd
from python_models.optimization.exposure import exposure_cap_usd, exposure_totals
from python_models.optimization.problem import Problem
from tests.optimization.reference_milp import reference_allocation

TOKENS = ["USDC", "USDT", "DAI"]
PROTOCOLS = ["aave-v3", "compound-v3", "morpho"]
CHAINS = ["Ethereum", "Base"]
SEEDS = range(24)


def random_problem(seed: int) -> Problem:
    rng = np.random.default_rng(seed)
    pools = []
    for index in range(int(rng.integers(4, 9))):
        known = rng.uniform() < 0.7
        tvl = float(rng.choice([3e5, 2e6, 1e7, 5e7]))
        pools.append(
            {
                "pool_id": f"pool-{index}",
                "apy": float(rng.uniform(1, 15)),
                "tvl_usd": tvl,
                "group": int(rng.integers(1, 4)),
                "tokens": [
                    str(t) for t in rng.choice(TOKENS, size=int(rng.integers(1, 3)), replace=False)
                ],
                "gas_usd": float(rng.uniform(0, 40)),
                "eligible": bool(rng.uniform() < 0.9),
                "protocol": str(rng.choice(PROTOCOLS)),
                "chain": str(rng.choice(CHAINS)),
                "available_liquidity_usd": float(tvl * rng.uniform(0.05, 1)) if known else None,
            }
        )
    held = rng.choice(len(pools), size=int(rng.integers(0, 3)), replace=False)
    current = {f"pool-{i}": float(rng.uniform(5e4, 3e5)) for i in held}
    wallet = {"USDC": float(rng.uniform(2e5, 1e6)), "DAI": float(rng.uniform(0, 3e5))}
    parameters: dict[str, Any] = {
        "position_max_pct_pool_tvl": float(rng.choice([5, 20, 50])),
        "position_max_pct_total_assets": float(rng.choice([25, 60, 100])),
        "group2_max_pct": 50,
        "group3_max_pct": 30,
        "min_pools": int(rng.integers(0, 3)),
        "min_position_usd": float(rng.choice([0, 1000, 20_000])),
        "conversion_rate": float(rng.choice([0, 0.0004, 0.005])),
        "profit_optimization": bool(rng.uniform() < 0.8),
        "horizon_days": int(rng.choice([30, 365])),
        "protocol_max_pct": float(rng.choice([20, 35, 100])),
        "chain_max_pct": float(rng.choice([40, 70, 100])),
        "position_max_pct_available_liquidity": float(rng.choice([10, 25])),
        "apy_dilution": True,
    }
    overrides = {"protocol_caps": {"morpho": 10}} if rng.uniform() < 0.3 else {}
    return parse_problem(
        {
            "parameters": parameters,
            "pools": pools,
            "holdings": {"current_allocations": current, "liquidity_portfolio": wallet},
            **overrides,
        }
    )


def binding(problem: Problem, allocation: dict[str, float]) -> set[str]:
    """Which of the new constraint families hold an answer at their limit."""
    tol = 10 * tolerance_usd(problem)
    found = set()
    for dimension in ("protocol", "chain"):
        for name, total in exposure_totals(problem, allocation, dimension).items():
            cap = exposure_cap_usd(problem, dimension, name)
            if cap < problem.aum_usd and total >= cap - tol:
                found.add(dimension)
    result = solve(problem)
    if any(position.liquidity_bound for position in result.positions):
        found.add("liquidity")
    if any(
        pool.available_liquidity_usd is None and allocation.get(pool.pool_id, 0) > 0
        for pool in problem.pools
    ):
        found.add("unknown liquidity")
    if result.dilution_cost_usd > 1:
        found.add("dilution")
    return found


@pytest.fixture(scope="module")
def solved() -> list[tuple[Problem, Any, dict[str, float] | None]]:
    cases = []
    for seed in SEEDS:
        problem = random_problem(seed)
        cases.append((problem, solve(problem), reference_allocation(problem)))
    return cases


def test_every_answer_holds_every_constraint_and_matches_the_reference(solved: list) -> None:
    for problem, result, reference in solved:
        if reference is None:
            assert result.status == "infeasible", result.reason
            continue
        assert result.status == "optimal", result.reason
        mine = evaluate(problem, result.allocations)
        assert mine.violations == []
        theirs = evaluate(problem, reference)
        assert theirs.violations == [], "the reference itself must be feasible"
        scale = max(abs(theirs.objective_usd), 1.0)
        assert abs(mine.objective_usd - theirs.objective_usd) <= 1e-3 * scale + 0.05, (
            problem.model_dump_json()
        )
        assert result.expected_yield_usd == pytest.approx(mine.expected_yield_usd, abs=1e-9)


def test_each_new_constraint_binds_in_some_problem(solved: list) -> None:
    seen: set[str] = set()
    for problem, result, _ in solved:
        if result.succeeded:
            seen |= binding(problem, result.allocations)
    assert seen >= {"protocol", "chain", "liquidity", "unknown liquidity", "dilution"}


def test_an_exposure_cap_that_leaves_too_few_positions_is_named() -> None:
    pools = [
        {
            "pool_id": p,
            "apy": 5.0,
            "tvl_usd": 1e9,
            "group": 1,
            "tokens": ["USDC"],
            "protocol": "aave-v3",
            "chain": "Ethereum",
        }
        for p in "abc"
    ]
    problem = parse_problem(
        {
            "parameters": {"min_pools": 3, "min_position_usd": 50_000, "protocol_max_pct": 10},
            "pools": pools,
            "holdings": {"liquidity_portfolio": {"USDC": 1e6}},
        }
    )
    result = solve(problem)
    assert result.status == "infeasible"
    assert "protocol caps (protocol_max_pct=10" in result.reason
    assert "aave-v3 at 10" in result.reason


def test_the_strategy_defaults_turn_every_new_constraint_on() -> None:
    problem = Problem.model_validate(
        {
            "parameters": StrategyConfig(),
            "pools": [{"pool_id": "a", "apy": 5.0, "tvl_usd": 1e7, "group": 1, "tokens": ["USDC"]}],
        }
    )
    params = problem.parameters
    assert (params.protocol_max_pct, params.chain_max_pct) == (40, 100)
    assert params.position_max_pct_available_liquidity == 25
    assert params.apy_dilution is True
