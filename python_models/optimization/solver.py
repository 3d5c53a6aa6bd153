"""``solve(problem) -> Result``: a pure function (no database, no Prefect) around the MILP.

Obvious conflicts are reported before the solver runs. With ``apy_dilution`` the tangents
are first placed where the LP relaxation lands (:func:`_placed`), and the MILP is re-solved
with error grids of tangents around the positions its answer overestimates until they
overestimate it by at most ``OUTER_TOLERANCE`` of the objective (Kelley's outer
approximation, :func:`_tighten`): HiGHS's bound is then within ``MIP_REL_GAP`` of the answer
scored exactly. The answer is then polished: with its binaries kept, a small linear program
over the held pools is re-solved the same way until the overestimate is below
``DILUTION_TOLERANCE``. After an optimal solve the solution is
snapped (moves below a cent are no moves, sub-dust leftovers of the binary tolerance are zero)
and every reported figure is recomputed by :mod:`.evaluate`, the same code the tests check
constraints with; a solution that breaks a constraint beyond tolerance is a failure, never an
answer.
"""

from __future__ import annotations

import logging
import math
import time
from typing import Any

import cvxpy as cp
import numpy as np

from python_models.optimization.diagnose import (
    explain_infeasible,
    necessary_conditions,
    nothing_investable,
)
from python_models.optimization.evaluate import (
    CHANGE_TOLERANCE_USD,
    Evaluation,
    evaluate,
    min_position_usd,
    tolerance_usd,
)
from python_models.optimization.exposure import (
    exposure_caps_pct,
    exposure_shares_pct,
    liquidity_cap_usd,
)
from python_models.optimization.highs import silence_banner
from python_models.optimization.model import Model, build_model
from python_models.optimization.plan import rebalance_plan
from python_models.optimization.problem import Problem
from python_models.optimization.result import Position, Result

logger = logging.getLogger(__name__)
# Every import of the package imports this module first: no solve of the process (the
# diagnosis's included) prints HiGHS's banner.
silence_banner()

# 1e-5 of the objective: under a cent on a 1 M USD treasury over the payback period. A
# tighter gap (1e-6, the earlier setting) bought nothing the decision could use and made a
# solve with large positions (dilution) up to ten times slower: the backtest runs this solve
# every day of every portfolio, and the limit prices re-solve the day without each limit.
MIP_REL_GAP = 1e-5
# With dilution HiGHS gets half the gap and the tangents' overestimate of its answer a quarter,
# so the exact gap (HiGHS's bound against the answer scored exactly) stays within MIP_REL_GAP.
DILUTION_MIP_REL_GAP = MIP_REL_GAP / 2
OUTER_TOLERANCE = MIP_REL_GAP / 4
OUTER_ROUNDS = 6
PLACEMENT_ROUNDS = 1
DEFAULT_TIME_LIMIT_SECONDS = 120.0
# Polishing stops when the tangents overestimate the diluted yield by less than this share
# of the objective, or after this many rounds.
DILUTION_TOLERANCE = MIP_REL_GAP / 10
POLISH_ROUNDS = 8


