"""Optimizer benchmark (run by hand): solve time and optimality gap at 100, 500, 2,000 pools.

Problems are synthetic but shaped like the real universe: 10 tokens (stables and majors),
pools of 1–3 tokens, log-normal TVL (0.5 M – 2 B USD) and APY (median ~5 %), groups 1/2/3 in
proportion 5:3:2, gas per touch 3–60 USD, 100 M USD AUM (``--aum``), half in 33 current positions (3 now
ineligible) and half in a 3-token wallet, default strategy parameters. For each size the script
prints the solve seconds, HiGHS's relative MIP gap and the objective against the greedy fill
by APY (same evaluator, same costs). The machine is shared with other engineers' jobs, so
times are wall-clock under load.

Usage: .venv/bin/python bench/optimize.py [--sizes 100 500 2000] [--seed 7]
The last line printed is JSON: {"pools_2000_seconds": s, "pools_2000_gap": g,
"objective_vs_greedy": r} (r = optimizer objective / greedy objective at 2,000 pools).
"""

from __future__ import annotations

import argparse
import json
import os

import numpy as np

from python_models.optimization import parse_problem, solve
from python_models.optimization.evaluate import evaluate, greedy_allocation
from python_models.optimization.problem import Problem

TOKENS = ["USDC", "USDT", "DAI", "USDS", "FRAX", "LUSD", "PYUSD", "WETH", "WBTC", "STETH"]


def make_problem(pools: int, seed: int, aum: float) -> Problem:
    """A random problem with ``pools`` eligible pools (plus a few ineligible current ones)."""
    rng = np.random.default_rng(seed)
    rows = []
    for index in range(pools):
        width = int(rng.choice([1, 2, 3], p=[0.5, 0.4, 0.1]))
        rows.append(
            {
                "pool_id": f"pool-{index:05d}",
                "apy": float(np.clip(rng.lognormal(np.log(5), 0.5), 1.0, 50.0)),
                "tvl_usd": float(np.clip(rng.lognormal(np.log(2e7), 1.5), 5e5, 2e9)),
                "group": int(rng.choice([1, 2, 3], p=[0.5, 0.3, 0.2])),
                "tokens": [str(t) for t in rng.choice(TOKENS, size=width, replace=False)],
                "gas_usd": float(rng.uniform(3, 60)),
                "eligible": True,
            }
        )
    for index in range(3):
        rows.append(
            {
                "pool_id": f"gone-{index}",
                "apy": 8.0,
                "tvl_usd": 1e8,
                "group": 3,
                "tokens": ["USDC"],
                "gas_usd": 20.0,
                "eligible": False,
            }
        )
    held = [f"gone-{i}" for i in range(3)] + [
        f"pool-{i:05d}" for i in rng.choice(pools, size=min(pools, 30), replace=False)
    ]
    # Half of AUM in current positions, the rest idle in three tokens.
    weights = rng.uniform(0.5, 1.5, size=len(held))
    current = {
        pool_id: float(w)
        for pool_id, w in zip(held, weights / weights.sum() * aum / 2, strict=True)
    }
    wallet = {"USDC": aum * 0.25, "USDT": aum * 0.15, "WETH": aum * 0.10}
    return parse_problem(
        {
            "parameters": {"conversion_rate": 0.0004, "horizon_days": 30, "min_pools": 5},
            "pools": rows,
            "holdings": {"current_allocations": current, "liquidity_portfolio": wallet},
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 500, 2000])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--aum", type=float, default=1e8, help="assets under management, USD")
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}, load average: {os.getloadavg()[0]:.2f} (shared machine)")
    figures = {}
    for size in args.sizes:
        problem = make_problem(size, args.seed, args.aum)
        result = solve(problem)
        assert result.succeeded, result.reason
        optimum = evaluate(problem, result.allocations)
        greedy = evaluate(problem, greedy_allocation(problem))
        ratio = optimum.objective_usd / greedy.objective_usd
        gap = result.solver["mip_gap"]
        figures[size] = (result.solve_seconds, gap, ratio)
        print(
            f"{size:5d} pools: {result.solve_seconds:6.2f} s (HiGHS {result.solver['solver_seconds']:.2f} s, "
            f"{result.solver['mip_node_count']} nodes), gap {gap:.1e}, status {result.status}, "
            f"{len(result.allocations)} positions, {len(result.plan)} steps | objective "
            f"{optimum.objective_usd:,.0f} USD vs greedy {greedy.objective_usd:,.0f} USD "
            f"(greedy feasible: {greedy.feasible}) = {ratio:.4f}"
        )
    largest = max(figures)
    seconds, gap, ratio = figures[largest]
    print(
        json.dumps(
            {
                f"pools_{largest}_seconds": round(seconds, 3),
                f"pools_{largest}_gap": gap,
                "objective_vs_greedy": round(ratio, 6),
            }
        )
    )


if __name__ == "__main__":
    main()
