"""The dilution's outer approximation: error grids meet their bound with the fewest points,
and the solver's bound is within 1e-6 of its answer scored with the exact formula.

The second is what ``bench/optimize.py`` measures at 2,000 pools; here a 150-pool problem
with every realism constraint on, where one pass of static tangents leaves a gap of ~1e-4.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from python_models.optimization import parse_problem, solve
from python_models.optimization.dilution import error_grid, exact_yields, tangent
from python_models.optimization.evaluate import evaluate
from python_models.optimization.problem import Problem
from python_models.optimization.solver import MIP_REL_GAP

CURVES = [(0.004, 200.0, 190.0, 0.0, 10.0), (0.05, 30.0, 30.0, 2.0, 25.0), (0.1, 5.0, 4.0, 0, 5)]


def overestimate(curve: tuple[float, float, float], points: np.ndarray, x: np.ndarray) -> float:
    """Largest gap between the lowest tangent at ``points`` and the curve, sampled at ``x``."""
    rate, tvl, other = (np.full(len(points), value) for value in curve)
    slope, intercept = tangent(points, rate, tvl, other)
    lowest = np.min(slope[:, None] * x[None, :] + intercept[:, None], axis=0)
    return float(np.max(lowest - exact_yields(x, *curve)))


@pytest.mark.parametrize("rate, tvl, other, start, stop", CURVES)
def test_an_error_grid_meets_its_tolerance_with_the_fewest_points(
    rate: float, tvl: float, other: float, start: float, stop: float
) -> None:
    curve = (rate, tvl, other)
    tolerance = 1e-4 * overestimate(curve, np.array([start, stop]), np.linspace(start, stop, 999))
    points = error_grid(rate, tvl, other, start, stop, tolerance)
    assert points[0] == start and points[-1] == stop and len(points) > 3
    for low, high in itertools.pairwise(points):
        gap = overestimate(curve, np.array([low, high]), np.linspace(low, high, 2001))
        assert gap <= tolerance * (1 + 1e-6)
    # Every step but the last is as long as the tolerance allows: dropping a point breaks it.
    for middle in range(1, len(points) - 1):
        low, high = points[middle - 1], points[middle + 1]
        gap = overestimate(curve, np.array([low, high]), np.linspace(low, high, 2001))
        assert gap > tolerance


def test_no_dilution_without_a_positive_rate() -> None:
    assert list(error_grid(-0.01, 100.0, 90.0, 0.0, 10.0, 1e-9)) == [0.0, 10.0]


def large_problem(pools: int, seed: int) -> Problem:
    """Pools shaped like the benchmark's: log-normal TVL and APY, 12 protocols, 3 chains,
    withdrawable liquidity for three in four, tight exposure caps and dilution on."""
    rng = np.random.default_rng(seed)
    rows = []
    for index in range(pools):
        tvl = float(np.clip(rng.lognormal(np.log(2e7), 1.5), 5e5, 2e9))
        rows.append(
            {
                "pool_id": f"pool-{index}",
                "apy": float(np.clip(rng.lognormal(np.log(5), 0.5), 1.0, 50.0)),
                "tvl_usd": tvl,
                "group": int(rng.choice([1, 2, 3], p=[0.5, 0.3, 0.2])),
                "tokens": [str(t) for t in rng.choice(["USDC", "USDT", "DAI"], size=1)],
                "gas_usd": float(rng.uniform(3, 60)),
                "protocol": f"protocol-{int(rng.integers(12))}",
                "chain": str(rng.choice(["Ethereum", "Arbitrum", "Base"])),
                "available_liquidity_usd": float(tvl * rng.uniform(0.05, 1))
                if rng.uniform() < 0.75
                else None,
            }
        )
    current = {f"pool-{i}": 1e6 for i in rng.choice(pools, size=8, replace=False)}
    return parse_problem(
        {
            "parameters": {
                "conversion_rate": 0.0004,
                "horizon_days": 30,
                "min_pools": 5,
                "protocol_max_pct": 15,
                "chain_max_pct": 40,
                "position_max_pct_available_liquidity": 25,
                "apy_dilution": True,
            },
            "pools": rows,
            "holdings": {
                "current_allocations": current,
                "liquidity_portfolio": {"USDC": 2e7, "USDT": 1e7},
            },
        }
    )


@pytest.mark.parametrize("seed", [3, 11])
def test_the_bound_is_within_the_mip_gap_of_the_answer_scored_exactly(seed: int) -> None:
    problem = large_problem(150, seed)
    result = solve(problem)
    assert result.status == "optimal", result.reason
    assert evaluate(problem, result.allocations).violations == []
    bound = result.solver["mip_dual_bound_usd"]
    exact = evaluate(problem, result.allocations).objective_usd
    assert (bound - exact) / exact <= MIP_REL_GAP
    assert result.solver["optimality_gap"] <= MIP_REL_GAP
