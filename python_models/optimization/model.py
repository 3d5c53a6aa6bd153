"""The mixed-integer program of docs/product.md "The optimization", built with cvxpy for HiGHS.

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
tokens; hence Σ a + Σ idle = AUM − conversion cost. Per protocol and per chain whose cap is
below AUM, Σ a ≤ the cap. With ``apy_dilution`` each pool's yield is an epigraph variable y_i
below tangents of :mod:`.dilution` whose intercepts are scaled by held_i (the tangents'
perspective: the same for an integer answer, a much tighter LP relaxation).
"""

from __future__ import annotations

from dataclasses import dataclass

import cvxpy as cp
import numpy as np
import scipy.sparse as sparse

from python_models.optimization.dilution import (
    DilutionCurve,
    other_supply_usd,
    static_point_lists,
)
from python_models.optimization.evaluate import group_cap_usd, min_position_usd, position_caps
from python_models.optimization.exposure import (
    DIMENSIONS,
    TOKEN,
    binding_names,
    binding_tokens,
    exposure_cap_usd,
    member,
)
from python_models.optimization.problem import Pool, Problem

SCALED_AUM = 1000.0
# Without profit_optimization the objective is yield alone; costs still break ties.
TIE_BREAK_COST_WEIGHT = 1e-6


Binary = cp.Variable | np.ndarray


@dataclass
class Model:
    """A built program and the handles needed to read its solution back.

    ``held`` and ``touched`` are constants in a polishing program (:func:`build_model` with
    ``fixed``); ``tangent_points`` are the points of each candidate's dilution tangents.
    """

    program: cp.Problem
    candidates: list[Pool]
    scale_usd: float
    allocation: cp.Variable
    held: Binary
    touched: Binary
    dilution: DilutionCurve | None = None
    epigraph: cp.Variable | None = None
    tangent_points: list[np.ndarray] | None = None

    @staticmethod
    def value(binary: Binary) -> np.ndarray:
        return np.round(binary.value if isinstance(binary, cp.Variable) else binary)

    def overestimate(self) -> np.ndarray:
        """Per candidate, how much the epigraph exceeds the exact diluted yield (scaled)."""
        if self.dilution is None or self.epigraph is None:
            return np.zeros(len(self.candidates))
        exact = self.dilution.exact(self.allocation.value)
        return np.maximum(self.epigraph.value - exact, 0.0)


def candidate_pools(
    problem: Problem, with_group_caps: bool = True, with_exposure_caps: bool = True
) -> list[Pool]:
    """Eligible pools whose cap admits a position of at least ``min_position_usd``."""
    caps = position_caps(problem, with_group_caps, with_exposure_caps)
    minimum = min_position_usd(problem)
    return [pool for pool in problem.pools if pool.eligible and caps[pool.pool_id] >= minimum]


def dilution_curve(problem: Problem, candidates: list[Pool], scale: float) -> DilutionCurve:
    """Each candidate's diluted-yield curve, in scaled units."""
    horizon = problem.parameters.payback_days / 365
    current = np.array([problem.current(pool.pool_id) for pool in candidates])
    tvl = np.array([pool.tvl_usd for pool in candidates])
    return DilutionCurve(
        rates=np.array([pool.apy / 100 * horizon for pool in candidates]),
        tvl=tvl / scale,
        other=other_supply_usd(tvl, current) / scale,
    )


def _exposure_constraints(
    problem: Problem, candidates: list[Pool], allocation: cp.Variable, scale: float
) -> list[cp.Constraint]:
    """Σ a over the pools of one protocol / chain ≤ its cap, one row per binding name."""
    rows, cols, caps = [], [], []
    for dimension in DIMENSIONS:
        for name in binding_names(problem, dimension, candidates):
            for col, pool in enumerate(candidates):
                if member(pool, dimension) == name:
                    rows.append(len(caps))
                    cols.append(col)
            caps.append(exposure_cap_usd(problem, dimension, name) / scale)
    if not caps:
        return []
    members = sparse.csr_matrix(
        (np.ones(len(rows)), (rows, cols)), shape=(len(caps), len(candidates))
    )
    return [members @ allocation <= np.array(caps)]


def _token_constraints(
    problem: Problem,
    start: np.ndarray,
    bought: cp.Variable,
    sold: cp.Variable,
    scale: float,
) -> list[cp.Constraint]:
    """Per capped token, what the treasury ends up exposed to (its positions' share of the
    token plus the idle token, i.e. the token before any move plus what conversions add)
    ≤ the cap."""
    index = {token: row for row, token in enumerate(problem.tokens)}
    capped = binding_tokens(problem)
    if not capped:
        return []
    rows = np.array([index[token] for token in capped])
    caps = np.array([exposure_cap_usd(problem, TOKEN, token) for token in capped]) / scale
    return [start[rows] + bought[rows] - sold[rows] <= caps]


