"""The optimizer's answer, shaped like ``result.json`` and like the ``optimization`` tables."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

Status = Literal["optimal", "feasible", "infeasible", "failed"]
Action = Literal["withdraw", "convert", "deposit"]


class PlanStep(BaseModel):
    """One step of the rebalance plan; conversions name tokens, deposits/withdrawals a pool."""

    step_no: int
    action: Action
    pool_id: str | None = None
    token_symbol: str | None = None
    to_token_symbol: str | None = None
    amount_usd: float
    gas_usd: float = 0.0
    cost_usd: float = 0.0


class Position(BaseModel):
    """A pool's target next to its current position (rows of ``daily_allocations``)."""

    pool_id: str
    group: int | None
    apy: float
    allocation_usd: float
    previous_usd: float
    protocol: str | None = None
    curator: str | None = None
    chain: str | None = None
    # position_max_pct_available_liquidity × withdrawable liquidity; None: unknown or off.
    liquidity_cap_usd: float | None = None
    # The position sits at its liquidity cap: what can be withdrawn is what stops it.
    liquidity_bound: bool = False


class Result(BaseModel):
    """Everything one solve decided; ``reason`` explains an infeasible or failed solve."""

    status: Status
    reason: str | None = None
    # Why the whole AUM stays idle on a solved day: the limits that leave no pool room.
    idle_reason: str | None = None
    aum_usd: float = 0.0
    allocations: dict[str, float] = Field(default_factory=dict)
    idle: dict[str, float] = Field(default_factory=dict)
    expected_yield_usd: float = 0.0
    gas_cost_usd: float = 0.0
    conversion_cost_usd: float = 0.0
    expected_profit_usd: float = 0.0
    # Yield the allocation gives up because its own deposits dilute the quoted APY (negative
    # when shrinking a position lifts the APY the rest of it earns).
    dilution_cost_usd: float = 0.0
    # % of AUM per protocol and per chain ({"protocol": {...}, "chain": {...}}).
    exposure_pct: dict[str, dict[str, float]] = Field(default_factory=dict)
    # The cap of each of them, % of AUM (the parameter or the analysts' tighter override).
    exposure_cap_pct: dict[str, dict[str, float]] = Field(default_factory=dict)
    # Eligible pools whose withdrawable liquidity is unknown: the TVL cap alone binds them.
    unknown_liquidity_pools: int = 0
    plan: list[PlanStep] = Field(default_factory=list)
    positions: list[Position] = Field(default_factory=list)
    solve_seconds: float = 0.0
    solver: dict[str, Any] = Field(default_factory=dict)

    @property
    def succeeded(self) -> bool:
        """True when there is an allocation to act on."""
        return self.status in ("optimal", "feasible")

    def to_output(self) -> dict[str, Any]:
        """The ``result.json`` document: allocation fields only when there is an allocation."""
        if self.succeeded:
            return self.model_dump(mode="json", exclude={"reason"})
        return self.model_dump(
            mode="json", include={"status", "reason", "aum_usd", "solve_seconds", "solver"}
        )
