"""Dilution by our own deposit: the exact yield formula and its tangent cuts for the MILP.

The quoted APY already includes our current position c in a pool of supply T (its ``tvl_usd``
in the problem), so the pool pays ``apy · T`` a year to a supply of ``T − c`` without us; a
target position x then earns ``x · apy · T / (T − c + x)``. That is concave in x, so the
program keeps it linear with an epigraph variable y ≤ every tangent (an outer approximation:
y can only overestimate), with no new integer variables. The solver adds error-bounded grids
of tangents (:func:`error_grid`) around the positions of its answer where they overestimate
and re-solves, until the overestimate, and so the gap to the exact problem, is negligible.
The evaluator scores every allocation with :func:`diluted_yield_usd`, the same formula, so
reported yield is exact.
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
# A refinement's error grid stops at this many points per pool (a very tight tolerance on a
# wide bracket would otherwise make thousands of rows). A benchmark pool capped at 15 M USD
# needs more than 200 at its tolerance; cut short, its grid misses the solution and costs a
# MILP re-solve.
MAX_GRID_POINTS = 400


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
        self,
        epigraph: cp.Variable,
        allocation: cp.Variable,
        held: cp.Variable | np.ndarray,
        points: list[np.ndarray],
    ) -> cp.Constraint:
        """y_i ≤ slope·a_i + intercept·held_i for every tangent point of pool i, one sparse
        block.

        Scaling the intercept by the binary ``held`` (the perspective of the tangent) changes
        nothing for an integer answer (a pool not held has a = 0 and earns 0), but a
        fractionally held pool in the LP relaxation no longer gets the whole intercept: the
        relaxation is the convex hull of each pool's yield, which is what lets HiGHS close the
        gap of an accurate outer approximation at the root instead of branching.
        """
        pools = np.concatenate([np.full(len(p), i) for i, p in enumerate(points)]).astype(int)
        at = np.concatenate(points)
        slope, intercept = tangent(at, self.rates[pools], self.tvl[pools], self.other[pools])
        rows = np.arange(len(at))
        shape = (len(at), len(points))
        select = sparse.csr_matrix((np.ones(len(at)), (rows, pools)), shape=shape)
        scaled = sparse.csr_matrix((slope, (rows, pools)), shape=shape)
        offsets = sparse.csr_matrix((intercept, (rows, pools)), shape=shape)
        return select @ epigraph <= scaled @ allocation + offsets @ held

    def refine(
        self,
        points: list[np.ndarray],
        allocation: np.ndarray,
        excess: np.ndarray,
        tolerance: float,
        index: np.ndarray | None = None,
    ) -> list[np.ndarray]:
        """``points`` with :func:`refined_points` for every pool whose ``excess`` (its
        overestimate at ``allocation``) is positive; ``index`` maps the lists to this curve's
        pools when they cover a subset."""
        pools = np.arange(len(points)) if index is None else index
        return [
            refined_points(p, a, (self.rates[i], self.tvl[i], self.other[i]), tolerance)
            if e > 0
            else p
            for p, a, e, i in zip(points, allocation, excess, pools, strict=True)
        ]


def error_grid(
    rate: float, tvl: float, other: float, start: float, stop: float, tolerance: float
) -> np.ndarray:
    """Tangent points from ``start`` to ``stop`` whose neighbours overestimate by at most
    ``tolerance`` (at most ``MAX_GRID_POINTS``), the fewest for that error.

    With s = D + x the curve is r·T·(1 − D/s); the tangents at s = a and s = b meet at their
    harmonic mean, where they overestimate by exactly r·T·D·(b − a)² / (2ab(a + b)). Each
    step solves that = tolerance for q = b/a: (1 − κ)q² − (2 + κ)q + 1 = 0 with
    κ = 2a·tolerance/(r·T·D) (κ ≥ 1: no gap from here on can exceed the tolerance). Steps
    are long where the curve bends little (x ≪ T, or large s). A non-positive rate has no
    dilution (a straight line).
    """
    points = [start, stop]
    if rate <= 0 or tolerance <= 0:
        return np.array(points)
    low, high = other + start, other + stop
    while len(points) < MAX_GRID_POINTS:
        kappa = 2 * low * tolerance / (rate * tvl * other)
        if kappa >= 1:
            break
        ratio = (2 + kappa + np.sqrt(kappa * kappa + 8 * kappa)) / (2 * (1 - kappa))
        low *= ratio
        if low >= high:
            break
        points.append(low - other)
    return np.unique(points)


def refined_points(
    points: np.ndarray, allocation: float, curve: tuple[float, float, float], tolerance: float
) -> np.ndarray:
    """Tangent points of one pool (``curve`` = its rate, T, D) with an error grid added
    around its solution ``allocation``.

    At an optimum the marginal yield lies between the slopes of the two tangents the solution
    sits between, so the exact optimum of this pool alone lies between their points; but the
    refined curve also moves the shadow prices, and with them the position, often past one of
    those points. So the grid, whose every kink overestimates by at most ``tolerance``
    (:func:`error_grid`), spans one tangent point further on each side: the next solve then
    lands within tolerance unless the position moves further.
    """
    lower = np.sort(points[points <= allocation])[::-1]
    upper = np.sort(points[points >= allocation])
    below = lower[min(1, len(lower) - 1)] if len(lower) else 0.0
    above = upper[min(1, len(upper) - 1)] if len(upper) else allocation
    grid = error_grid(*curve, below, above, tolerance)
    return np.unique(np.concatenate([points, [allocation], grid]))
