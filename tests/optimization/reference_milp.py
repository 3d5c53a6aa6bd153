"""An independent reference for the optimizer: the same program written directly for
``scipy.optimize.milp``, with a fine piecewise outer approximation of the diluted yield.

Written from docs/product.md, not from ``python_models.optimization.model``: caps are recomputed
here, the tangents are many (``TANGENTS``, geometric in the position) instead of few and
refined, and the answer is scored by the shared evaluator with the exact dilution formula.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

from python_models.optimization.problem import Problem

TANGENTS = 400
SCALED_AUM = 1000.0


def _caps(problem: Problem) -> np.ndarray:
    params = problem.parameters
    aum = problem.aum_usd
    caps = []
    for pool in problem.pools:
        if not pool.eligible:
            caps.append(0.0)
            continue
        limits = [
            params.position_max_pct_pool_tvl / 100 * pool.tvl_usd,
            params.position_max_pct_total_assets / 100 * aum,
            getattr(params, f"group{pool.group}_max_pct") / 100 * aum,
            aum,
        ]
        if (
            params.position_max_pct_available_liquidity is not None
            and pool.available_liquidity_usd is not None
        ):
            limits.append(
                params.position_max_pct_available_liquidity / 100 * pool.available_liquidity_usd
            )
        caps.append(min(limits))
    return np.array(caps)


def _exposure_rows(problem: Problem) -> list[tuple[np.ndarray, float]]:
    """(membership row, USD cap) per group, protocol and chain."""
    params = problem.parameters
    aum = problem.aum_usd
    rows = []
    for group in (1, 2, 3):
        members = np.array([pool.group == group for pool in problem.pools], dtype=float)
        rows.append((members, getattr(params, f"group{group}_max_pct") / 100 * aum))
    for attribute, default, overrides in (
        ("protocol", params.protocol_max_pct, problem.protocol_caps),
        ("chain", params.chain_max_pct, problem.chain_caps),
    ):
        names = {getattr(pool, attribute) for pool in problem.pools} - {None}
        for name in sorted(names):
            members = np.array(
                [getattr(pool, attribute) == name for pool in problem.pools], dtype=float
            )
            rows.append((members, min(default, overrides.get(name, default)) / 100 * aum))
    return rows


def reference_allocation(problem: Problem) -> dict[str, float] | None:
    """The reference optimum (USD per pool), or None when the MILP is infeasible."""
    params = problem.parameters
    pools = problem.pools
    n = len(pools)
    tokens = problem.tokens
    m = len(tokens)
    scale = max(problem.aum_usd, 1.0) / SCALED_AUM
    caps = _caps(problem) / scale
    current = np.array([problem.current(pool.pool_id) for pool in pools]) / scale
    minimum = max(params.min_position_usd, 1.0) / scale
    rates = np.array([pool.apy / 100 * params.payback_days / 365 for pool in pools])
    tvl = np.array([pool.tvl_usd for pool in pools]) / scale
    other = np.maximum(tvl - current, 1.0 / scale)
    rate = params.conversion_rate
    # columns: a (n), y (n), held (n), touched (n), bought (m), sold (m)
    size = 4 * n + 2 * m
    a, y, h, g = (np.arange(k * n, (k + 1) * n) for k in range(4))
    b = np.arange(4 * n, 4 * n + m)
    s = np.arange(4 * n + m, 4 * n + 2 * m)
    rows, lower, upper = [], [], []

    def add(coefficients: dict[int, float], lo: float, hi: float) -> None:
        row = np.zeros(size)
        for column, value in coefficients.items():
            row[column] += value
        rows.append(row)
        lower.append(lo)
        upper.append(hi)

    for i in range(n):
        add({a[i]: 1, h[i]: -caps[i]}, -np.inf, 0)
        add({a[i]: 1, h[i]: -minimum}, 0, np.inf)
        add({a[i]: 1, g[i]: -SCALED_AUM}, -np.inf, current[i])
        add({a[i]: -1, g[i]: -current[i]}, -np.inf, -current[i])
        if params.apy_dilution and rates[i] > 0:
            top = max(caps[i], 1e-9)
            points = np.concatenate([[0.0], np.geomspace(top * 1e-6, top, TANGENTS)])
            shifted = other[i] + points
            slopes = rates[i] * tvl[i] * other[i] / shifted**2
            intercepts = rates[i] * tvl[i] * points**2 / shifted**2
            for slope, intercept in zip(slopes, intercepts, strict=True):
                add({y[i]: 1, a[i]: -slope}, -np.inf, intercept)
        else:
            add({y[i]: 1, a[i]: -rates[i]}, -np.inf, 0)
    start = np.zeros(m)
    for token, usd in problem.holdings.liquidity_portfolio.items():
        start[tokens.index(token)] += usd / scale
    for i, pool in enumerate(pools):
        for token in pool.tokens:
            start[tokens.index(token)] += current[i] / len(pool.tokens)
    for t, token in enumerate(tokens):
        coefficients = {b[t]: -1.0, s[t]: 1.0}
        for i, pool in enumerate(pools):
            if token in pool.tokens:
                coefficients[a[i]] = 1 / len(pool.tokens)
        add(coefficients, -np.inf, start[t])
    add({**{s[t]: 1.0 for t in range(m)}, **{b[t]: -(1 + rate) for t in range(m)}}, 0, 0)
    for members, cap in _exposure_rows(problem):
        add({a[i]: members[i] for i in range(n) if members[i]}, -np.inf, cap / scale)
    add({h[i]: 1.0 for i in range(n)}, params.min_pools, np.inf)

    weight = 1.0 if params.profit_optimization else 1e-6
    objective = np.zeros(size)
    objective[y] = -scale
    objective[g] = weight * np.array([pool.gas_usd for pool in pools])
    objective[b] = weight * rate * scale
    integrality = np.zeros(size)
    integrality[h] = 1
    integrality[g] = 1
    low = np.full(size, 0.0)
    low[y] = -np.inf
    high = np.full(size, np.inf)
    high[a] = caps
    high[h] = 1
    high[g] = 1
    result = milp(
        objective,
        constraints=LinearConstraint(np.array(rows), lower, upper),
        integrality=integrality,
        bounds=Bounds(low, high),
        options={"mip_rel_gap": 1e-9},
    )
    if result.x is None:
        return None
    allocation = {}
    for i, pool in enumerate(pools):
        usd = float(result.x[a[i]]) * scale
        if result.x[h[i]] < 0.5 and usd < minimum * scale / 2:
            usd = 0.0
        if abs(usd - current[i] * scale) <= 0.01:
            usd = current[i] * scale
        if usd > 0:
            allocation[pool.pool_id] = usd
    return allocation
