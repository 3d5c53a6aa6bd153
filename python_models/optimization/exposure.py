"""Exposure caps, each named by the loss it bounds, and the withdrawable-liquidity cap per pool.

- **protocol family** (an exploit or governance failure hits every market of one codebase:
  aave-v2 and aave-v3 are one family): Σ positions over its pools ≤ ``protocol_max_pct`` %
  of AUM;
- **curator** (a curator who lists a bad market or oracle loses in every vault it runs):
  Σ positions over its vaults ≤ ``curator_max_pct`` %;
- **chain** (a halted chain or a bridge failure): ≤ ``chain_max_pct`` %;
- **token** (a depeg: idle tokens carry it too): each pool's USD split equally over its
  tokens, plus the idle tokens, ≤ ``token_max_pct`` % per underlying token;
- **exit liquidity**: a position ≤ ``position_max_pct_available_liquidity`` % of what can be
  withdrawn from the pool, where that is known (and ≤ ``position_max_pct_pool_tvl`` % of its
  TVL, in :mod:`.evaluate`).

For each name the analysts' tighter figure applies where the seed ``exposure_caps`` sets one
(``Problem.protocol_caps`` / ``curator_caps`` / ``chain_caps`` / ``token_caps``). A pool
without a family, curator or chain is bound by none of those caps.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Literal

from python_models.optimization.problem import Pool, Problem

Dimension = Literal["protocol", "curator", "chain"]
DIMENSIONS: tuple[Dimension, ...] = ("protocol", "curator", "chain")
TOKEN = "token"
# What each cap guards against, for the report and the reasons.
LOSS_BOUNDED = {
    "protocol": "protocol exploit",
    "curator": "a curator's bad market",
    "chain": "chain or bridge failure",
    "token": "depeg of the underlying token",
    "liquidity": "withdrawals locked by full utilization",
    "pool_tvl": "exit: a position too large for the pool",
}


def member(pool: Pool, dimension: Dimension) -> str | None:
    """The pool's protocol family, curator or chain (None: not known, no cap)."""
    return getattr(pool, dimension)


def _overrides(problem: Problem, dimension: str) -> Mapping[str, float]:
    return getattr(problem, f"{dimension}_caps")


def exposure_cap_pct(problem: Problem, dimension: str, name: str) -> float:
    """% of AUM allowed in one family / curator / chain / token: the parameter or the tighter
    override."""
    default = getattr(problem.parameters, f"{dimension}_max_pct")
    return min(default, _overrides(problem, dimension).get(name, default))


def exposure_cap_usd(problem: Problem, dimension: str, name: str | None) -> float:
    """USD allowed in one family / curator / chain / token (AUM when the pool has none)."""
    if name is None:
        return problem.aum_usd
    return exposure_cap_pct(problem, dimension, name) / 100 * problem.aum_usd


def binding_names(problem: Problem, dimension: Dimension, pools: list[Pool]) -> list[str]:
    """Names of ``pools`` whose cap is below AUM, i.e. that need a constraint at all."""
    names = {name for pool in pools if (name := member(pool, dimension)) is not None}
    return sorted(name for name in names if exposure_cap_pct(problem, dimension, name) < 100)


def binding_tokens(problem: Problem) -> list[str]:
    """Tokens whose cap is below AUM."""
    return [token for token in problem.tokens if exposure_cap_pct(problem, TOKEN, token) < 100]


def token_cap_usd(problem: Problem, pool: Pool) -> float:
    """The largest position the token caps alone allow in ``pool`` (its USD splits equally
    over its tokens, so a k-token pool may hold k × the tightest of its tokens' caps)."""
    return len(pool.tokens) * min(exposure_cap_usd(problem, TOKEN, t) for t in pool.tokens)


def exposure_totals(
    problem: Problem, allocations: Mapping[str, float], dimension: Dimension
) -> dict[str, float]:
    """USD per family / curator / chain in ``allocations`` (pools without one left out)."""
    totals: dict[str, list[float]] = {}
    for pool in problem.pools:
        name = member(pool, dimension)
        amount = allocations.get(pool.pool_id, 0.0)
        if name is not None and amount > 0:
            totals.setdefault(name, []).append(amount)
    return {name: math.fsum(amounts) for name, amounts in sorted(totals.items())}


def token_totals(
    problem: Problem, allocations: Mapping[str, float], idle: Mapping[str, float]
) -> dict[str, float]:
    """USD exposed to each token: every position split over its tokens, plus idle tokens."""
    totals = {token: max(usd, 0.0) for token, usd in idle.items() if usd > 0}
    for pool in problem.pools:
        amount = allocations.get(pool.pool_id, 0.0)
        for token in pool.tokens if amount > 0 else ():
            totals[token] = totals.get(token, 0.0) + amount / len(pool.tokens)
    return dict(sorted(totals.items()))


def exposure_shares_pct(
    problem: Problem, allocations: Mapping[str, float], idle: Mapping[str, float] | None = None
) -> dict[str, dict[str, float]]:
    """% of AUM per protocol family, curator and chain (and token when ``idle`` is given), for
    the run record and the report."""
    aum = max(problem.aum_usd, 1e-9)
    shares: dict[str, dict[str, float]] = {
        dimension: {
            name: 100 * usd / aum
            for name, usd in exposure_totals(problem, allocations, dimension).items()
        }
        for dimension in DIMENSIONS
    }
    if idle is not None:
        shares[TOKEN] = {
            token: 100 * usd / aum
            for token, usd in token_totals(problem, allocations, idle).items()
        }
    return shares


def exposure_caps_pct(
    problem: Problem, shares: Mapping[str, Mapping[str, float]]
) -> dict[str, dict[str, float]]:
    """The cap (% of AUM, override included) of every name in ``shares``."""
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
