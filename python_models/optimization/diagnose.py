"""Say which constraints conflict when no allocation exists, in words and numbers.

Idle tokens are always allowed, caps only bound positions from above and positions in
ineligible pools can always be withdrawn, so the only way to be infeasible is ``min_pools``
positions of at least ``min_position_usd`` that do not fit. The cheap necessary conditions
are checked before solving (no solver needed for the common mistakes); when they pass and the
solver still finds nothing, diagnostic variants of the program tell how many positions fit and
which constraint family — group caps, protocol/chain exposure caps or conversion costs — takes
the rest.
"""

from __future__ import annotations

import math
from collections import Counter

import cvxpy as cp

from python_models.optimization.evaluate import (
    cap_components,
    group_cap_usd,
    min_position_usd,
    position_caps,
)
from python_models.optimization.exposure import (
    DIMENSIONS,
    binding_names,
    exposure_cap_pct,
    exposure_cap_usd,
    member,
)
from python_models.optimization.model import build_model, candidate_pools
from python_models.optimization.problem import Pool, Problem

_SHOWN_POOLS = 5


def _usd(value: float) -> str:
    return f"{value:,.0f} USD" if abs(value) >= 100 else f"{value:,.2f} USD"


def nothing_investable(problem: Problem) -> str | None:
    """Why no pool can hold a position of ``min_position_usd`` (the day is then all idle, not
    infeasible), naming the limits that leave each eligible pool no room; None when some pool
    can."""
    minimum = min_position_usd(problem)
    eligible = [pool for pool in problem.pools if pool.eligible]
    if not eligible:
        return "no pool is eligible"
    binding: Counter[str] = Counter()
    for pool in eligible:
        limits = cap_components(problem, pool)
        if min(problem.aum_usd, *limits.values()) >= minimum:
            return None
        binding.update(name for name, usd in limits.items() if usd < minimum)
    shown = ", ".join(
        f"{name}={getattr(problem.parameters, name)}"
        f"{'' if name == 'min_pools' else '%'} ({count} pools)"
        for name, count in binding.most_common()
    )
    return (
        f"nothing can be invested: every one of the {len(eligible)} eligible pools is capped "
        f"below min_position_usd={problem.parameters.min_position_usd} by {shown}"
    )


def necessary_conditions(problem: Problem) -> list[str]:
    """Conflicts visible without solving; an empty list means "no obvious conflict"."""
    params = problem.parameters
    need = params.min_pools
    if need == 0:
        return []
    minimum = min_position_usd(problem)
    aum = problem.aum_usd
    wanted = f"min_pools={need} needs {need} positions of >= {_usd(minimum)}"
    eligible = [pool for pool in problem.pools if pool.eligible]
    if len(eligible) < need:
        return [f"{wanted} but only {len(eligible)} eligible pools"]
    if need * minimum > aum:
        return [
            f"{wanted} ({_usd(need * minimum)} in all) but AUM is {_usd(aum)} "
            f"(min_position_usd={params.min_position_usd})"
        ]
    caps = position_caps(problem)
    candidates = candidate_pools(problem)
    if len(candidates) < need:
        too_small = sorted(
            (pool for pool in eligible if caps[pool.pool_id] < minimum),
            key=lambda pool: caps[pool.pool_id],
        )
        examples = ", ".join(
            f"{pool.pool_id} cap {_usd(caps[pool.pool_id])} (TVL {_usd(pool.tvl_usd)}, group {pool.group})"
            for pool in too_small[:_SHOWN_POOLS]
        )
        return [
            f"{wanted} but only {len(candidates)} of the {len(eligible)} eligible pools can hold "
            f"that much: each position is capped at position_max_pct_pool_tvl="
            f"{params.position_max_pct_pool_tvl}% of the pool's TVL, position_max_pct_total_assets="
            f"{params.position_max_pct_total_assets}% of AUM {_usd(aum)}, "
            f"position_max_pct_available_liquidity={params.position_max_pct_available_liquidity}% "
            "of its withdrawable liquidity where known, and its group's, protocol's and chain's "
            f"share; too small: {examples}"
        ]
    per_group = Counter(pool.group for pool in candidates)
    fits = {
        group: min(count, math.floor(group_cap_usd(problem, group) / minimum + 1e-9))
        for group, count in sorted(per_group.items())
    }
    if sum(fits.values()) < need:
        detail = "; ".join(
            f"group{group}_max_pct={getattr(params, f'group{group}_max_pct')}% of AUM = "
            f"{_usd(group_cap_usd(problem, group))} fits {fits[group]} of its {per_group[group]} pools"
            for group in fits
        )
        return [
            f"{wanted} but the group caps allow at most {sum(fits.values())} such positions "
            f"({detail})"
        ]
    return _exposure_conflicts(problem, candidates, wanted)