def _min_move_constraints(
    problem: Problem,
    candidates: list[Pool],
    allocation: cp.Variable,
    touched: Binary,
    current: np.ndarray,
    cap: np.ndarray,
    scale: float,
    relaxed: bool,
    directions: np.ndarray | None,
) -> list[cp.Constraint]:
    """A touched pool moves by at least ``min_move_usd``: a new position is at least that
    large; a held one goes up by at least that much, or down by at least that much (or out
    entirely, when it is smaller). ``directions`` (True: up) fixes the way each touched pool
    moves in a polishing program, whose binaries are constants."""
    minimum = problem.parameters.min_move_usd / scale
    if minimum <= 0 or not candidates:
        return []
    down = np.minimum(minimum, current)
    new = current <= 0
    constraints: list[cp.Constraint] = []
    if new.any():
        constraints.append(allocation[new] >= minimum * touched[new])
    held = np.flatnonzero(~new)
    if not held.size:
        return constraints
    if directions is not None:
        up = directions[held].astype(float)
    else:
        up = _binary(held.size, "moves_up", relaxed)
    a, c, t = allocation[held], current[held], touched[held]
    constraints += [
        a - c >= minimum * t - cp.multiply(minimum + c, 1 - up),
        c - a >= cp.multiply(down[held], t) - cp.multiply(down[held] + cap[held], up),
    ]
    return constraints


def _binary(size: int, name: str, relaxed: bool) -> cp.Variable:
    """A vector of binaries, or of their [0, 1] relaxation."""
    if relaxed:
        return cp.Variable(size, bounds=[0, 1], name=name)
    return cp.Variable(size, boolean=True, name=name)


def build_model(
    problem: Problem,
    *,
    count_positions: bool = False,
    relax_group_caps: bool = False,
    relax_exposure_caps: bool = False,
    free_conversions: bool = False,
    fixed: dict[str, tuple[bool, bool]] | None = None,
    tangent_points: list[np.ndarray] | None = None,
    relaxed: bool = False,
    directions: dict[str, bool] | None = None,
) -> Model:
    """Build the program; the keyword switches build the diagnostic and polishing variants.

    ``count_positions`` drops ``min_pools`` and maximizes the number of held positions instead,
    which tells how many positions the other constraints allow; ``relax_group_caps``,
    ``relax_exposure_caps`` and ``free_conversions`` lift one constraint family to see whether
    it is the one in conflict. ``fixed`` (pool_id → held, touched) keeps only those pools with
    their binaries fixed: a linear program that refines a MILP answer's continuous part, with
    ``tangent_points`` per kept pool. ``relaxed`` lets the binaries take any value in [0, 1]:
    the LP relaxation, a cheap first look at where the MILP's positions will be.
    ``directions`` (pool_id → moved up) goes with ``fixed``: the way each touched pool moved
    in the MILP answer, so a polishing program keeps ``min_move_usd`` linear.
    """
    params = problem.parameters
    with_groups, with_exposure = not relax_group_caps, not relax_exposure_caps
    candidates = candidate_pools(problem, with_groups, with_exposure)
    if fixed is not None:
        candidates = [pool for pool in candidates if pool.pool_id in fixed]
    scale = max(problem.aum_usd, 1.0) / SCALED_AUM
    caps = position_caps(problem, with_groups, with_exposure)
    tokens = problem.tokens
    token_index = {token: row for row, token in enumerate(tokens)}

    cap = np.array([caps[pool.pool_id] for pool in candidates]) / scale
    current = np.array([problem.current(pool.pool_id) for pool in candidates]) / scale
    yield_per_unit = np.array([pool.apy / 100 * params.payback_days / 365 for pool in candidates])
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
    held: Binary = _binary(len(candidates), "held", relaxed)
    touched: Binary = _binary(len(candidates), "touched", relaxed)
    if fixed is not None:
        held = np.array([float(fixed[pool.pool_id][0]) for pool in candidates])
        touched = np.array([float(fixed[pool.pool_id][1]) for pool in candidates])
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
    constraints += _min_move_constraints(
        problem,
        candidates,
        allocation,
        touched,
        current,
        cap,
        scale,
        relaxed,
        None
        if directions is None
        else np.array([directions.get(pool.pool_id, True) for pool in candidates]),
    )
    if with_groups:
        for group in sorted({pool.group for pool in candidates}):
            members = np.array([pool.group == group for pool in candidates], dtype=float)
            constraints.append(members @ allocation <= group_cap_usd(problem, group) / scale)
    if with_exposure:
        constraints += _exposure_constraints(problem, candidates, allocation, scale)
        constraints += _token_constraints(problem, start, bought, sold, scale)
    dilution, epigraph = None, None
    if count_positions:
        objective = cp.Maximize(cp.sum(held))
    else:
        if fixed is None:
            constraints.append(cp.sum(held) >= params.min_pools)
        cost_weight = 1.0 if params.profit_optimization else TIE_BREAK_COST_WEIGHT
        if params.apy_dilution and candidates:
            dilution = dilution_curve(problem, candidates, scale)
            if tangent_points is None:
                tangent_points = static_point_lists(cap, current, dilution.other)
            epigraph = cp.Variable(len(candidates), name="diluted_yield")
            constraints.append(dilution.cuts(epigraph, allocation, held, tangent_points))
            expected_yield = scale * cp.sum(epigraph)
        else:
            expected_yield = (yield_per_unit * scale) @ allocation
        objective = cp.Maximize(
            expected_yield - cost_weight * (gas @ touched + rate * scale * cp.sum(bought))
        )
    program = cp.Problem(objective, constraints)
    return Model(
        program, candidates, scale, allocation, held, touched, dilution, epigraph, tangent_points
    )