def solve(problem: Problem, time_limit_seconds: float = DEFAULT_TIME_LIMIT_SECONDS) -> Result:
    """Optimal allocation, costs and rebalance plan, or the reason there is none."""
    started = time.perf_counter()
    nothing = nothing_investable(problem)
    if nothing is not None:
        # A limit that leaves no pool room is not an infeasible day: everything goes idle.
        return _solved(problem, {}, started, {"status": "nothing investable"}, nothing)
    conflicts = necessary_conditions(problem)
    if conflicts:
        return _unsolved(
            problem, "infeasible", "; ".join(conflicts), started, {"status": "presolve"}
        )
    model = build_model(problem)
    if not model.candidates:
        # Nothing can be held (and min_pools is 0, or a conflict was reported): all idle.
        return _solved(problem, {}, started, {"status": "no candidate pools"})
    deadline = started + time_limit_seconds
    answer, rounds, outer_rounds, overestimate = model, 0, 0, None
    try:
        if model.dilution is not None:
            model = _placed(problem, model, deadline)
        _run(model, deadline)
        if model.dilution is not None:
            model, outer_rounds = _tighten(problem, model, deadline)
        if model.dilution is not None and model.allocation.value is not None:
            answer, rounds, overestimate = _polish(problem, model, deadline)
    except cp.SolverError as error:
        logger.warning("HiGHS failed: %s", error)
        return _unsolved(problem, "failed", f"solver error: {error}", started, {})
    stats = _solver_stats(model, answer, rounds, overestimate)
    if model.dilution is not None:
        stats["outer_rounds"] = outer_rounds
    if model.program.status in (cp.INFEASIBLE, cp.INFEASIBLE_INACCURATE):
        return _unsolved(problem, "infeasible", explain_infeasible(problem), started, stats)
    if model.allocation.value is None:
        return _unsolved(
            problem, "failed", f"solver ended with status {model.program.status}", started, stats
        )
    return _solved(problem, _read_allocation(problem, answer), started, stats)


def _run(model: Model, deadline: float) -> None:
    # One thread: the programs are small, and HiGHS's threads only fight over the cores (the
    # backtest solves in two processes on two cores; measured: half the time with one thread).
    model.program.solve(
        solver=cp.HIGHS,
        mip_rel_gap=MIP_REL_GAP if model.dilution is None else DILUTION_MIP_REL_GAP,
        time_limit=max(deadline - time.perf_counter(), 1.0),
        output_flag=False,
        threads=1,
    )


def _placed(problem: Problem, model: Model, deadline: float) -> Model:
    """The MILP with tangent points where its LP relaxation lands, refined in LP rounds.

    An LP round costs a fraction of a MILP, and the MILP's answer mostly holds the pools its
    relaxation holds, near where the relaxation puts them: tangents placed there make the
    first MILP answer nearly exact, so :func:`_tighten` seldom needs a second MILP.
    """
    relaxed = build_model(problem, relaxed=True, tangent_points=model.tangent_points)
    for _ in range(PLACEMENT_ROUNDS):
        _run(relaxed, deadline)
        if relaxed.allocation.value is None or time.perf_counter() >= deadline:
            break
        points = _refined_points(relaxed, np.count_nonzero(relaxed.allocation.value > 0))
        if points is None:
            break
        relaxed = build_model(problem, relaxed=True, tangent_points=points)
    return build_model(problem, tangent_points=relaxed.tangent_points)


def _tighten(problem: Problem, model: Model, deadline: float) -> tuple[Model, int]:
    """Re-solve the MILP with tangents refined around its answer until they overestimate it
    by at most ``OUTER_TOLERANCE`` of the objective; returns the last solved program and the
    rounds.

    The tangents only overestimate, so every round's bound holds for the exact problem, and
    the last one is within the tolerance of an answer it scores exactly. Static tangents that
    exact everywhere would need hundreds of points for each of thousands of pools; an answer
    uses a few dozen, and only the positions between tangent points are inexact, so only their
    brackets get a grid. A round that ends without an answer leaves the previous one.
    """
    rounds = 0
    while model.allocation.value is not None and rounds < OUTER_ROUNDS:
        if time.perf_counter() >= deadline:
            break
        points = _refined_points(model, np.count_nonzero(Model.value(model.held)))
        if points is None:
            break
        refined = build_model(problem, tangent_points=points)
        _run(refined, deadline)
        if refined.allocation.value is None:
            break
        model, rounds = refined, rounds + 1
    return model, rounds