def _exposure_conflicts(problem: Problem, candidates: list[Pool], wanted: str) -> list[str]:
    """Like the group test: each protocol (chain) fits floor(cap / min_position) positions."""
    need = problem.parameters.min_pools
    minimum = min_position_usd(problem)
    for dimension in DIMENSIONS:
        capped = binding_names(problem, dimension, candidates)
        free = sum(member(pool, dimension) not in capped for pool in candidates)
        fits = {
            name: min(
                sum(member(pool, dimension) == name for pool in candidates),
                math.floor(exposure_cap_usd(problem, dimension, name) / minimum + 1e-9),
            )
            for name in capped
        }
        if free + sum(fits.values()) < need:
            detail = "; ".join(
                f"{name} at {exposure_cap_pct(problem, dimension, name)}% of AUM fits {count}"
                for name, count in fits.items()
            )
            return [
                f"{wanted} but the {dimension} caps ({dimension}_max_pct="
                f"{getattr(problem.parameters, f'{dimension}_max_pct')}% and the per-{dimension} "
                f"overrides) allow at most {free + sum(fits.values())} such positions ({detail}; "
                f"{free} pools without a capped {dimension})"
            ]
    return []


def _max_positions(problem: Problem, **relax: bool) -> int | None:
    model = build_model(problem, count_positions=True, **relax)
    if not model.candidates:
        return 0
    try:
        model.program.solve(solver=cp.HIGHS, time_limit=30.0, output_flag=False)
    except cp.SolverError:
        return None
    if model.held.value is None:
        return None
    return round(float(model.held.value.sum()))


def explain_infeasible(problem: Problem) -> str:
    """The reason for an infeasible solve: a necessary condition, or the diagnostic variants."""
    found = necessary_conditions(problem)
    if found:
        return "; ".join(found)
    params = problem.parameters
    minimum = min_position_usd(problem)
    need = params.min_pools
    fits = _max_positions(problem)
    head = f"min_pools={need} needs {need} positions of >= {_usd(minimum)}"
    if fits is None:
        return f"{head}; no allocation satisfies the caps together (diagnosis could not solve)"
    causes = []
    if (_max_positions(problem, relax_group_caps=True) or 0) >= need:
        causes.append(
            "the group caps ("
            + ", ".join(
                f"group{g}_max_pct={getattr(params, f'group{g}_max_pct')}%" for g in (1, 2, 3)
            )
            + " of AUM) — without them it would fit"
        )
    if (_max_positions(problem, relax_exposure_caps=True) or 0) >= need:
        causes.append(
            f"the exposure caps (protocol_max_pct={params.protocol_max_pct}%, chain_max_pct="
            f"{params.chain_max_pct}% of AUM and the per-protocol/chain overrides) — without "
            "them it would fit"
        )
    if params.conversion_rate > 0 and (_max_positions(problem, free_conversions=True) or 0) >= need:
        causes.append(
            f"conversion costs (conversion_rate={params.conversion_rate}: converting the wallet's "
            "tokens into the pools' tokens leaves too little) — without them it would fit"
        )
    blame = (
        "; conflicting: " + " and ".join(causes)
        if causes
        else (
            "; the per-pool caps, group caps, exposure caps, AUM and conversion costs together "
            "leave no room"
        )
    )
    return (
        f"{head} but at most {fits} fit within AUM {_usd(problem.aum_usd)} "
        f"after conversions, the position caps, the group caps and the exposure caps{blame}"
    )
