"""Dilution by our own deposit: the exact yield formula and its tangent cuts for the MILP.

The quoted APY already includes our current position c in a pool of supply T (its ``tvl_usd``
in the problem), so the pool pays ``apy · T`` a year to a supply of ``T − c`` without us; a
target position x then earns ``x · apy · T / (T − c + x)``. That is concave in x, so the
program keeps it linear with an epigraph variable y ≤ every tangent (an outer approximation:
y can only overestimate), with no new integer variables; the solver then polishes the
answer, keeping the MILP's binaries, by adding tangents at and around the solution until the
overestimate is negligible. The evaluator scores every
allocation with :func:`diluted_yield_usd`, the same formula, so reported yield is exact.
"""

from __future__ import annotations

from dataclasses import dataclass

import cvxpy as cp
import numpy as np
import scipy.sparse as sparse

# Supply without us is floored here: a forecast TVL below our own position is a forecast
# error, and a zero denominator would turn the formula into a step.
MIN_OTHER_SUPPLY_USD = 1.0
# Tangent points per pool before any refinement, spaced geometrically in T − c + x.
STATIC_TANGENTS = 2
# A refinement round puts this many tangents inside the bracket around each inexact position,
# shrinking its error about this² times.
TANGENTS_PER_ROUND = 6


def other_supply_usd(tvl_usd: float | np.ndarray, current_usd: float | np.ndarray) -> np.ndarray:
    """T − c: the pool's supply without our current position (floored, see above)."""
    return np.maximum(np.asarray(tvl_usd, dtype=float) - current_usd, MIN_OTHER_SUPPLY_USD)


def diluted_yield_usd(
    amount_usd: float, yield_rate: float, tvl_usd: float, current_usd: float
) -> float:
    """Yield of ``amount_usd`` over the horizon: ``x · rate · T / (T − c + x)``.

    ``yield_rate`` is the quoted APY as a fraction of the horizon (apy/100 × days/365).
    """
    if amount_usd <= 0:
        return 0.0
    other = float(other_supply_usd(tvl_usd, current_usd))
    return amount_usd * yield_rate * tvl_usd / (other + amount_usd)


def exact_yields(
    amounts: np.ndarray, rates: np.ndarray, tvl: np.ndarray, other: np.ndarray
) -> np.ndarray:
    """Vectorized :func:`diluted_yield_usd` (any consistent money unit)."""
    amounts = np.maximum(amounts, 0.0)
    return amounts * rates * tvl / (other + amounts)


def tangent(
    points: np.ndarray, rates: np.ndarray, tvl: np.ndarray, other: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Slope and intercept of the tangent of ``x·r·T/(D + x)`` at ``points``.

    The slope is r·T·D/(D + x)² and the intercept r·T·x²/(D + x)², so the tangent at 0 passes
    through the origin: a pool without a position earns nothing. A pool with a non-positive
    rate gets the undiluted line r·x instead (dilution would make it convex, and crediting
    the full loss is the cautious side).
    """
    shifted = other + points
    slope = rates * tvl * other / shifted**2
    intercept = rates * tvl * points**2 / shifted**2
    negative = rates <= 0
    slope = np.where(negative, rates, slope)
    intercept = np.where(negative, 0.0, intercept)
    return slope, intercept


def static_points(caps: np.ndarray, current: np.ndarray, other: np.ndarray) -> list[np.ndarray]:
    """First tangent points per pool: 0, the current position, the cap, and
    ``STATIC_TANGENTS`` points geometric in D + x between 0 and the cap.

    Positions often sit at one of these (a cap binds, or nothing moves), where the cuts are
    then exact; the geometric points bound the error elsewhere before polishing. Few points
    keep the MILP small: polishing makes the answer exact.
    """
    ratios = np.linspace(0, 1, STATIC_TANGENTS + 2)[1:-1]
    geometric = [other * ((other + caps) / other) ** ratio - other for ratio in ratios]
    return [np.zeros_like(caps), np.minimum(current, caps), caps, *geometric]


def static_point_lists(
    caps: np.ndarray, current: np.ndarray, other: np.ndarray
) -> list[np.ndarray]:
    """:func:`static_points` per pool, without repeats (each repeat would be one more row)."""
    stacked = np.column_stack(static_points(caps, current, other))
    return [np.unique(row) for row in stacked]


@dataclass
class DilutionCurve:
    """The diluted yield of each pool of a program (scaled units) and its tangent cuts."""

    rates: np.ndarray
    tvl: np.ndarray
    other: np.ndarray

    def exact(self, allocation: np.ndarray) -> np.ndarray:
        return exact_yields(allocation, self.rates, self.tvl, self.other)

    def cuts(
        self, epigraph: cp.Variable, allocation: cp.Variable, points: list[np.ndarray]
    ) -> cp.Constraint:
        """y_i ≤ slope·a_i + intercept for every tangent point of pool i, one sparse block."""
        pools = np.concatenate([np.full(len(p), i) for i, p in enumerate(points)]).astype(int)
        at = np.concatenate(points)
        slope, intercept = tangent(at, self.rates[pools], self.tvl[pools], self.other[pools])
        rows = np.arange(len(at))
        shape = (len(at), len(points))
        select = sparse.csr_matrix((np.ones(len(at)), (rows, pools)), shape=shape)
        scaled = sparse.csr_matrix((slope, (rows, pools)), shape=shape)
        return select @ epigraph <= scaled @ allocation + intercept


def refined_points(points: np.ndarray, allocation: float) -> np.ndarray:
    """Tangent points of one pool with tangents added around its solution ``allocation``.

    At an optimum the marginal yield lies between the slopes of the two tangents the solution
    sits between, so the exact optimum lies between their points: the new tangents go at the
    solution and evenly inside that bracket (Kelley's cut, plus a finer grid where it matters).
    """
    below = points[points <= allocation].max(initial=0.0)
    above = points[points >= allocation].min(initial=allocation)
    steps = np.arange(1, TANGENTS_PER_ROUND) / TANGENTS_PER_ROUND
    return np.unique(np.concatenate([points, [allocation], below + (above - below) * steps]))