def _refined_points(model: Model, positions: int) -> list[np.ndarray] | None:
    """The model's tangent points with error grids around its inexact positions
    (:meth:`DilutionCurve.refine`), each kink within ``OUTER_TOLERANCE`` of the objective
    shared among its ``positions``; None when the answer is already that exact."""
    excess = model.overestimate()
    limit = OUTER_TOLERANCE * max(abs(model.program.value), 1.0) / model.scale_usd
    if excess.sum() <= limit:
        return None
    share = limit / max(positions, 1)
    return model.dilution.refine(model.tangent_points, model.allocation.value, excess, share)


def _polish(problem: Problem, model: Model, deadline: float) -> tuple[Model, int, float]:
    """Refine the diluted yield of the MILP answer until the tangents are exact enough.

    The binaries stay as the MILP chose them, so each round is a small linear program over
    the held (and touched) pools with tangents added around each inexact position. Returns the program
    whose answer to read, the rounds and the remaining overestimate of the yield (USD).
    """
    held = Model.value(model.held) > 0.5
    touched = Model.value(model.touched) > 0.5
    kept = held | touched  # the pools that pay gas stay, so the objective keeps its meaning
    fixed = {
        pool.pool_id: (bool(hold), bool(touch))
        for pool, hold, touch, keep in zip(model.candidates, held, touched, kept, strict=True)
        if keep
    }
    index = np.flatnonzero(kept)
    directions = {
        pool.pool_id: bool(usd >= problem.current(pool.pool_id) / model.scale_usd)
        for pool, usd in zip(model.candidates, model.allocation.value, strict=True)
    }
    points = [model.tangent_points[i] for i in index] if model.tangent_points else []
    allocation = model.allocation.value[index]
    excess = model.overestimate()[index]
    limit = DILUTION_TOLERANCE * max(abs(model.program.value), 1.0) / model.scale_usd
    answer, rounds = model, 0
    share = limit / max(len(index), 1)
    while excess.sum() > limit and rounds < POLISH_ROUNDS and time.perf_counter() < deadline:
        points = model.dilution.refine(points, allocation, excess, share, index)
        polished = build_model(problem, fixed=fixed, tangent_points=points, directions=directions)
        _run(polished, deadline)
        if polished.allocation.value is None:
            break
        answer, rounds = polished, rounds + 1
        allocation, excess = polished.allocation.value, polished.overestimate()
    return answer, rounds, float(excess.sum()) * model.scale_usd


def _read_allocation(problem: Problem, model: Model) -> dict[str, float]:
    minimum = min_position_usd(problem)
    allocation = {}
    for pool, (scaled, held) in zip(
        model.candidates,
        zip(model.allocation.value, Model.value(model.held), strict=True),
        strict=True,
    ):
        usd = float(scaled) * model.scale_usd
        if held < 0.5 and usd < minimum / 2:
            usd = 0.0
        current = problem.current(pool.pool_id)
        if abs(usd - current) <= CHANGE_TOLERANCE_USD:
            usd = current
        if usd > 0:
            allocation[pool.pool_id] = usd
    return allocation


def _solver_stats(
    model: Model, answer: Model, rounds: int, overestimate: float | None
) -> dict[str, Any]:
    stats = model.program.solver_stats
    info = stats.extra_stats
    gap = float(getattr(info, "mip_gap", math.nan))
    objective = None if model.program.value is None else float(model.program.value)
    # cvxpy hands HiGHS the negated (minimization) objective; report the max's bound.
    bound = -float(getattr(info, "mip_dual_bound", math.nan))
    figures: dict[str, Any] = {
        "status": model.program.status,
        "objective_usd": objective,
        "mip_gap": gap if math.isfinite(gap) else None,
        "mip_dual_bound_usd": bound,
        "mip_node_count": int(getattr(info, "mip_node_count", 0)),
        "solver_seconds": stats.solve_time,
        "variables": sum(variable.size for variable in model.program.variables()),
        "binaries": 2 * len(model.candidates),
    }
    if overestimate is not None and answer.program.value is not None:
        # The tangents over-state the yield, so the MILP's bound holds for the exact problem
        # too: bound − exact objective of the answer is the true optimality gap.
        exact = float(answer.program.value) - overestimate
        figures["dilution_rounds"] = rounds
        figures["dilution_overestimate_usd"] = overestimate
        figures["dilution_converged"] = overestimate <= DILUTION_TOLERANCE * max(abs(exact), 1.0)
        if math.isfinite(bound):
            figures["optimality_gap"] = max(bound - exact, 0.0) / max(abs(exact), 1e-9)
    return figures


