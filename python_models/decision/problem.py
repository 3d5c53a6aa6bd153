"""A day's optimization problem from its market and holdings: one pure function, two callers.

The daily run (step 13) and every optimizer portfolio of the backtest call
:func:`build_problem`; ``tests/decision/test_one_path.py`` runs both on recorded days and
asserts the problems are equal. The problem holds the day's eligible pools and every held
pool (a held pool that is no longer eligible comes marked ineligible, so the optimizer
withdraws it), each with the APY it is fed, the supply its yield is spread over, its risk
group, tokens, protocol family, curator, chain, withdrawable liquidity and the gas of a touch;
the analysts' tighter caps in force; the strategy parameters.
"""

from __future__ import annotations

import math
from typing import Any

from core.config import StrategyConfig
from python_models.decision.market import DayMarket
from python_models.optimization.problem import Holdings, Problem


class StaleInputError(RuntimeError):
    """An input the decision needs is missing for the day; the message says which."""


def _number(value: Any) -> float | None:
    """A finite float, or None for a missing value (NaN, NA, None)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _name(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def problem_pools(
    market: DayMarket, held: list[str], group_haircut_pp: float = 0.0
) -> list[dict[str, Any]]:
    """The pools of the day's problem: eligible or held.

    An eligible pool without a forecast or a gas cost stops the day (:class:`StaleInputError`)
    instead of being decided on made-up numbers; a held pool that is no longer eligible falls
    back to its last actual APY and TVL, since it is only there to be withdrawn.
    ``group_haircut_pp`` is taken off a pool's APY once per risk group above 1.
    """
    pools = market.pools
    unknown = sorted(set(held) - set(pools.index))
    if unknown:
        raise StaleInputError(
            f"held pools missing from the market of {market.decision_date}: {', '.join(unknown)}"
        )
    chosen = pools[pools["eligible"].astype(bool) | pools.index.isin(held)]
    gas = market.gas_usd.reindex(chosen.index)
    entries, missing = [], []
    for pool_id, row in zip(chosen.index, chosen.to_dict("records"), strict=True):
        eligible = bool(row["eligible"])
        apy, tvl, gas_usd = _number(row["apy_pct"]), _number(row["tvl_usd"]), _number(gas[pool_id])
        if eligible and (apy is None or tvl is None or gas_usd is None):
            missing.append(str(pool_id))
            continue
        if apy is None:
            apy = _number(row["apy_last"]) or 0.0
        if tvl is None:
            tvl = _number(row["tvl_last"]) or 0.0
        group = _number(row["group_id"])
        if group is not None:
            # the risk group's haircut: APY volatility as an uncertainty on the forecast
            apy -= group_haircut_pp * (group - 1)
        entries.append(
            {
                "pool_id": str(pool_id),
                "apy": apy,
                # the supply the APY is spread over (dilution, the TVL cap): for a lending
                # market whose tvl_usd is supply - borrows, the TVL scaled up to the supply
                "tvl_usd": max(tvl, 0.0) * (_number(row["supply_per_tvl"]) or 1.0),
                "group": None if group is None else int(group),
                # a symbol may repeat a token (USDC-USDC): the pool holds that token once
                "tokens": list(dict.fromkeys(row["tokens"])) or ["UNKNOWN"],
                "gas_usd": gas_usd or 0.0,
                "eligible": eligible,
                "protocol": _name(row["protocol"]),
                "curator": _name(row["curator"]),
                "chain": _name(row["chain"]),
                # None: unknown, the TVL cap alone applies
                "available_liquidity_usd": _number(row["available_liquidity_usd"]),
            }
        )
    if missing:
        raise StaleInputError(
            f"{len(missing)} eligible pools lack a forecast or a gas cost for "
            f"{market.decision_date} (e.g. {', '.join(missing[:3])})"
        )
    return entries


def build_problem(market: DayMarket, holdings: Holdings, config: StrategyConfig) -> Problem:
    """The problem of ``market``'s day for a treasury holding ``holdings``.

    Raises :class:`StaleInputError` where the day must not be decided, and pydantic's
    ``ValidationError`` where ``Problem`` refuses the pools (e.g. a negative APY beyond range).
    """
    positions = {pool_id: usd for pool_id, usd in holdings.current_allocations.items() if usd > 0}
    return Problem.model_validate(
        {
            "parameters": config,
            "pools": problem_pools(market, sorted(positions), config.group_apy_haircut_pp),
            "holdings": {
                "current_allocations": positions,
                "liquidity_portfolio": dict(holdings.liquidity_portfolio),
            },
            **{f"{dimension}_caps": caps for dimension, caps in market.caps.items() if caps},
        }
    )
