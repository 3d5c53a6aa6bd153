"""A trade day's optimization problem, assembled by the rules of the daily flow's step 13.

``python_models.optimization.daily_inputs.build_problem`` reads one run date's marts; here the
same problem is assembled from a :class:`TradeDay`: the day's eligible pools with their
forecast APY and TVL, risk group, tokens and gas per touch, plus every held pool, marked
ineligible when it no longer passes the filters so the optimizer withdraws it. As in the
flow, an eligible pool without a forecast or a gas cost stops the day
(:class:`StaleInputError`). One deliberate difference: the flow also stops when a held pool is
missing from the day's /pools snapshot (a sign of a bad fetch); in recorded history a pool
without data on the day before is a gap in its own history (some last months), so the
backtest treats it as no longer eligible and withdraws it, instead of freezing the portfolio.
"""

from __future__ import annotations

import math
from typing import Any

from core.config import StrategyConfig
from python_models.backtest.trade_days import TradeDay
from python_models.optimization.daily_inputs import StaleInputError
from python_models.optimization.problem import Holdings, Problem


def _number(value: Any) -> float | None:
    """A finite float, or None for a missing value (NaN, NA, None)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def problem_pools(
    day: TradeDay, held: list[str], apy_source: str = "apy_forecast"
) -> list[dict[str, Any]]:
    """The pools of the day's problem; ``apy_source`` names the APY column the pools carry."""
    pools = day.pools
    chosen = pools[pools["eligible"] | pools.index.isin(held)]
    entries = []
    missing = []
    for pool_id, row in chosen.iterrows():
        apy = _number(row[apy_source])
        tvl = _number(row["tvl_forecast"])
        gas = _number(row["gas_usd"])
        if row["eligible"] and (apy is None or tvl is None or gas is None):
            missing.append(pool_id)
            continue
        entries.append(
            {
                "pool_id": pool_id,
                "apy": apy if apy is not None else _number(row["apy_yesterday"]) or 0.0,
                "tvl_usd": max(tvl if tvl is not None else _number(row["tvl_yesterday"]) or 0, 0),
                "group": None if _number(row["group_id"]) is None else int(row["group_id"]),
                # a symbol may repeat a token (USDC-USDC): the pool holds that token once
                "tokens": list(dict.fromkeys(row["tokens"])) or ["UNKNOWN"],
                "gas_usd": gas or 0.0,
                "eligible": bool(row["eligible"]),
                # the exposure caps group pools by DeFiLlama's project slug and chain
                "protocol": row.get("project") or None,
                "chain": row.get("chain") or None,
            }
        )
    if missing:
        raise StaleInputError(
            f"{len(missing)} eligible pools lack a forecast or a gas cost for {day.day} "
            f"(e.g. {', '.join(missing[:3])})"
        )
    return entries


def day_problem(
    day: TradeDay, config: StrategyConfig, holdings: Holdings, apy_source: str = "apy_forecast"
) -> Problem:
    """The problem of ``day`` for a portfolio holding ``holdings``.

    Raises :class:`StaleInputError` where the daily flow would stop, and pydantic's
    ``ValidationError`` where ``Problem`` refuses the pools (e.g. a symbol repeating a token).
    """
    held = sorted(pool_id for pool_id, usd in holdings.current_allocations.items() if usd > 0)
    pools = problem_pools(day, held, apy_source)
    return Problem.model_validate(
        {"parameters": config, "pools": pools, "holdings": holdings.model_dump()}
    )
