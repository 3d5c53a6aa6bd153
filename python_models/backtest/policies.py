"""How each portfolio decides a day: one implementation of the rules for every portfolio.

Every portfolio but ``buy_and_hold`` sees the same day's problem (:func:`day_problem`: the
eligible pools, the icebox through eligibility, every cap, gas per touch, conversions, idle
tokens) and pays through the optimizer's own plan and cost code. What differs is the APY it
is fed and the rule that turns the problem into a plan:

- ``optimizer``: the daily flow's ``solve`` on the APY view (the strategy: the shipped
  forecast; ``optimizer_persistence``: the APY of D − 1; ``optimizer_mean30d``: the 30-day
  mean; ``oracle``: the actual mean APY of the next ``horizon_days``, perfect foresight).
  With ``min_edge_bp`` > 0 a plan is only executed when it raises the expected profit over
  the horizon (net of its gas and conversions) over keeping the holdings by at least that
  many bp a year of the USD it deposits: a minimum edge before a move pays gas (deploying
  idle capital at 5 % clears any sensible hurdle; a swap into a pool 0.2 % better, net of its
  gas, does not clear 25 bp on a short horizon). Forced moves (a held pool no longer
  eligible, a cap broken) are always executed.
- ``hold_rules``: the optimizer's first allocation on persistence, then held; a day when what
  it holds breaks a rule re-solves (and moves what the solve moves), then it holds again.
- ``equal_weight``: equal weights within every cap, moved only when the target names other
  pools *and* more than ``band_pct`` % of AUM would move, or a rule is broken.
- ``best_yesterday``: the greedy fill on the APY of D − 1, held while the set is the same.
- ``buy_and_hold`` (unconstrained reference): the strategy's first plan, never traded again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd
from pydantic import ValidationError

from core.config import StrategyConfig
from python_models.backtest import baselines as names
from python_models.backtest.baselines import breaks_limits as _breaks_limits
from python_models.backtest.baselines import equal_weight_allocation, rebalance_to
from python_models.backtest.portfolio import Portfolio
from python_models.backtest.problems import day_problem
from python_models.backtest.trade_days import (
    FORECAST,
    MEAN30D,
    ORACLE,
    PERSISTENCE,
    MarketDays,
    TradeDay,
)
from python_models.optimization import solve
from python_models.optimization.daily_inputs import StaleInputError
from python_models.optimization.evaluate import (
    evaluate,
    greedy_allocation,
    group_cap_usd,
    keep_current_allocation,
    position_caps,
    tolerance_usd,
)
from python_models.optimization.problem import Problem
from python_models.optimization.result import PlanStep

OPTIMIZER, HOLD_RULES, EQUAL_WEIGHT, BEST_YESTERDAY, BUY_AND_HOLD = (
    "optimizer",
    "hold_rules",
    "equal_weight",
    "best_yesterday",
    "buy_and_hold",
)
# Idle above this share of AUM gets a reason (which cap, or infeasible) in the day's record.
IDLE_REPORTED_SHARE = 0.01


@dataclass(frozen=True)
class Choice:
    """The tuned choices of a decision: what walk-forward re-chooses at each step."""

    horizon_days: int
    margin: float | None = None  # APY model-selection margin (None: the shipped one)
    min_edge_bp: float = 0.0
    apy: str | None = None  # the APY view (None: the policy's own)

    def label(self) -> str:
        margin = "shipped" if self.margin is None else f"{self.margin:g}"
        return f"h={self.horizon_days} margin={margin} edge={self.min_edge_bp:g}bp"


@dataclass(frozen=True)
class Policy:
    """One portfolio's rule, APY view and choices; ``schedule`` changes the choices by day."""

    name: str
    rule: str
    apy: str = FORECAST
    schedule: tuple[tuple[dt.date, Choice], ...] = ()
    band_pct: float = 0.0

    def choice(self, day: dt.date, default: Choice) -> Choice:
        """The choice in effect on ``day``: the last scheduled one that started by then."""
        current = default
        for start, choice in self.schedule:
            if start <= day:
                current = choice
        return current


