"""The mixed-integer program of PRODUCT.md "The optimization", built with cvxpy for HiGHS.

Money is scaled so that AUM is 1,000 units: HiGHS's absolute tolerances (1e-7 primal
feasibility) then mean well under a cent per million of AUM, and every big-M is the pool's own
position cap (also ≤ 1,000 units), which keeps the LP relaxation tight enough to close the gap
to 1e-6. Only pools that can hold a position (eligible, cap ≥ ``min_position_usd``) get
variables; every other current position is a fixed withdrawal.

Variables per candidate pool i: target a_i ≥ 0, binary held_i (min_position ≤ a_i ≤ cap_i when
held, 0 otherwise), binary touched_i (any change a_i ≠ current_i pays the pool's gas). Per
token t: ``bought_t`` (USD of t obtained by conversion) and ``sold_t`` (USD of t given up,
conversion cost included): Σ sold = (1 + conversion_rate) Σ bought. Idle per token =
wallet + withdrawals − deposits + bought − sold ≥ 0, each pool's flow split equally across its
tokens; hence Σ a + Σ idle = AUM − conversion cost.
"""

from __future__ import annotations

from dataclasses import dataclass

import cvxpy as cp
import numpy as np
import scipy.sparse as sparse

from python_models.optimization.evaluate import group_cap_usd, min_position_usd, position_caps
from python_models.optimization.problem import Pool, Problem

SCALED_AUM = 1000.0
# Without profit_optimization the objective is yield alone; costs still break ties.
TIE_BREAK_COST_WEIGHT = 1e-6


@dataclass
class Model:
    """A built program and the handles needed to read its solution back."""

    program: cp.Problem
    candidates: list[Pool]
    scale_usd: float
    allocation: cp.Variable
    held: cp.Variable


def candidate_pools(problem: Problem, with_group_caps: bool = True) -> list[Pool]:
    """Eligible pools whose cap admits a position of at least ``min_position_usd``."""
    caps = position_caps(problem, with_group_caps)
    minimum = min_position_usd(problem)
    return [pool for pool in problem.pools if pool.eligible and caps[pool.pool_id] >= minimum]


def build_model(
    problem: Problem,
    *,
    count_positions: bool = False,
    relax_group_caps: bool = False,
    free_conversions: bool = False,
) -> Model:
    """Build the program; the keyword switches build the diagnostic variants.

    ``count_positions`` drops ``min_pools`` and maximizes the number of held positions instead,
    which tells how many positions the other constraints allow; ``relax_group_caps`` and
    ``free_conversions`` lift one constraint family to see whether it is the one in conflict.
    """
    params = problem.parameters
    candidates = candidate_pools(problem, with_group_caps=not relax_group_caps)
    scale = max(problem.aum_usd, 1.0) / SCALED_AUM
    caps = position_caps(problem, with_group_caps=not relax_group_caps)
    tokens = problem.tokens
    token_index = {token: row for row, token in enumerate(tokens)}

    cap = np.array([caps[pool.pool_id] for pool in candidates]) / scale
    current = np.array([problem.current(pool.pool_id) for pool in candidates]) / scale
    yield_per_unit = np.array([pool.apy / 100 * params.horizon_days / 365 for pool in candidates])
    gas = np.array([pool.gas_usd for pool in candidates])
    rate = 0.0 if free_conversions else params.conversion_rate

    rows, cols, shares = [], [], []
    for col, pool in enumerate(candidates):
        for token in pool.tokens:
            rows.append(token_index[token])
            cols.append(col)
            shares.append(1 / len(pool.tokens))
    token_share = sparse.csr_matrix((shares, (rows, cols)), shape=(len(tokens), len(candidates)))

    # Tokens before any candidate moves: wallet, every current position of a candidate as if
    # withdrawn, and the forced full withdrawal of every other pool.
    start = np.zeros(len(tokens))
    for token, usd in problem.holdings.liquidity_portfolio.items():
        start[token_index[token]] += usd / scale
    for pool in problem.pools:
        for token in pool.tokens:
            start[token_index[token]] += problem.current(pool.pool_id) / scale / len(pool.tokens)

    allocation = cp.Variable(len(candidates), nonneg=True, name="allocation")
    held = cp.Variable(len(candidates), boolean=True, name="held")
    touched = cp.Variable(len(candidates), boolean=True, name="touched")
    bought = cp.Variable(len(tokens), nonneg=True, name="bought")
    sold = cp.Variable(len(tokens), nonneg=True, name="sold")

    minimum = min_position_usd(problem) / scale
    constraints = [
        allocation <= cp.multiply(cap, held),
        allocation >= minimum * held,
        allocation - current <= cp.multiply(cap, touched),
        current - allocation <= cp.multiply(current, touched),
        start - token_share @ allocation + bought - sold >= 0,
        cp.sum(sold) == (1 + rate) * cp.sum(bought),
    ]
    if not relax_group_caps:
        for group in sorted({pool.group for pool in candidates}):
            members = np.array([pool.group == group for pool in candidates], dtype=float)
            constraints.append(members @ allocation <= group_cap_usd(problem, group) / scale)
    if count_positions:
        objective = cp.Maximize(cp.sum(held))
    else:
        constraints.append(cp.sum(held) >= params.min_pools)
        cost_weight = 1.0 if params.profit_optimization else TIE_BREAK_COST_WEIGHT
        objective = cp.Maximize(
            (yield_per_unit * scale) @ allocation
            - cost_weight * (gas @ touched + rate * scale * cp.sum(bought))
        )
    return Model(cp.Problem(objective, constraints), candidates, scale, allocation, held)
