"""How a portfolio decides a day: one interface, the strategy and every baseline behind it.

A policy turns a day's market and the portfolio's holdings into a :class:`Decision` (the plan
to execute and why). The daily run's step 13 asks :data:`STRATEGY` (:class:`Optimizer`, fed
the shipped forecast); the backtest asks the same object for the strategy's days and other
policies for the baselines (cvxportfolio's "one policy, two callers"). Each policy also names
the APY view it is fed (``view``: the shipped forecast, persistence, a trailing mean, the
oracle; the caller's market provides it) and whether the product's rules bind it.

- :class:`Optimizer`: ``solve`` on the day's problem (the strategy; ``optimizer_persistence``,
  ``optimizer_mean30d``; the ``oracle`` upper bound fed the actual future APY).
- :class:`HoldRules`: the optimizer's first allocation, then held; a day a rule breaks (a pool
  no longer eligible, a cap exceeded) re-solves.
- :class:`EqualWeight`: equal weights within every cap, moved when a rule breaks or more than
  ``band_pct`` % of AUM would move.
- :class:`BestYesterday`: the greedy fill on yesterday's APY, held while the set is the same.
- :class:`BuyAndHold` (reference, ignores the rules): the first plan of the policy it copies
  that deposits, then never traded.
- :class:`SinglePool`, :class:`Benchmark` (yardsticks, :mod:`.yardsticks`): all capital in
  one pool; the TVL-weighted top five, re-chosen each month.

A failed, infeasible or unbuildable day keeps the holdings, as the daily run keeps the
previous allocation; the reason is in the decision.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from pydantic import ValidationError

from core.config import StrategyConfig
from python_models.decision.allocations import (
    breaks_limits,
    equal_weight_allocation,
    rebalance_to,
    weighted_target,
)
from python_models.decision.market import DayMarket
from python_models.decision.problem import StaleInputError, build_problem
from python_models.decision.yardsticks import (
    SINGLE_POOLS,
    PoolKey,
    benchmark_weights,
    locate,
)
from python_models.optimization.evaluate import (
    cap_components,
    evaluate,
    greedy_allocation,
    group_cap_usd,
    keep_current_allocation,
    tolerance_usd,
)
from python_models.optimization.exposure import (
    DIMENSIONS,
    exposure_cap_usd,
    exposure_totals,
)
from python_models.optimization.plan import rebalance_plan
from python_models.optimization.problem import Holdings, Problem
from python_models.optimization.result import PlanStep, Result
from python_models.optimization.solver import solve

# The APY views a policy can be fed (the backtest's market provides each; the daily run has
# the forecast only).
FORECAST, PERSISTENCE, MEAN30D, ORACLE = "forecast", "persistence", "mean30d", "oracle"
# Idle above this share of AUM gets a reason (which limit, or infeasible) in the decision.
IDLE_REPORTED_SHARE = 0.01
# Equal weight moves when more than this share of AUM would move (or a rule forces it).
EQUAL_WEIGHT_BAND_PCT = 10.0


@dataclass(frozen=True)
class Decision:
    """What a portfolio decided on a day: the plan to execute, why, and what it decided on."""

    status: str
    plan: list[PlanStep] = field(default_factory=list)
    reason: str | None = None
    problem: Problem | None = None
    result: Result | None = None
    idle_bound: str | None = None  # why capital stayed idle: which limit, or infeasible

    @property
    def pool_tokens(self) -> dict[str, list[str]]:
        """Each pool's tokens, for executing the plan (withdrawals split over them)."""
        pools = self.problem.pools if self.problem is not None else []
        return {pool.pool_id: list(pool.tokens) for pool in pools}

    @property
    def tolerance_usd(self) -> float:
        return tolerance_usd(self.problem) if self.problem is not None else 0.0