@dataclass(frozen=True)
class Decision:
    """What a portfolio decided on a day: the plan to execute and why."""

    status: str
    plan: list[PlanStep] = field(default_factory=list)
    reason: str | None = None
    pool_tokens: dict[str, list[str]] = field(default_factory=dict)
    tolerance_usd: float = 0.0
    idle_bound: str | None = None  # why capital stayed idle: which cap, or infeasible


def config_for(config: StrategyConfig, choice: Choice) -> StrategyConfig:
    """The strategy parameters with the choice's horizon."""
    if choice.horizon_days == config.horizon_days:
        return config
    return config.model_copy(update={"horizon_days": choice.horizon_days})


def build_problem(
    day: TradeDay, config: StrategyConfig, portfolio: Portfolio, apy: pd.Series | None
) -> Problem | Decision:
    """The day's problem fed ``apy`` (None: the shipped forecast), or a 'stale' decision."""
    fed = day if apy is None else day.with_apy(apy)
    source = "apy_forecast" if apy is None else "apy_decision"
    try:
        return day_problem(fed, config, portfolio.holdings(), source)
    except StaleInputError as error:
        return Decision("stale", reason=str(error))
    except ValidationError as error:
        return Decision("stale", reason=f"problem refused: {error.errors()[0]['msg']}")


def idle_bound(problem: Problem, allocation: dict[str, float], status: str) -> str | None:
    """Why more than 1 % of AUM stays idle: infeasible, a group cap, position caps, or the
    rest (an exposure cap this check does not separate, or no pool worth its costs)."""
    aum = problem.aum_usd
    if aum <= 0 or aum - sum(allocation.values()) <= IDLE_REPORTED_SHARE * aum:
        return None
    if status in ("infeasible", "failed", "stale"):
        return status
    caps = position_caps(problem, with_group_caps=False)
    tolerance = tolerance_usd(problem)
    groups: dict[int | None, float] = {}
    for pool in problem.pools:
        groups[pool.group] = groups.get(pool.group, 0.0) + allocation.get(pool.pool_id, 0.0)
    open_pools = [
        pool
        for pool in problem.pools
        if pool.eligible and allocation.get(pool.pool_id, 0.0) < caps[pool.pool_id] - tolerance
    ]
    if not open_pools:
        return "position caps"
    if all(
        groups[pool.group] >= group_cap_usd(problem, pool.group) - tolerance for pool in open_pools
    ):
        full = sorted({pool.group for pool in open_pools})
        return "group cap " + ",".join(f"group{group}_max_pct" for group in full)
    return "protocol, chain or liquidity cap, or not worth its costs"


def _decision(
    problem: Problem,
    status: str,
    plan: list[PlanStep],
    reason: str | None = None,
    allocation: dict[str, float] | None = None,
) -> Decision:
    """A decision on ``problem``, with what executing its plan needs (tokens, tolerance)."""
    held = keep_current_allocation(problem) if allocation is None else allocation
    return Decision(
        status,
        plan,
        reason,
        {pool.pool_id: list(pool.tokens) for pool in problem.pools},
        tolerance_usd(problem),
        idle_bound(problem, held, status),
    )


def breaks_limits(problem: Problem) -> bool:
    """The holdings name an ineligible pool or exceed a cap: a rule forces a move."""
    current = {pool: usd for pool, usd in problem.holdings.current_allocations.items() if usd > 0}
    return _breaks_limits(problem, current)


def optimize(problem: Problem, min_edge_bp: float = 0.0) -> Decision:
    """Solve; keep the holdings when the solve fails or its edge is below ``min_edge_bp``."""
    result = solve(problem)
    if not result.succeeded:
        return _decision(problem, result.status, [], result.reason)
    if min_edge_bp > 0 and result.plan and not breaks_limits(problem):
        keep = evaluate(problem, keep_current_allocation(problem))
        horizon = problem.parameters.horizon_days / 365
        deposited = sum(step.amount_usd for step in result.plan if step.action == "deposit")
        hurdle = min_edge_bp / 1e4 * deposited * horizon
        edge = result.expected_profit_usd - keep.expected_profit_usd
        if keep.feasible and edge < hurdle:
            reason = f"edge {edge:,.0f} USD < hurdle {hurdle:,.0f} USD"
            return _decision(problem, "held", [], reason)
    return _decision(problem, result.status, result.plan, allocation=result.allocations)


