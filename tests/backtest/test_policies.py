"""The decision rules: a minimum edge before a move pays, and why capital stays idle."""

from __future__ import annotations

from test_baselines import problem

from python_models.backtest.policies import idle_bound, optimize

# Everything invested at 4 %; b pays 4.2 %: over a 30-day horizon (the config default) moving
# one 400k position (the cap: 40 % of AUM) earns about 66 USD more for 2 USD of gas.
POOLS = [
    {"pool_id": "a", "apy": 4.0, "tvl_usd": 1e9, "group": 1},
    {"pool_id": "c", "apy": 4.0, "tvl_usd": 1e9, "group": 1},
    {"pool_id": "d", "apy": 4.0, "tvl_usd": 1e9, "group": 1},
    {"pool_id": "b", "apy": 4.2, "tvl_usd": 1e9, "group": 1},
]
HELD = {"a": 400_000.0, "c": 400_000.0, "d": 200_000.0}


def test_a_move_is_made_only_when_its_edge_clears_the_hurdle() -> None:
    moved = optimize(problem(POOLS, HELD))
    assert moved.plan and moved.status == "optimal"
    # 10 bp a year of the 400k deposited over 30 days is 33 USD: the ~64 USD edge clears it
    assert optimize(problem(POOLS, HELD), min_edge_bp=10).plan
    # 25 bp a year is 82 USD: the move is not worth it, the holdings stay
    kept = optimize(problem(POOLS, HELD), min_edge_bp=25)
    assert kept.status == "held" and not kept.plan and "hurdle" in (kept.reason or "")


def test_a_forced_move_is_made_whatever_the_hurdle() -> None:
    gone = [{**POOLS[0], "eligible": False}, *POOLS[1:]]
    forced = optimize(problem(gone, HELD), min_edge_bp=10_000)
    assert any(step.action == "withdraw" and step.pool_id == "a" for step in forced.plan)


def test_idle_capital_names_the_cap_that_bound_it() -> None:
    # one group-3 pool: 20 % of AUM at most, the other 80 % idle
    pools = [{"pool_id": "x", "apy": 9.0, "tvl_usd": 1e9, "group": 3}]
    bound = problem(pools)
    assert idle_bound(bound, {"x": 200_000.0}, "optimal") == "group cap group3_max_pct"
    assert idle_bound(bound, {}, "infeasible") == "infeasible"
    assert idle_bound(bound, {"x": 995_000.0}, "optimal") is None
