"""Score any allocation against a problem, independently of the MILP.

The solver's reported figures come from here, and so do the tests' constraint checks and the
baselines (keep the current allocation, greedy fill by APY): one definition of yield (diluted
by the position's own size when ``apy_dilution`` is on), gas, conversion cost and
feasibility, written directly from docs/product.md rather than from the model.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from python_models.optimization.dilution import diluted_yield_usd
from python_models.optimization.exposure import (
    DIMENSIONS,
    TOKEN,
    exposure_cap_usd,
    exposure_totals,
    liquidity_cap_usd,
    member,
    token_cap_usd,
    token_totals,
)
from python_models.optimization.problem import Pool, Problem

# Below this a position is dust even when min_position_usd is 0: a zero position is not "held".
MIN_POSITION_FLOOR_USD = 1.0
# A target within this of the current position is "unchanged": no transaction, no gas.
CHANGE_TOLERANCE_USD = 0.01


def min_position_usd(problem: Problem) -> float:
    """The smallest position that counts as held (``min_position_usd``, at least 1 USD)."""
    return max(problem.parameters.min_position_usd, MIN_POSITION_FLOOR_USD)


def group_cap_usd(problem: Problem, group: int | None) -> float:
    """USD allowed in one risk group: ``group{g}_max_pct`` % of AUM."""
    if group is None:
        return 0.0
    pct = getattr(problem.parameters, f"group{group}_max_pct")
    return pct / 100 * problem.aum_usd


def cap_components(
    problem: Problem, pool: Pool, with_group_caps: bool = True, with_exposure_caps: bool = True
) -> dict[str, float]:
    """Each limit on one pool's position, USD, by the parameter that sets it: its TVL share,
    AUM share, withdrawable-liquidity share (where known), its group's, protocol family's,
    curator's, chain's and tokens' share (where the pool has one)."""
    params = problem.parameters
    aum = problem.aum_usd
    limits = {
        "position_max_pct_pool_tvl": params.position_max_pct_pool_tvl / 100 * pool.tvl_usd,
        "position_max_pct_total_assets": params.position_max_pct_total_assets / 100 * aum,
    }
    liquidity = liquidity_cap_usd(problem, pool)
    if liquidity is not None:
        limits["position_max_pct_available_liquidity"] = liquidity
    if with_group_caps and pool.group is not None:
        limits[f"group{pool.group}_max_pct"] = group_cap_usd(problem, pool.group)
    if with_exposure_caps:
        for dimension in DIMENSIONS:
            if member(pool, dimension) is not None:
                limits[f"{dimension}_max_pct"] = exposure_cap_usd(
                    problem, dimension, member(pool, dimension)
                )
        limits["token_max_pct"] = token_cap_usd(problem, pool)
    return limits


def position_caps(
    problem: Problem, with_group_caps: bool = True, with_exposure_caps: bool = True
) -> dict[str, float]:
    """Largest position per pool: the smallest of its :func:`cap_components` and AUM; 0 if
    ineligible."""

    def cap(pool: Pool) -> float:
        limits = cap_components(problem, pool, with_group_caps, with_exposure_caps)
        return min(problem.aum_usd, *limits.values())

    return {pool.pool_id: cap(pool) if pool.eligible else 0.0 for pool in problem.pools}


def pool_yield_usd(problem: Problem, pool: Pool, amount_usd: float) -> float:
    """Expected yield of ``amount_usd`` in ``pool`` over the horizon, diluted when
    ``apy_dilution`` is on (:mod:`.dilution`), the quoted APY otherwise."""
    rate = pool.apy / 100 * problem.parameters.payback_days / 365
    if not problem.parameters.apy_dilution:
        return amount_usd * rate
    return diluted_yield_usd(amount_usd, rate, pool.tvl_usd, problem.current(pool.pool_id))


def tolerance_usd(problem: Problem) -> float:
    """Slack for rounding in checks: a millionth of AUM (solver tolerances scale with it) + 5 cents."""
    return 1e-6 * max(problem.aum_usd, 1.0) + 0.05


def token_balances(problem: Problem, allocations: dict[str, float]) -> dict[str, float]:
    """Per token, wallet plus withdrawals minus deposits, before any conversion.

    A pool's value splits equally across its tokens, so moving from c to a in a pool with k
    tokens frees (c − a)/k of each (negative: that much of each is needed).
    """
    balances = {token: 0.0 for token in problem.tokens}
    balances.update(problem.holdings.liquidity_portfolio)
    for pool in problem.pools:
        delta = problem.current(pool.pool_id) - allocations.get(pool.pool_id, 0.0)
        for token in pool.tokens:
            balances[token] += delta / len(pool.tokens)
    return balances


