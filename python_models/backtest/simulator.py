"""The simulator: every portfolio decides, pays its plan and earns the day's actual yield.

A simulated treasury holds positions per pool, idle tokens, and the gas it has paid.
Accounting is in USD, as the optimizer's: idle tokens earn nothing and token prices are not
marked to market. Each trade day, each portfolio decides by its policy on the day's market
as it would have been quoted with its own positions in it
(:func:`~python_models.backtest.market.quoted_with`); a failed, infeasible or unbuildable day
keeps its holdings, as the daily run keeps the previous allocation. The plan is executed step
by step, exactly as written (:func:`execute_plan`): a withdrawal returns its amount split
equally across the pool's tokens, a conversion spends ``amount + cost`` of one token for
``amount`` of another, a deposit consumes its amount equally from the pool's tokens; gas and
conversion costs are the plan's own figures. Then every position earns what the optimizer
expects of it, at the pool's *actual* APY of the day (:func:`accrue`): diluted by its own size
where ``apy_dilution`` is on (x · APY · S / (S + x) over the pool's actual supply S, the
formula of :mod:`python_models.optimization.dilution` with the history recorded without us),
compounded daily. Gas is paid in ETH from the treasury's gas wallet, outside the invested
assets, and charged to the NAV: NAV = positions + idle tokens − gas paid so far.

The loop is a generator, so the caller writes each day before the next one is computed (an
interrupted run keeps its days).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from core.config import StrategyConfig
from python_models.backtest.market import MarketDays, quoted_with
from python_models.compounding import daily_rate
from python_models.decision.policies import Decision, Policy
from python_models.optimization.problem import Holdings
from python_models.optimization.result import PlanStep

# A position or idle balance this small after a full withdrawal is float residue.
DUST_USD = 1e-6
# The supply a position's yield is spread over is floored here, as in the optimizer.
MIN_SUPPLY_USD = 1.0


class OverdrawnError(RuntimeError):
    """A plan spent more of a token than the portfolio held (a plan bug, never data)."""


@dataclass(frozen=True)
class Portfolio:
    """Positions (USD per pool), idle tokens (USD per token) and cumulative gas (USD)."""

    positions: dict[str, float] = field(default_factory=dict)
    idle: dict[str, float] = field(default_factory=dict)
    gas_paid_usd: float = 0.0

    @property
    def invested_usd(self) -> float:
        return math.fsum(self.positions.values())

    @property
    def idle_usd(self) -> float:
        return math.fsum(self.idle.values())

    @property
    def nav_usd(self) -> float:
        """Net asset value: what the treasury owns, net of every gas payment."""
        return self.invested_usd + self.idle_usd - self.gas_paid_usd

    def holdings(self) -> Holdings:
        """The optimizer's view: current positions and idle tokens (AUM excludes gas paid)."""
        return Holdings(current_allocations=self.positions, liquidity_portfolio=self.idle)


@dataclass(frozen=True)
class Costs:
    """What executing one plan cost and moved."""

    gas_usd: float = 0.0
    conversion_usd: float = 0.0
    traded_usd: float = 0.0  # deposits plus withdrawals


def execute_plan(
    portfolio: Portfolio,
    plan: Sequence[PlanStep],
    pool_tokens: Mapping[str, Sequence[str]],
    tolerance_usd: float,
) -> tuple[Portfolio, Costs]:
    """Apply ``plan`` step by step; gas and conversion costs are the plan's own figures.

    A token may end up to ``tolerance_usd`` below zero (the solver's own tolerance); it is
    set to zero. Anything beyond is an :class:`OverdrawnError`.
    """
    positions = dict(portfolio.positions)
    idle = dict(portfolio.idle)
    gas = conversion = traded = 0.0
    for step in plan:
        if step.action == "convert":
            idle[step.token_symbol] = idle.get(step.token_symbol, 0.0) - (
                step.amount_usd + step.cost_usd
            )
            idle[step.to_token_symbol] = idle.get(step.to_token_symbol, 0.0) + step.amount_usd
            conversion += step.cost_usd
            continue
        sign = 1.0 if step.action == "deposit" else -1.0
        positions[step.pool_id] = positions.get(step.pool_id, 0.0) + sign * step.amount_usd
        tokens = pool_tokens[step.pool_id]
        for token in tokens:
            idle[token] = idle.get(token, 0.0) - sign * step.amount_usd / len(tokens)
        gas += step.gas_usd
        traded += step.amount_usd
    overdrawn = {token: usd for token, usd in idle.items() if usd < -tolerance_usd}
    overdrawn |= {pool: usd for pool, usd in positions.items() if usd < -tolerance_usd}
    if overdrawn:
        raise OverdrawnError(f"plan overdraws {overdrawn}")
    executed = Portfolio(
        positions={pool: usd for pool, usd in positions.items() if usd > DUST_USD},
        idle={token: usd for token, usd in idle.items() if usd > DUST_USD},
        gas_paid_usd=portfolio.gas_paid_usd + gas,
    )
    return executed, Costs(gas, conversion, traded)


