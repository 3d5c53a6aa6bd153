"""The day loop: decide, pay the plan, earn the day's actual APY; every portfolio.

Every portfolio starts with the same capital, idle in one token. On each trade day each
portfolio decides by its policy (:mod:`.policies`: the strategy with the daily flow's
optimizer, the baselines with their rules); a failed, infeasible or unbuildable day keeps
its holdings, as the flow keeps the previous allocation. Each plan is executed as written,
then every position earns its pool's actual APY of the day. The loop is a generator, so the
caller writes each day before the next one is computed (an interrupted run keeps its days).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from core.config import StrategyConfig
from python_models.backtest.baselines import STRATEGY
from python_models.backtest.policies import (
    BUY_AND_HOLD,
    Decision,
    Policy,
    decide,
    default_policies,
)
from python_models.backtest.portfolio import Costs, Portfolio, accrue, execute_plan
from python_models.backtest.trade_days import MarketDays, TradeDay


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
    ineligible_held: int = 0  # positions held over the day in pools not eligible on it


def _record(name: str, day: TradeDay, start: Portfolio, decision: Decision) -> DayRecord:
    executed, costs = execute_plan(
        start, decision.plan, decision.pool_tokens, decision.tolerance_usd
    )
    apy = {pool: float(day.actual_apy.get(pool, 0.0)) for pool in executed.positions}
    end, earned = accrue(executed, apy)
    eligible = day.pools["eligible"]
    ineligible = sum(not bool(eligible.get(pool, False)) for pool in executed.positions)
    return DayRecord(
        name, day.day, decision, costs, dict(executed.positions), apy, earned, end, ineligible
    )


def _copy_first_deposit(strategy: Decision, bought: bool) -> Decision:
    """Buy-and-hold: the strategy's first plan that deposits, then nothing."""
    if not bought and any(step.action == "deposit" for step in strategy.plan):
        return Decision("bought", strategy.plan, None, strategy.pool_tokens, strategy.tolerance_usd)
    return Decision("held" if bought else "idle")


def simulate(
    market: MarketDays,
    settings: BacktestSettings,
    policies: Sequence[Policy] | None = None,
    decided: Mapping[str, Sequence[Decision]] | None = None,
) -> Iterator[list[DayRecord]]:
    """Each trade day's records, in the order of ``policies`` (default: every portfolio).

    ``decided`` holds the day-by-day decisions of some portfolios, made before (by
    :func:`decisions_of`, e.g. in parallel): a portfolio's path depends only on its
    decisions and the market, so replaying them gives the same days.
    """
    chosen = tuple(policies) if policies is not None else default_policies()
    decided = decided or {}
    books = {policy.name: settings.opening() for policy in chosen}
    bought = False
    for index, stamp in enumerate(pd.date_range(settings.start, settings.end, freq="D")):
        day = market.day(stamp.date())
        decisions: dict[str, Decision] = {}
        for policy in chosen:
            if policy.name in decided:
                decisions[policy.name] = decided[policy.name][index]
            elif policy.rule == BUY_AND_HOLD:
                decisions[policy.name] = _copy_first_deposit(decisions[STRATEGY], bought)
                bought = bought or decisions[policy.name].status == "bought"
            else:
                decisions[policy.name] = decide(
                    policy, day, market, settings.config, books[policy.name]
                )
        records = [
            _record(policy.name, day, books[policy.name], decisions[policy.name])
            for policy in chosen
        ]
        books = {record.portfolio: record.end for record in records}
        yield records


def decisions_of(market: MarketDays, settings: BacktestSettings, policy: Policy) -> list[Decision]:
    """One portfolio's decisions over the range (its own simulation)."""
    return [records[0].decision for records in simulate(market, settings, [policy])]