@dataclass(frozen=True)
class Conversion:
    """Buy ``amount_usd`` of ``to_token`` with ``amount_usd × (1 + rate)`` of ``from_token``."""

    from_token: str
    to_token: str
    amount_usd: float
    cost_usd: float


def cover_shortfalls(
    balances: dict[str, float], rate: float
) -> tuple[dict[str, float], list[Conversion]]:
    """Convert surplus tokens into short ones, biggest first; return idle tokens and swaps.

    Converting x USD costs ``rate × x``, paid out of the token sold. If the surplus cannot
    cover it the remaining idle of some token stays negative, which :func:`evaluate` reports.
    """
    idle = dict(balances)
    short = sorted((t for t, v in idle.items() if v < 0), key=lambda t: (idle[t], t))
    conversions: list[Conversion] = []
    for target in short:
        for source in sorted(idle, key=lambda t: (-idle[t], t)):
            need = -idle[target]
            if need <= 0 or idle[source] <= 0:
                break
            amount = min(need, idle[source] / (1 + rate))
            idle[source] -= amount * (1 + rate)
            idle[target] += amount
            conversions.append(Conversion(source, target, amount, amount * rate))
    return idle, conversions


@dataclass
class Evaluation:
    """Figures of one allocation and every constraint it breaks (empty when feasible)."""

    allocations: dict[str, float]
    idle: dict[str, float]
    conversions: list[Conversion]
    expected_yield_usd: float
    gas_cost_usd: float
    conversion_cost_usd: float
    objective_usd: float
    violations: list[str] = field(default_factory=list)
    # What the same allocation would earn at the quoted APY: the yield minus it is what
    # dilution by our own deposit gives up.
    undiluted_yield_usd: float = 0.0

    @property
    def dilution_cost_usd(self) -> float:
        return self.undiluted_yield_usd - self.expected_yield_usd

    @property
    def feasible(self) -> bool:
        return not self.violations

    @property
    def expected_profit_usd(self) -> float:
        return self.expected_yield_usd - self.gas_cost_usd - self.conversion_cost_usd


def changed_pools(problem: Problem, allocations: dict[str, float]) -> list[str]:
    """Pools whose position moves (each move is one deposit or withdrawal paying gas)."""
    return [
        pool.pool_id
        for pool in problem.pools
        if abs(allocations.get(pool.pool_id, 0.0) - problem.current(pool.pool_id))
        > CHANGE_TOLERANCE_USD
    ]


def evaluate(problem: Problem, allocations: dict[str, float]) -> Evaluation:
    """Yield, gas, conversion cost, objective and constraint violations of ``allocations``."""
    params = problem.parameters
    horizon = params.payback_days / 365
    pools = {pool.pool_id: pool for pool in problem.pools}
    idle, conversions = cover_shortfalls(
        token_balances(problem, allocations), params.conversion_rate
    )
    known = [
        (pools[pool_id], amount) for pool_id, amount in allocations.items() if pool_id in pools
    ]
    expected_yield = math.fsum(pool_yield_usd(problem, pool, amount) for pool, amount in known)
    undiluted_yield = math.fsum(amount * pool.apy / 100 * horizon for pool, amount in known)
    gas = math.fsum(pools[pool_id].gas_usd for pool_id in changed_pools(problem, allocations))
    conversion_cost = math.fsum(conversion.cost_usd for conversion in conversions)
    objective = (
        expected_yield - gas - conversion_cost if params.profit_optimization else expected_yield
    )
    return Evaluation(
        allocations=dict(allocations),
        idle=idle,
        conversions=conversions,
        expected_yield_usd=expected_yield,
        gas_cost_usd=gas,
        conversion_cost_usd=conversion_cost,
        objective_usd=objective,
        violations=violations(problem, allocations, idle),
        undiluted_yield_usd=undiluted_yield,
    )


