"""The day loop: decide, pay the plan, earn the day's actual APY; strategy and baselines.

Every portfolio starts with the same capital, idle in one token. On each trade day the
strategy builds the day's problem from what it holds and solves it with the optimizer the
daily flow uses (:func:`python_models.optimization.solve`); a failed, infeasible or
unbuildable day keeps its holdings, as the flow keeps the previous allocation. The baselines
decide on the same day's problem (see :mod:`.baselines`). Each plan is executed as written,
then every position earns its pool's actual APY of the day. The loop is a generator, so the
caller writes each day before the next one is computed (an interrupted run keeps its days).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field

import pandas as pd
from pydantic import ValidationError

from core.config import StrategyConfig
from python_models.backtest.baselines import (
    BEST_YESTERDAY,
    BUY_AND_HOLD,
    EQUAL_WEIGHT,
    PORTFOLIOS,
    STRATEGY,
    equal_weight_allocation,
    rebalance_to,
)
from python_models.backtest.portfolio import Costs, Portfolio, accrue, execute_plan
from python_models.backtest.problems import day_problem
from python_models.backtest.trade_days import MarketDays, TradeDay
from python_models.optimization import solve
from python_models.optimization.daily_inputs import StaleInputError
from python_models.optimization.evaluate import greedy_allocation, tolerance_usd
from python_models.optimization.problem import Problem
from python_models.optimization.result import PlanStep


@dataclass(frozen=True)
class BacktestSettings:
    """The range, the strategy parameters and the starting capital (USD, idle in one token)."""

    start: dt.date
    end: dt.date
    config: StrategyConfig
    capital_usd: float = 1_000_000.0
    capital_token: str = "USDC"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def opening(self) -> Portfolio:
        return Portfolio(idle={self.capital_token.strip().upper(): self.capital_usd})


@dataclass(frozen=True)
class Decision:
    """What a portfolio decided on a day: the plan to execute and why."""

    status: str
    plan: list[PlanStep] = field(default_factory=list)
    reason: str | None = None
    pool_tokens: dict[str, list[str]] = field(default_factory=dict)
    tolerance_usd: float = 0.0


@dataclass(frozen=True)
class DayRecord:
    """One portfolio's day: the decision, its costs, the positions held and the day's yield."""

    portfolio: str
    day: dt.date
    decision: Decision
    costs: Costs
    held: dict[str, float]
    apy_pct: dict[str, float]
    yield_usd: float
    end: Portfolio


def _problem(
    day: TradeDay, config: StrategyConfig, portfolio: Portfolio, apy_source: str
) -> Problem | Decision:
    """The day's problem, or a 'stale' decision (keep holdings) where the flow would stop."""
    try:
        return day_problem(day, config, portfolio.holdings(), apy_source)
    except StaleInputError as error:
        return Decision("stale", reason=str(error))
    except ValidationError as error:
        return Decision("stale", reason=f"problem refused: {error.errors()[0]['msg']}")


def _decision(
    problem: Problem, status: str, plan: list[PlanStep], reason: str | None = None
) -> Decision:
    """A decision on ``problem``, with what executing its plan needs (tokens, tolerance)."""
    return Decision(
        status,
        plan,
        reason,
        {pool.pool_id: list(pool.tokens) for pool in problem.pools},
        tolerance_usd(problem),
    )


def decide_strategy(day: TradeDay, config: StrategyConfig, portfolio: Portfolio) -> Decision:
    """Solve the day's problem with the daily flow's optimizer; keep holdings if it fails."""
    problem = _problem(day, config, portfolio, "apy_forecast")
    if isinstance(problem, Decision):
        return problem
    result = solve(problem)
    if not result.succeeded:
        return _decision(problem, result.status, [], result.reason)
    return _decision(problem, result.status, result.plan)


def decide_baseline(
    name: str, day: TradeDay, config: StrategyConfig, portfolio: Portfolio
) -> Decision:
    """Equal weight (forecast caps) or yesterday's best APY (greedy fill on actual APY)."""
    apy_source = "apy_yesterday" if name == BEST_YESTERDAY else "apy_forecast"
    problem = _problem(day, config, portfolio, apy_source)
    if isinstance(problem, Decision):
        return problem
    target = (
        greedy_allocation(problem) if name == BEST_YESTERDAY else equal_weight_allocation(problem)
    )
    plan = rebalance_to(problem, target)
    return _decision(problem, "rebalanced" if plan else "held", plan)


def _record(name: str, day: TradeDay, start: Portfolio, decision: Decision) -> DayRecord:
    executed, costs = execute_plan(
        start, decision.plan, decision.pool_tokens, decision.tolerance_usd
    )
    apy = {pool: float(day.actual_apy.get(pool, 0.0)) for pool in executed.positions}
    end, earned = accrue(executed, apy)
    return DayRecord(name, day.day, decision, costs, dict(executed.positions), apy, earned, end)


def simulate(market: MarketDays, settings: BacktestSettings) -> Iterator[list[DayRecord]]:
    """Each trade day's records, strategy first, in the order of :data:`PORTFOLIOS`."""
    books = dict.fromkeys(PORTFOLIOS, settings.opening())
    bought = False
    for stamp in pd.date_range(settings.start, settings.end, freq="D"):
        day = market.day(stamp.date())
        decisions = {STRATEGY: decide_strategy(day, settings.config, books[STRATEGY])}
        for name in (EQUAL_WEIGHT, BEST_YESTERDAY):
            decisions[name] = decide_baseline(name, day, settings.config, books[name])
        strategy = decisions[STRATEGY]
        if not bought and any(step.action == "deposit" for step in strategy.plan):
            decisions[BUY_AND_HOLD] = Decision(
                "bought", strategy.plan, None, strategy.pool_tokens, strategy.tolerance_usd
            )
            bought = True
        else:
            decisions[BUY_AND_HOLD] = Decision("held" if bought else "idle")
        records = [_record(name, day, books[name], decisions[name]) for name in PORTFOLIOS]
        books = {record.portfolio: record.end for record in records}
        yield records
