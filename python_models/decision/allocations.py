"""The allocation rules of the simple baselines and of the yardsticks.

How each portfolio decides a day is in :mod:`.policies`; this module holds the target
allocations they move to. Each baseline sees the same problem as the strategy (the day's eligible pools, the same
position, AUM and group caps from the same forecast TVL) and pays for its moves through the
optimizer's own plan and cost code (:func:`evaluate` and :func:`rebalance_plan`): the
same gas per touch, the same conversions at ``conversion_rate``.

- **equal_weight**: AUM spread equally over the eligible pools, each within its caps (what a
  capped pool cannot take is spread over the others), positions below ``min_position_usd``
  left idle.
- **best_yesterday**: the optimizer module's greedy fill, ranking pools by their actual APY
  of the day before instead of a forecast: the highest first, each up to its caps.
- **buy_and_hold**: the strategy's first allocation (same day, same plan, same costs), then
  never traded again.
- **yardsticks** (:func:`weighted_target`): a treasury's alternatives, not bound by the rules:
  all of the AUM in one pool, or spread by weight over a few.

Equal weight and best yesterday keep what they hold while it stays the same set of pools
within every limit; they move to their target when the target names other pools, or when
what they hold breaks a limit (a pool no longer eligible, a position or a group above its
cap). Rebalancing to an exact target every day would pay gas for every pool every day.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from python_models.optimization.evaluate import (
    evaluate,
    group_cap_usd,
    min_position_usd,
    position_caps,
    tolerance_usd,
)
from python_models.optimization.exposure import (
    DIMENSIONS,
    TOKEN,
    exposure_cap_usd,
    exposure_totals,
    token_totals,
)
from python_models.optimization.plan import rebalance_plan
from python_models.optimization.problem import Problem
from python_models.optimization.result import PlanStep


def water_fill(caps: np.ndarray, budget: float) -> np.ndarray:
    """Equal amounts up to ``budget`` in total, none above its cap (caps sorted or not)."""
    order = np.argsort(caps)
    filled = np.zeros_like(caps, dtype=float)
    left = budget
    for rank, index in enumerate(order):
        share = left / (len(order) - rank)
        filled[index] = min(caps[index], share)
        left -= filled[index]
    return filled


def equal_weight_allocation(problem: Problem) -> dict[str, float]:
    """Equal weights over the eligible pools within position and group caps.

    The budget is AUM / (1 + conversion_rate), as the greedy fill's, so every deposit can be
    converted into. A group over its cap is filled equally up to that cap and the rest of
    the budget goes equally to the other groups' pools.
    """
    caps = position_caps(problem)
    minimum = min_position_usd(problem)
    pools = [pool for pool in problem.pools if pool.eligible and caps[pool.pool_id] >= minimum]
    budget = problem.aum_usd / (1 + problem.parameters.conversion_rate)
    capped_groups: dict[int, float] = {}
    while True:
        free = [pool for pool in pools if pool.group not in capped_groups]
        left = budget - sum(capped_groups.values())
        amounts = dict(
            zip(
                (pool.pool_id for pool in free),
                water_fill(np.array([caps[pool.pool_id] for pool in free]), left),
                strict=True,
            )
        )
        over = {
            group: group_cap_usd(problem, group)
            for group in {pool.group for pool in free}
            if sum(amounts[p.pool_id] for p in free if p.group == group)
            > group_cap_usd(problem, group)
        }
        if not over:
            break
        capped_groups.update(over)
    for group, cap in capped_groups.items():
        members = [pool for pool in pools if pool.group == group]
        filled = water_fill(np.array([caps[pool.pool_id] for pool in members]), cap)
        amounts.update(zip((pool.pool_id for pool in members), filled, strict=True))
    return {pool_id: float(usd) for pool_id, usd in amounts.items() if usd >= minimum}


def breaks_limits(problem: Problem, allocation: Mapping[str, float]) -> bool:
    """True when ``allocation`` holds an ineligible pool or exceeds a position cap, a group's,
    a protocol family's, a curator's, a chain's or a token's cap (idle tokens counted)."""
    caps = position_caps(problem)
    tolerance = tolerance_usd(problem)
    if any(usd > caps.get(pool, 0.0) + tolerance for pool, usd in allocation.items()):
        return True
    groups: dict[int | None, float] = {}
    for pool in problem.pools:
        groups[pool.group] = groups.get(pool.group, 0.0) + allocation.get(pool.pool_id, 0.0)
    if any(
        total > group_cap_usd(problem, group) + tolerance
        for group, total in groups.items()
        if group is not None
    ):
        return True
    for dimension in DIMENSIONS:
        for name, total in exposure_totals(problem, allocation, dimension).items():
            if total > exposure_cap_usd(problem, dimension, name) + tolerance:
                return True
    idle = evaluate(problem, dict(allocation)).idle
    return any(
        total > exposure_cap_usd(problem, TOKEN, token) + tolerance
        for token, total in token_totals(problem, allocation, idle).items()
    )


def rebalance_to(problem: Problem, target: Mapping[str, float]) -> list[PlanStep]:
    """The plan from the current holdings to ``target``, or no plan when holding is allowed."""
    current = {pool: usd for pool, usd in problem.holdings.current_allocations.items() if usd > 0}
    if set(current) == set(target) and not breaks_limits(problem, current):
        return []
    return rebalance_plan(problem, evaluate(problem, dict(target)))


def weighted_target(problem: Problem, weights: Mapping[str, float]) -> dict[str, float]:
    """The AUM spread over ``weights`` (normalised): a yardstick's target, whatever the caps
    say. Where the wallet's tokens must be converted into the pools' tokens, the AUM less the
    conversion cost (AUM / (1 + conversion_rate)), so every deposit can be paid for."""
    total = sum(weight for weight in weights.values() if weight > 0)
    if total <= 0:
        return {}
    for budget in (problem.aum_usd, problem.aum_usd / (1 + problem.parameters.conversion_rate)):
        target = {pool: budget * weight / total for pool, weight in weights.items() if weight > 0}
        if not any(
            value < -tolerance_usd(problem) for value in evaluate(problem, target).idle.values()
        ):
            break
    return target