def violations(
    problem: Problem, allocations: dict[str, float], idle: dict[str, float]
) -> list[str]:
    """Every constraint of docs/product.md "The optimization" that ``allocations`` breaks."""
    params = problem.parameters
    tol = tolerance_usd(problem)
    aum = problem.aum_usd
    minimum = min_position_usd(problem)
    pools = {pool.pool_id: pool for pool in problem.pools}
    found = [
        f"{pool_id}: not a pool of the problem" for pool_id in allocations if pool_id not in pools
    ]
    group_totals: dict[int | None, float] = {}
    held = 0
    for pool_id, amount in allocations.items():
        pool = pools.get(pool_id)
        if pool is None:
            continue
        group_totals[pool.group] = group_totals.get(pool.group, 0.0) + amount
        if amount < -tol:
            found.append(f"{pool_id}: negative allocation {amount:.2f} USD")
        if amount > tol and not pool.eligible:
            found.append(f"{pool_id}: ineligible pool keeps {amount:.2f} USD")
        tvl_cap = params.position_max_pct_pool_tvl / 100 * pool.tvl_usd
        if amount > tvl_cap + tol:
            found.append(
                f"{pool_id}: {amount:.2f} USD > position_max_pct_pool_tvl cap {tvl_cap:.2f}"
            )
        aum_cap = params.position_max_pct_total_assets / 100 * aum
        if amount > aum_cap + tol:
            found.append(
                f"{pool_id}: {amount:.2f} USD > position_max_pct_total_assets cap {aum_cap:.2f}"
            )
        liquidity_cap = liquidity_cap_usd(problem, pool)
        if liquidity_cap is not None and amount > liquidity_cap + tol:
            found.append(
                f"{pool_id}: {amount:.2f} USD > position_max_pct_available_liquidity cap "
                f"{liquidity_cap:.2f}"
            )
        if tol < amount < minimum - tol:
            found.append(f"{pool_id}: dust position {amount:.2f} USD < min_position_usd {minimum}")
        moved = amount - problem.current(pool_id)
        smallest = min(params.min_move_usd, problem.current(pool_id) if moved < 0 else math.inf)
        if pool.eligible and CHANGE_TOLERANCE_USD < abs(moved) < smallest - tol:
            found.append(
                f"{pool_id}: move of {moved:+.2f} USD < min_move_usd {params.min_move_usd}"
            )
        if amount >= minimum - tol:
            held += 1
    for group, total in group_totals.items():
        cap = group_cap_usd(problem, group)
        if group is not None and total > cap + tol:
            found.append(f"group {group}: {total:.2f} USD > group{group}_max_pct cap {cap:.2f}")
    for dimension in DIMENSIONS:
        for name, total in exposure_totals(problem, allocations, dimension).items():
            cap = exposure_cap_usd(problem, dimension, name)
            if total > cap + tol:
                found.append(
                    f"{dimension} {name}: {total:.2f} USD > {dimension}_max_pct cap {cap:.2f}"
                )
    for token, total in token_totals(problem, allocations, idle).items():
        cap = exposure_cap_usd(problem, TOKEN, token)
        if total > cap + tol:
            found.append(f"token {token}: {total:.2f} USD > token_max_pct cap {cap:.2f}")
    # min_pools asks for positions only where some pool can hold one (else the day is idle)
    holdable = any(cap >= minimum for cap in position_caps(problem).values())
    if held < params.min_pools and holdable:
        found.append(f"{held} positions of >= {minimum} USD < min_pools={params.min_pools}")
    short = {token: value for token, value in idle.items() if value < -tol}
    if short:
        found.append(f"tokens short after every possible conversion: {short}")
    return found


def keep_current_allocation(problem: Problem) -> dict[str, float]:
    """The do-nothing baseline: every position stays where it is."""
    return dict(problem.holdings.current_allocations)


def greedy_allocation(problem: Problem) -> dict[str, float]:
    """The naive baseline: empty everything, then fill pools by descending APY up to their caps.

    The budget is AUM / (1 + conversion_rate), enough to convert every dollar deposited, so
    the result never runs short of tokens; positions below ``min_position_usd`` are skipped.
    """
    caps = position_caps(problem)
    minimum = min_position_usd(problem)
    budget = problem.aum_usd / (1 + problem.parameters.conversion_rate)
    group_left = {group: group_cap_usd(problem, group) for group in (1, 2, 3)}
    exposure_left = {
        (dimension, name): exposure_cap_usd(problem, dimension, name)
        for pool in problem.pools
        for dimension in DIMENSIONS
        if (name := member(pool, dimension)) is not None
    }
    allocation: dict[str, float] = {}
    ranked = sorted(
        (pool for pool in problem.pools if pool.eligible and pool.apy > 0),
        key=lambda pool: (-pool.apy, pool.pool_id),
    )
    for pool in ranked:
        keys = [(d, name) for d in DIMENSIONS if (name := member(pool, d)) is not None]
        amount = min(
            caps[pool.pool_id],
            group_left[pool.group],
            budget,
            *(exposure_left[key] for key in keys),
        )
        if amount >= minimum:
            allocation[pool.pool_id] = amount
            group_left[pool.group] -= amount
            budget -= amount
            for key in keys:
                exposure_left[key] -= amount
    return allocation
