"""Exposure caps per protocol and chain, and the withdrawable-liquidity cap per pool.

A protocol or chain is a single point of failure: Σ positions over its pools ≤
``protocol_max_pct`` / ``chain_max_pct`` % of AUM, or the analysts' tighter figure for that one
name (``Problem.protocol_caps`` / ``chain_caps``). A position is also capped at
``position_max_pct_available_liquidity`` % of what can be withdrawn from the pool, where that
is known; a pool without a protocol, chain or known liquidity is bound by none of these.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Literal

from python_models.optimization.problem import Pool, Problem

Dimension = Literal["protocol", "chain"]
DIMENSIONS: tuple[Dimension, ...] = ("protocol", "chain")


def member(pool: Pool, dimension: Dimension) -> str | None:
    """The pool's protocol or chain (None: not known, no exposure cap)."""
    return pool.protocol if dimension == "protocol" else pool.chain


def exposure_cap_pct(problem: Problem, dimension: Dimension, name: str) -> float:
    """% of AUM allowed in one protocol / chain: the parameter or the tighter override."""
    params = problem.parameters
    default = params.protocol_max_pct if dimension == "protocol" else params.chain_max_pct
    overrides = problem.protocol_caps if dimension == "protocol" else problem.chain_caps
    return min(default, overrides.get(name, default))


def exposure_cap_usd(problem: Problem, dimension: Dimension, name: str | None) -> float:
    """USD allowed in one protocol / chain (AUM when the pool has none: no cap)."""
    if name is None:
        return problem.aum_usd
    return exposure_cap_pct(problem, dimension, name) / 100 * problem.aum_usd


def binding_names(problem: Problem, dimension: Dimension, pools: list[Pool]) -> list[str]:
    """Names of ``pools`` whose cap is below AUM, i.e. that need a constraint at all."""
    names = {name for pool in pools if (name := member(pool, dimension)) is not None}
    return sorted(name for name in names if exposure_cap_pct(problem, dimension, name) < 100)


def exposure_totals(
    problem: Problem, allocations: Mapping[str, float], dimension: Dimension
) -> dict[str, float]:
    """USD per protocol / chain in ``allocations`` (pools without one are left out)."""
    totals: dict[str, list[float]] = {}
    for pool in problem.pools:
        name = member(pool, dimension)
        amount = allocations.get(pool.pool_id, 0.0)
        if name is not None and amount > 0:
            totals.setdefault(name, []).append(amount)
    return {name: math.fsum(amounts) for name, amounts in sorted(totals.items())}


def exposure_shares_pct(
    problem: Problem, allocations: Mapping[str, float]
) -> dict[Dimension, dict[str, float]]:
    """% of AUM per protocol and per chain, for the run record and the report."""
    aum = max(problem.aum_usd, 1e-9)
    return {
        dimension: {
            name: 100 * usd / aum
            for name, usd in exposure_totals(problem, allocations, dimension).items()
        }
        for dimension in DIMENSIONS
    }


def exposure_caps_pct(
    problem: Problem, shares: Mapping[Dimension, Mapping[str, float]]
) -> dict[Dimension, dict[str, float]]:
    """The cap (% of AUM, override included) of every protocol / chain in ``shares``."""
    return {
        dimension: {name: exposure_cap_pct(problem, dimension, name) for name in names}
        for dimension, names in shares.items()
    }


def liquidity_cap_usd(problem: Problem, pool: Pool) -> float | None:
    """``position_max_pct_available_liquidity`` % of the pool's withdrawable liquidity.

    None when the parameter is off or the pool's liquidity is unknown.
    """
    pct = problem.parameters.position_max_pct_available_liquidity
    if pct is None or pool.available_liquidity_usd is None:
        return None
    return pct / 100 * pool.available_liquidity_usd