def diluted_apy(
    apy_pct: pd.Series, supply_usd: pd.Series, positions: Mapping[str, float]
) -> pd.Series:
    """The APY each position earns: the pool's APY spread over its supply plus the position
    (x · APY · S / (S + x) a year for x in a pool of supply S; the supply floored like
    :func:`python_models.optimization.dilution.other_supply_usd`)."""
    amounts = pd.Series(positions, dtype=float)
    apy = apy_pct.reindex(amounts.index).fillna(0.0)
    supply = supply_usd.reindex(amounts.index).fillna(0.0).clip(lower=MIN_SUPPLY_USD)
    return apy * supply / (supply + amounts)


def accrue(portfolio: Portfolio, apy_pct: Mapping[str, float]) -> tuple[Portfolio, float]:
    """One day of yield: each position grows by the APY it earns, compounded daily."""
    if not portfolio.positions:
        return portfolio, 0.0
    pools = list(portfolio.positions)
    before = np.array([portfolio.positions[pool] for pool in pools])
    rates = np.array([apy_pct.get(pool, 0.0) for pool in pools], dtype=float)
    after = before * (1 + daily_rate(rates))
    grown = Portfolio(
        dict(zip(pools, after.tolist(), strict=True)), portfolio.idle, portfolio.gas_paid_usd
    )
    return grown, float(after.sum() - before.sum())


@dataclass(frozen=True)
class Settings:
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
    apy_pct: dict[str, float]  # the APY each position earned (diluted by it)
    yield_usd: float
    undiluted_yield_usd: float  # what the positions would have earned at the quoted APY
    end: Portfolio
    ineligible_held: int = 0  # positions held over the day in pools not eligible on it


def _record(
    policy: Policy,
    market: MarketDays,
    day: dt.date,
    start: Portfolio,
    decision: Decision,
    config: StrategyConfig,
) -> DayRecord:
    executed, costs = execute_plan(
        start, decision.plan, decision.pool_tokens, decision.tolerance_usd
    )
    apy, supply = market.actual(day)
    quoted = {pool: float(apy.get(pool, 0.0)) for pool in executed.positions}
    earned_apy = (
        diluted_apy(apy, supply, executed.positions).to_dict() if config.apy_dilution else quoted
    )
    end, earned = accrue(executed, earned_apy)
    _, undiluted = accrue(executed, quoted)
    ineligible = 0
    if policy.bound_by_rules:
        eligible = market.eligible.loc[pd.Timestamp(day)]
        ineligible = sum(not bool(eligible.get(pool, False)) for pool in executed.positions)
    return DayRecord(
        policy.name,
        day,
        decision,
        costs,
        dict(executed.positions),
        earned_apy,
        earned,
        undiluted,
        end,
        ineligible,
    )


def decide(
    policy: Policy, market: MarketDays, day: dt.date, book: Portfolio, config: StrategyConfig
) -> tuple[Decision, StrategyConfig]:
    """``policy``'s decision of ``day`` on the market quoted with its own positions."""
    view, day_config = policy.on(day, config)
    seen = quoted_with(market.day(day, view, day_config.holding_days), book.positions)
    return policy.decide(seen, book.holdings(), day_config), day_config


def simulate(
    market: MarketDays,
    settings: Settings,
    policies: Sequence[Policy],
    decided: Mapping[str, Sequence[Decision]] | None = None,
) -> Iterator[list[DayRecord]]:
    """Each trade day's records, in the order of ``policies``.

    ``decided`` holds the day-by-day decisions of some portfolios, made before (by
    :func:`decisions_of`, e.g. in parallel): a portfolio's path depends only on its
    decisions and the market, so replaying them gives the same days.
    """
    decided = decided or {}
    books = {policy.name: settings.opening() for policy in policies}
    for index, stamp in enumerate(pd.date_range(settings.start, settings.end, freq="D")):
        day = stamp.date()
        records = []
        for policy in policies:
            book = books[policy.name]
            if policy.name in decided:
                decision = decided[policy.name][index]
                config = policy.on(day, settings.config)[1]
            else:
                decision, config = decide(policy, market, day, book, settings.config)
            records.append(_record(policy, market, day, book, decision, config))
        books = {record.portfolio: record.end for record in records}
        yield records


def decisions_of(market: MarketDays, settings: Settings, policy: Policy) -> list[Decision]:
    """One portfolio's decisions over the range (its own simulation)."""
    return [records[0].decision for records in simulate(market, settings, [policy])]