def idle_bound(problem: Problem, allocation: Mapping[str, float], status: str) -> str | None:
    """Why more than 1 % of AUM stays idle: the day's status when it was not solved, else the
    limit every pool that could take more is stopped by (its own cap's parameter, or a full
    group, protocol family, curator or chain), else "not worth its costs"."""
    aum = problem.aum_usd
    if aum <= 0 or aum - sum(allocation.values()) <= IDLE_REPORTED_SHARE * aum:
        return None
    if status in ("infeasible", "failed", "stale"):
        return status
    tolerance = tolerance_usd(problem)
    full = {
        f"group{group}_max_pct"
        for group in {pool.group for pool in problem.pools if pool.group is not None}
        if sum(allocation.get(p.pool_id, 0.0) for p in problem.pools if p.group == group)
        >= group_cap_usd(problem, group) - tolerance
    }
    for dimension in DIMENSIONS:
        full |= {
            f"{dimension}_max_pct"
            for name, total in exposure_totals(problem, allocation, dimension).items()
            if total >= exposure_cap_usd(problem, dimension, name) - tolerance
        }
    stopped: dict[str, int] = {}
    for pool in problem.pools:
        if not pool.eligible or pool.apy <= 0:
            continue
        held = allocation.get(pool.pool_id, 0.0)
        limits = cap_components(problem, pool)
        at_cap = [name for name, usd in limits.items() if held >= usd - tolerance]
        joint = [name for name in limits if name in full]
        reasons = at_cap or joint
        if not reasons:
            return "not worth its costs"
        for name in reasons:
            stopped[name] = stopped.get(name, 0) + 1
    if not stopped:
        return "no pool with a positive APY"
    return "limits: " + ", ".join(sorted(stopped, key=lambda name: (-stopped[name], name)))


def _decision(
    problem: Problem,
    status: str,
    plan: list[PlanStep],
    reason: str | None = None,
    allocation: Mapping[str, float] | None = None,
    result: Result | None = None,
) -> Decision:
    """A decision on ``problem``, with why capital stays idle."""
    held = keep_current_allocation(problem) if allocation is None else allocation
    return Decision(status, plan, reason, problem, result, idle_bound(problem, held, status))


def _holds_nothing(holdings: Holdings) -> bool:
    return not any(usd > 0 for usd in holdings.current_allocations.values())


@dataclass(frozen=True)
class Policy:
    """A portfolio's rule; ``schedule`` changes its view and parameters from given days on
    (the walk-forward's choices: ``(start, view or None, {parameter: value})``)."""

    name: str
    view: str = FORECAST
    schedule: tuple[tuple[dt.date, str | None, tuple[tuple[str, Any], ...]], ...] = ()
    bound_by_rules: bool = True

    def on(self, day: dt.date, config: StrategyConfig) -> tuple[str, StrategyConfig]:
        """The APY view and the parameters in effect on ``day``: the last scheduled choice
        that started by then, else the policy's own."""
        view, overrides = self.view, ()
        for start, chosen_view, chosen in self.schedule:
            if start <= day:
                view, overrides = chosen_view or self.view, chosen
        if not overrides:
            return view, config
        return view, config.model_copy(update=dict(overrides))

    def decide(self, market: DayMarket, holdings: Holdings, config: StrategyConfig) -> Decision:
        """The day's decision (the market already fed this policy's view)."""
        try:
            problem = build_problem(market, holdings, config)
        except StaleInputError as error:
            return Decision("stale", reason=str(error))
        except ValidationError as error:
            return Decision("stale", reason=f"problem refused: {error.errors()[0]['msg']}")
        return self.choose(problem, market)

    def choose(self, problem: Problem, market: DayMarket) -> Decision:
        raise NotImplementedError


def optimize(problem: Problem) -> Decision:
    """Solve the day's problem; a failed or infeasible solve keeps the holdings."""
    result = solve(problem)
    if not result.succeeded:
        return _decision(problem, result.status, [], result.reason, result=result)
    reason = result.idle_reason
    return _decision(problem, result.status, result.plan, reason, result.allocations, result)


@dataclass(frozen=True)
class Optimizer(Policy):
    """``solve`` every day on the view it is fed (the strategy and the optimizer baselines)."""

    def choose(self, problem: Problem, market: DayMarket) -> Decision:
        return optimize(problem)


@dataclass(frozen=True)
class HoldRules(Policy):
    """The first allocation, then held; a day a rule breaks re-solves."""

    def choose(self, problem: Problem, market: DayMarket) -> Decision:
        current = keep_current_allocation(problem)
        if _holds_nothing(problem.holdings) or breaks_limits(problem, current):
            return optimize(problem)
        return _decision(problem, "held", [])


@dataclass(frozen=True)
class BestYesterday(Policy):
    """The greedy fill by the APY it is fed (yesterday's), held while the set is the same."""

    def choose(self, problem: Problem, market: DayMarket) -> Decision:
        target = greedy_allocation(problem)
        plan = rebalance_to(problem, target)
        return _decision(problem, "rebalanced" if plan else "held", plan, allocation=target)


