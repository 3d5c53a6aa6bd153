"""Why the day's decision is what it is: each limit's price in yield, and each hold explained.

Both answer "what would the decision be without it" by solving the day again:

- **the price of a limit** (:func:`limit_prices`): for every limit whose constraint is tight
  in the day's answer, the problem is solved again without that limit (its parameter at
  100 %, its per-name overrides dropped); the objective it gains, over the payback period,
  annualized, is what the limit costs in yield, in bp a year of AUM. A limit that is not
  tight costs nothing today and is listed as such. Each limit says which loss it bounds.
- **a hold** (:func:`explain_holds`): the day is solved again without costs (no gas, no
  conversions, no minimum move); where that frictionless answer moves money the decision
  kept, the move's yield gain a year and the days its gas and conversions take to repay are
  stated against ``payback_days`` and ``min_move_usd``: "kept X: moving to Y gains $a a year,
  repays in b days > N".
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from python_models.compounding import DAYS_PER_YEAR
from python_models.optimization.evaluate import (
    cap_components,
    evaluate,
    group_cap_usd,
    tolerance_usd,
)
from python_models.optimization.exposure import (
    DIMENSIONS,
    LOSS_BOUNDED,
    TOKEN,
    exposure_cap_usd,
    exposure_totals,
    token_totals,
)
from python_models.optimization.problem import Problem
from python_models.optimization.result import Result
from python_models.optimization.solver import solve

# A what-if solve is an estimate for the report: it gets a few seconds, not the day's budget.
WHAT_IF_SECONDS = 5.0
# A hold of idle tokens (money the frictionless decision would invest) is named so.
IDLE = "idle"
# Each limit the decision enforces: its parameter, the value that lifts it, the loss it bounds.
LIMITS: dict[str, tuple[Any, str]] = {
    "protocol_max_pct": (100, LOSS_BOUNDED["protocol"]),
    "curator_max_pct": (100, LOSS_BOUNDED["curator"]),
    "token_max_pct": (100, LOSS_BOUNDED["token"]),
    "chain_max_pct": (100, LOSS_BOUNDED["chain"]),
    "position_max_pct_available_liquidity": (None, LOSS_BOUNDED["liquidity"]),
    "position_max_pct_pool_tvl": (100, LOSS_BOUNDED["pool_tvl"]),
    "position_max_pct_total_assets": (100, "concentration in one pool"),
    "group1_max_pct": (100, "none: APY volatility of group 1 (not a loss)"),
    "group2_max_pct": (100, "none: APY volatility of group 2 (not a loss)"),
    "group3_max_pct": (100, "none: APY volatility of group 3 (not a loss)"),
    "min_pools": (0, "concentration in too few pools"),
}
OVERRIDES = {
    "protocol_max_pct": "protocol_caps",
    "curator_max_pct": "curator_caps",
    "chain_max_pct": "chain_caps",
    "token_max_pct": "token_caps",
}


@dataclass(frozen=True)
class LimitPrice:
    """One limit on the day: whether it binds and what it costs in yield."""

    limit: str
    value: Any
    loss_bounded: str
    binds: bool
    cost_bp_a_year: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "limit": self.limit,
            "value": self.value,
            "loss_bounded": self.loss_bounded,
            "binds": self.binds,
            "cost_bp_a_year": round(self.cost_bp_a_year, 3),
        }


def _tight(problem: Problem, allocation: dict[str, float], idle: dict[str, float]) -> set[str]:
    """The limits whose constraint holds with equality somewhere in ``allocation``."""
    tolerance = tolerance_usd(problem)
    tight: set[str] = set()
    for pool in problem.pools:
        amount = allocation.get(pool.pool_id, 0.0)
        if pool.eligible and amount > 0:
            tight |= {
                name
                for name, usd in cap_components(problem, pool).items()
                if amount >= usd - tolerance
            }
    for group in {pool.group for pool in problem.pools if pool.group is not None}:
        total = sum(allocation.get(p.pool_id, 0.0) for p in problem.pools if p.group == group)
        if total > 0 and total >= group_cap_usd(problem, group) - tolerance:
            tight.add(f"group{group}_max_pct")
    for dimension in DIMENSIONS:
        for name, total in exposure_totals(problem, allocation, dimension).items():
            if total >= exposure_cap_usd(problem, dimension, name) - tolerance:
                tight.add(f"{dimension}_max_pct")
    for token, total in token_totals(problem, allocation, idle).items():
        if total >= exposure_cap_usd(problem, TOKEN, token) - tolerance:
            tight.add("token_max_pct")
    held = sum(usd >= problem.parameters.min_position_usd for usd in allocation.values())
    if problem.parameters.min_pools and held <= problem.parameters.min_pools:
        tight.add("min_pools")
    return tight


def without(problem: Problem, limit: str) -> Problem:
    """``problem`` with ``limit`` lifted (and its per-name overrides dropped)."""
    lifted = problem.parameters.model_copy(update={limit: LIMITS[limit][0]})
    update: dict[str, Any] = {"parameters": lifted}
    if limit in OVERRIDES:
        update[OVERRIDES[limit]] = {}
    return problem.model_copy(update=update)


def _a_year_bp(problem: Problem, usd_over_payback: float) -> float:
    """USD over the payback period → bp a year of AUM."""
    aum = max(problem.aum_usd, 1e-9)
    return usd_over_payback * DAYS_PER_YEAR / problem.parameters.payback_days / aum * 1e4


def limit_prices(problem: Problem, result: Result) -> list[LimitPrice]:
    """Every limit of :data:`LIMITS`, tight or not, with its price on the day."""
    if not result.succeeded:
        return []
    decided = evaluate(problem, result.allocations)
    tight = {
        limit
        for limit in _tight(problem, result.allocations, decided.idle)
        if getattr(problem.parameters, limit) != LIMITS[limit][0]
        or getattr(problem, OVERRIDES.get(limit, ""), None)
    }
    prices = []
    for limit, (_, loss) in LIMITS.items():
        cost = 0.0
        if limit in tight:
            free = solve(without(problem, limit), WHAT_IF_SECONDS)
            if free.succeeded:
                cost = max(free.expected_profit_usd - result.expected_profit_usd, 0.0)
        prices.append(
            LimitPrice(
                limit,
                getattr(problem.parameters, limit),
                loss,
                limit in tight,
                _a_year_bp(problem, cost),
            )
        )
    return prices


def frictionless(problem: Problem) -> Problem:
    """``problem`` without gas, conversion costs or a minimum move."""
    pools = [pool.model_copy(update={"gas_usd": 0.0}) for pool in problem.pools]
    parameters = problem.parameters.model_copy(update={"conversion_rate": 0.0, "min_move_usd": 0})
    return problem.model_copy(update={"pools": pools, "parameters": parameters})


def explain_holds(problem: Problem, result: Result) -> list[dict[str, Any]]:
    """The positions kept though a decision without costs would move them (out, down or up),
    each with the gain a year of those moves, the days their costs take to repay, and the
    rule that held them."""
    if not result.succeeded:
        return []
    free = solve(frictionless(problem), WHAT_IF_SECONDS)
    if not free.succeeded:
        return []
    kept = {
        pool_id: usd
        for pool_id, usd in result.allocations.items()
        if usd > 0
        and abs(usd - problem.current(pool_id)) <= 0.01
        and free.allocations.get(pool_id, 0.0) < usd - 0.01
    }
    invested, free_invested = sum(result.allocations.values()), sum(free.allocations.values())
    if free_invested > invested + 0.01:
        kept[IDLE] = problem.aum_usd - invested
    if not kept:
        return []
    destinations = sorted(
        (
            pool_id
            for pool_id, usd in free.allocations.items()
            if usd > result.allocations.get(pool_id, 0.0) + 0.01
        ),
        key=lambda pool_id: -(free.allocations[pool_id] - result.allocations.get(pool_id, 0.0)),
    )
    moved = evaluate(problem, free.allocations)
    stayed = evaluate(problem, result.allocations)
    years = problem.parameters.payback_days / DAYS_PER_YEAR
    gain = (moved.expected_yield_usd - stayed.expected_yield_usd) / years
    cost = (moved.gas_cost_usd + moved.conversion_cost_usd) - (
        stayed.gas_cost_usd + stayed.conversion_cost_usd
    )
    payback = cost / (gain / DAYS_PER_YEAR) if gain > 0 else math.inf
    rule = (
        f"repays in {payback:,.0f} days > payback_days {problem.parameters.payback_days}"
        if payback > problem.parameters.payback_days
        else f"smaller than min_move_usd {problem.parameters.min_move_usd:,.0f}"
    )
    return [
        {
            "kept": pool_id,
            "kept_usd": round(usd, 2),
            "frictionless_usd": round(
                problem.aum_usd - free_invested
                if pool_id == IDLE
                else free.allocations.get(pool_id, 0.0),
                2,
            ),
            "to": destinations[:3],
            "gain_usd_a_year": round(gain, 2),
            "cost_usd": round(cost, 2),
            "payback_days": None if math.isinf(payback) else round(payback, 1),
            "rule": rule,
        }
        for pool_id, usd in kept.items()
    ]