def _solved(
    problem: Problem,
    allocation: dict[str, float],
    started: float,
    stats: dict[str, Any],
    idle_reason: str | None = None,
) -> Result:
    evaluation = evaluate(problem, allocation)
    if evaluation.violations and idle_reason is None:
        return _unsolved(
            problem,
            "failed",
            "solver answer breaks constraints: " + "; ".join(evaluation.violations),
            started,
            stats,
        )
    shares = exposure_shares_pct(problem, evaluation.allocations, evaluation.idle)
    gap = stats.get("mip_gap")
    status = "optimal" if gap is None or gap <= MIP_REL_GAP * 1.01 else "feasible"
    if stats.get("status") not in (None, cp.OPTIMAL, "no candidate pools", "nothing investable"):
        status = "feasible"
    if stats.get("dilution_converged") is False:
        status = "feasible"
    return Result(
        status=status,
        idle_reason=idle_reason,
        aum_usd=problem.aum_usd,
        allocations={pool_id: usd for pool_id, usd in allocation.items() if usd > 0},
        idle={token: max(usd, 0.0) for token, usd in evaluation.idle.items() if abs(usd) > 1e-9},
        expected_yield_usd=evaluation.expected_yield_usd,
        gas_cost_usd=evaluation.gas_cost_usd,
        conversion_cost_usd=evaluation.conversion_cost_usd,
        expected_profit_usd=evaluation.expected_profit_usd,
        dilution_cost_usd=evaluation.dilution_cost_usd,
        exposure_pct=shares,
        exposure_cap_pct=exposure_caps_pct(problem, shares),
        unknown_liquidity_pools=sum(
            pool.eligible and pool.available_liquidity_usd is None for pool in problem.pools
        ),
        plan=rebalance_plan(problem, evaluation),
        positions=_positions(problem, evaluation),
        solve_seconds=time.perf_counter() - started,
        solver=stats,
    )


def _positions(problem: Problem, evaluation: Evaluation) -> list[Position]:
    tol = tolerance_usd(problem)
    positions = []
    for pool in problem.pools:
        amount = evaluation.allocations.get(pool.pool_id, 0.0)
        if amount <= 0 and problem.current(pool.pool_id) <= 0:
            continue
        cap = liquidity_cap_usd(problem, pool)
        positions.append(
            Position(
                pool_id=pool.pool_id,
                group=pool.group,
                apy=pool.apy,
                allocation_usd=amount,
                previous_usd=problem.current(pool.pool_id),
                protocol=pool.protocol,
                curator=pool.curator,
                chain=pool.chain,
                liquidity_cap_usd=cap,
                liquidity_bound=cap is not None and amount > 0 and amount >= cap - tol,
            )
        )
    return positions


def _unsolved(
    problem: Problem, status: str, reason: str, started: float, stats: dict[str, Any]
) -> Result:
    logger.info("optimization %s: %s", status, reason)
    pools = {pool.pool_id: pool for pool in problem.pools}
    kept = [
        Position(
            pool_id=pool_id,
            group=pools[pool_id].group,
            apy=pools[pool_id].apy,
            allocation_usd=usd,
            previous_usd=usd,
        )
        for pool_id, usd in problem.holdings.current_allocations.items()
        if usd > 0
    ]
    return Result(
        status=status,
        reason=reason,
        aum_usd=problem.aum_usd,
        positions=kept,
        solve_seconds=time.perf_counter() - started,
        solver=stats,
    )