@dataclass(frozen=True)
class EqualWeight(Policy):
    """Equal weights within every cap, moved past a band or when a rule breaks."""

    band_pct: float = EQUAL_WEIGHT_BAND_PCT

    def choose(self, problem: Problem, market: DayMarket) -> Decision:
        target = equal_weight_allocation(problem)
        plan = rebalance_to(problem, target)
        current = keep_current_allocation(problem)
        if plan and not breaks_limits(problem, current) and not _holds_nothing(problem.holdings):
            moved = sum(
                abs(target.get(p, 0.0) - current.get(p, 0.0)) for p in set(target) | set(current)
            )
            if moved / 2 < self.band_pct / 100 * problem.aum_usd:
                return _decision(problem, "held", [], "within the band")
        return _decision(problem, "rebalanced" if plan else "held", plan, allocation=target)


@dataclass(frozen=True)
class BuyAndHold(Policy):
    """The first plan of ``copies`` that deposits, then never traded (ignores the rules)."""

    copies: Policy = field(default_factory=lambda: STRATEGY)
    bound_by_rules: bool = False

    def decide(self, market: DayMarket, holdings: Holdings, config: StrategyConfig) -> Decision:
        if not _holds_nothing(holdings):
            return Decision("held")
        first = self.copies.decide(market, holdings, config)
        if any(step.action == "deposit" for step in first.plan):
            return Decision("bought", first.plan, None, first.problem, first.result)
        return Decision("idle", reason=first.reason, problem=first.problem)


def reference_problem(
    market: DayMarket, holdings: Holdings, config: StrategyConfig, pool_ids: list[str]
) -> Problem:
    """A yardstick's problem: its pools and what it holds, with no limit but the wallet's
    tokens and the costs (a treasury's alternative is not bound by the product's rules)."""
    unbound = {
        "position_max_pct_pool_tvl": 100,
        "position_max_pct_total_assets": 100,
        "group1_max_pct": 100,
        "group2_max_pct": 100,
        "group3_max_pct": 100,
        "protocol_max_pct": 100,
        "curator_max_pct": 100,
        "chain_max_pct": 100,
        "token_max_pct": 100,
        "position_max_pct_available_liquidity": None,
        "min_pools": 0,
    }
    wanted = set(pool_ids) | {p for p, usd in holdings.current_allocations.items() if usd > 0}
    pools = market.pools.loc[sorted(wanted & set(market.pools.index))].assign(
        eligible=True, group_id=1
    )
    return build_problem(
        replace(market, pools=pools, caps={}), holdings, config.model_copy(update=unbound)
    )


@dataclass(frozen=True)
class Yardstick(Policy):
    """A treasury's alternative: moves to its target when it holds nothing or re-chooses."""

    bound_by_rules: bool = False

    def target_weights(self, market: DayMarket, holdings: Holdings) -> dict[str, float] | None:
        """Pool → weight to move to today, or None to hold."""
        raise NotImplementedError

    def decide(self, market: DayMarket, holdings: Holdings, config: StrategyConfig) -> Decision:
        weights = self.target_weights(market, holdings)
        if weights is None:
            return Decision("held")
        if not weights:
            return Decision("idle", reason="its pools are not in the market yet")
        try:
            problem = reference_problem(market, holdings, config, list(weights))
        except (StaleInputError, ValidationError) as error:
            return Decision("stale", reason=str(error))
        target = weighted_target(problem, weights)
        plan = rebalance_plan(problem, evaluate(problem, target))
        return Decision("rebalanced" if plan else "held", plan, None, problem)


@dataclass(frozen=True)
class SinglePool(Yardstick):
    """All capital in one pool (``key``), from the first day it can be bought, then held."""

    key: PoolKey = SINGLE_POOLS["aave_v3_usdc"]

    def target_weights(self, market: DayMarket, holdings: Holdings) -> dict[str, float] | None:
        if not _holds_nothing(holdings):
            return None
        pool = locate(market.pools, self.key)
        return {} if pool is None else {pool: 1.0}


@dataclass(frozen=True)
class Benchmark(Yardstick):
    """The TVL-weighted top five, re-chosen on each month's first day."""

    def target_weights(self, market: DayMarket, holdings: Holdings) -> dict[str, float] | None:
        if not _holds_nothing(holdings) and market.decision_date.day != 1:
            return None
        return benchmark_weights(market.pools)


STRATEGY = Optimizer("strategy")
