"""A simulated treasury: positions per pool, idle tokens, and the gas it has paid.

Accounting is in USD, as the optimizer's: a position grows by its pool's actual APY, idle
tokens earn nothing, and token prices are not marked to market. A rebalance plan is executed
step by step, exactly as written: a withdrawal returns its amount split equally across the
pool's tokens, a conversion spends ``amount + cost`` of one token for ``amount`` of another,
a deposit consumes its amount equally from the pool's tokens. Gas is paid in ETH from the
treasury's gas wallet, outside the invested assets, and charged to the NAV:
NAV = positions + idle tokens − gas paid so far.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from python_models.optimization.problem import Holdings
from python_models.optimization.result import PlanStep

DAYS_PER_YEAR = 365
# A position or idle balance this small after a full withdrawal is float residue.
DUST_USD = 1e-6


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


def accrue(portfolio: Portfolio, apy_pct: Mapping[str, float]) -> tuple[Portfolio, float]:
    """One day of yield: each position grows by its pool's APY compounded daily."""
    if not portfolio.positions:
        return portfolio, 0.0
    pools = list(portfolio.positions)
    before = np.array([portfolio.positions[pool] for pool in pools])
    rates = np.array([apy_pct.get(pool, 0.0) for pool in pools], dtype=float)
    after = before * (1 + rates / 100) ** (1 / DAYS_PER_YEAR)
    grown = Portfolio(
        dict(zip(pools, after.tolist(), strict=True)), portfolio.idle, portfolio.gas_paid_usd
    )
    return grown, float(after.sum() - before.sum())
