"""Step 13: the gas- and conversion-aware allocation optimizer (plain Python, no Prefect).

:func:`solve` turns a validated :class:`Problem` (pools with forecast APY/TVL, groups, gas per
touch, holdings, strategy parameters) into a :class:`Result`: the target allocation, idle
tokens, costs and the ordered rebalance plan, or a readable reason why no allocation meets
the limits. :mod:`.runs` records a run in the ``optimization`` schema; :mod:`.cli` is the
file interface behind ``yieldopt optimize``.
"""

from python_models.optimization.problem import (
    Holdings,
    Pool,
    Problem,
    ProblemError,
    load_problem,
    parse_problem,
)
from python_models.optimization.result import PlanStep, Position, Result
from python_models.optimization.solver import solve

__all__ = [
    "Holdings",
    "PlanStep",
    "Pool",
    "Position",
    "Problem",
    "ProblemError",
    "Result",
    "load_problem",
    "parse_problem",
    "solve",
]