def named(name: str) -> Policy:
    """The default policy of the portfolio ``name``."""
    return next(policy for policy in default_policies() if policy.name == name)


def _holds_nothing(problem: Problem) -> bool:
    return not any(usd > 0 for usd in problem.holdings.current_allocations.values())


def decision_apy(
    policy: Policy, choice: Choice, day: TradeDay, market: MarketDays | None
) -> pd.Series | None:
    """The APY view ``policy`` is fed on ``day`` (None: the shipped forecast on the day)."""
    source = choice.apy or policy.apy
    if source == FORECAST and choice.margin is None:
        return None
    if source == PERSISTENCE:
        return day.pools["apy_yesterday"]
    if market is None:
        raise ValueError(f"the {source} APY view needs the market panels")
    return market.apy(source, choice.horizon_days, choice.margin).loc[pd.Timestamp(day.day)]


def decide(
    policy: Policy,
    day: TradeDay,
    market: MarketDays | None,
    config: StrategyConfig,
    portfolio: Portfolio,
) -> Decision:
    """The decision of ``policy`` for ``day`` (``buy_and_hold`` is decided by the loop)."""
    choice = policy.choice(day.day, Choice(config.horizon_days))
    day_config = config_for(config, choice)
    apy = decision_apy(policy, choice, day, market)
    problem = build_problem(day, day_config, portfolio, apy)
    if isinstance(problem, Decision):
        return problem
    if policy.rule == OPTIMIZER:
        return optimize(problem, choice.min_edge_bp)
    if policy.rule == HOLD_RULES:
        if _holds_nothing(problem) or breaks_limits(problem):
            return optimize(problem)
        return _decision(problem, "held", [])
    if policy.rule == BEST_YESTERDAY:
        target = greedy_allocation(problem)
        plan = rebalance_to(problem, target)
        return _decision(problem, "rebalanced" if plan else "held", plan, allocation=target)
    if policy.rule == EQUAL_WEIGHT:
        target = equal_weight_allocation(problem)
        plan = rebalance_to(problem, target)
        if plan and not breaks_limits(problem) and not _holds_nothing(problem):
            current = keep_current_allocation(problem)
            moved = sum(
                abs(target.get(p, 0.0) - current.get(p, 0.0)) for p in set(target) | set(current)
            )
            if moved / 2 < policy.band_pct / 100 * problem.aum_usd:
                return _decision(problem, "held", [], "within the band")
        return _decision(problem, "rebalanced" if plan else "held", plan, allocation=target)
    raise ValueError(f"unknown rule {policy.rule!r}")


# Equal weight moves when more than this share of AUM would move (or a rule forces it).
EQUAL_WEIGHT_BAND_PCT = 10.0


def default_policies() -> tuple[Policy, ...]:
    """The strategy, the rule-obeying baselines and the two references, in report order."""
    return (
        Policy(names.STRATEGY, OPTIMIZER, FORECAST),
        Policy(names.HOLD_RULES, HOLD_RULES, PERSISTENCE),
        Policy(names.OPTIMIZER_PERSISTENCE, OPTIMIZER, PERSISTENCE),
        Policy(names.OPTIMIZER_MEAN30D, OPTIMIZER, MEAN30D),
        Policy(names.EQUAL_WEIGHT, EQUAL_WEIGHT, FORECAST, band_pct=EQUAL_WEIGHT_BAND_PCT),
        Policy(names.BEST_YESTERDAY, BEST_YESTERDAY, PERSISTENCE),
        Policy(names.BUY_AND_HOLD, BUY_AND_HOLD),
        Policy(names.ORACLE, OPTIMIZER, ORACLE),
    )
