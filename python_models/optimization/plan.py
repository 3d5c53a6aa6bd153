"""The ordered rebalance plan: withdrawals first (they free tokens), then conversions, then deposits."""

from __future__ import annotations

from python_models.optimization.evaluate import Evaluation, changed_pools
from python_models.optimization.problem import Problem
from python_models.optimization.result import PlanStep


def rebalance_plan(problem: Problem, evaluation: Evaluation) -> list[PlanStep]:
    """Steps that turn the current holdings into ``evaluation``'s allocation, largest first."""
    pools = {pool.pool_id: pool for pool in problem.pools}
    moves = [
        (pool_id, evaluation.allocations.get(pool_id, 0.0) - problem.current(pool_id))
        for pool_id in changed_pools(problem, evaluation.allocations)
    ]
    withdrawals = sorted((m for m in moves if m[1] < 0), key=lambda m: (m[1], m[0]))
    deposits = sorted((m for m in moves if m[1] > 0), key=lambda m: (-m[1], m[0]))
    steps = [
        {
            "action": "withdraw",
            "pool_id": pool_id,
            "amount_usd": -delta,
            "gas_usd": pools[pool_id].gas_usd,
        }
        for pool_id, delta in withdrawals
    ]
    steps += [
        {
            "action": "convert",
            "token_symbol": conversion.from_token,
            "to_token_symbol": conversion.to_token,
            "amount_usd": conversion.amount_usd,
            "cost_usd": conversion.cost_usd,
        }
        for conversion in evaluation.conversions
    ]
    steps += [
        {
            "action": "deposit",
            "pool_id": pool_id,
            "amount_usd": delta,
            "gas_usd": pools[pool_id].gas_usd,
        }
        for pool_id, delta in deposits
    ]
    return [PlanStep(step_no=number, **step) for number, step in enumerate(steps, start=1)]
