"""``solve(problem) -> Result``: a pure function (no database, no Prefect) around the MILP.

Obvious conflicts are reported before the solver runs. After an optimal solve the solution is
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

from python_models.optimization.diagnose import explain_infeasible, necessary_conditions
from python_models.optimization.evaluate import (
    CHANGE_TOLERANCE_USD,
    Evaluation,
    evaluate,
    min_position_usd,
)
from python_models.optimization.model import Model, build_model
from python_models.optimization.plan import rebalance_plan
from python_models.optimization.problem import Problem
from python_models.optimization.result import Position, Result

logger = logging.getLogger(__name__)

MIP_REL_GAP = 1e-6
DEFAULT_TIME_LIMIT_SECONDS = 120.0


def solve(problem: Problem, time_limit_seconds: float = DEFAULT_TIME_LIMIT_SECONDS) -> Result:
    """Optimal allocation, costs and rebalance plan, or the reason there is none."""
    started = time.perf_counter()
    conflicts = necessary_conditions(problem)
    if conflicts:
        return _unsolved(
            problem, "infeasible", "; ".join(conflicts), started, {"status": "presolve"}
        )
    model = build_model(problem)
    if not model.candidates:
        # Nothing can be held (and min_pools is 0, or a conflict was reported): all idle.
        return _solved(problem, {}, started, {"status": "no candidate pools"})
    try:
        model.program.solve(
            solver=cp.HIGHS,
            mip_rel_gap=MIP_REL_GAP,
            time_limit=float(time_limit_seconds),
            output_flag=False,
        )
    except cp.SolverError as error:
        logger.warning("HiGHS failed: %s", error)
        return _unsolved(problem, "failed", f"solver error: {error}", started, {})
    stats = _solver_stats(model)
    if model.program.status in (cp.INFEASIBLE, cp.INFEASIBLE_INACCURATE):
        return _unsolved(problem, "infeasible", explain_infeasible(problem), started, stats)
    if model.allocation.value is None:
        return _unsolved(
            problem, "failed", f"solver ended with status {model.program.status}", started, stats
        )
    return _solved(problem, _read_allocation(problem, model), started, stats)


def _read_allocation(problem: Problem, model: Model) -> dict[str, float]:
    minimum = min_position_usd(problem)
    allocation = {}
    for pool, (scaled, held) in zip(
        model.candidates, zip(model.allocation.value, model.held.value, strict=True), strict=True
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


def _solver_stats(model: Model) -> dict[str, Any]:
    stats = model.program.solver_stats
    info = stats.extra_stats
    gap = float(getattr(info, "mip_gap", math.nan))
    return {
        "status": model.program.status,
        "objective_usd": None if model.program.value is None else float(model.program.value),
        "mip_gap": gap if math.isfinite(gap) else None,
        # cvxpy hands HiGHS the negated (minimization) objective; report the max's bound.
        "mip_dual_bound_usd": -float(getattr(info, "mip_dual_bound", math.nan)),
        "mip_node_count": int(getattr(info, "mip_node_count", 0)),
        "solver_seconds": stats.solve_time,
        "variables": sum(variable.size for variable in model.program.variables()),
        "binaries": 2 * len(model.candidates),
    }


def _solved(
    problem: Problem, allocation: dict[str, float], started: float, stats: dict[str, Any]
) -> Result:
    evaluation = evaluate(problem, allocation)
    if evaluation.violations:
        return _unsolved(
            problem,
            "failed",
            "solver answer breaks constraints: " + "; ".join(evaluation.violations),
            started,
            stats,
        )
    gap = stats.get("mip_gap")
    status = "optimal" if gap is None or gap <= MIP_REL_GAP * 1.01 else "feasible"
    if stats.get("status") not in (None, cp.OPTIMAL, "no candidate pools"):
        status = "feasible"
    return Result(
        status=status,
        aum_usd=problem.aum_usd,
        allocations={pool_id: usd for pool_id, usd in allocation.items() if usd > 0},
        idle={token: max(usd, 0.0) for token, usd in evaluation.idle.items() if abs(usd) > 1e-9},
        expected_yield_usd=evaluation.expected_yield_usd,
        gas_cost_usd=evaluation.gas_cost_usd,
        conversion_cost_usd=evaluation.conversion_cost_usd,
        expected_profit_usd=evaluation.expected_profit_usd,
        plan=rebalance_plan(problem, evaluation),
        positions=_positions(problem, evaluation),
        solve_seconds=time.perf_counter() - started,
        solver=stats,
    )


def _positions(problem: Problem, evaluation: Evaluation) -> list[Position]:
    return [
        Position(
            pool_id=pool.pool_id,
            group=pool.group,
            apy=pool.apy,
            allocation_usd=evaluation.allocations.get(pool.pool_id, 0.0),
            previous_usd=problem.current(pool.pool_id),
        )
        for pool in problem.pools
        if evaluation.allocations.get(pool.pool_id, 0.0) > 0 or problem.current(pool.pool_id) > 0
    ]


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
