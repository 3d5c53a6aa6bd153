"""The portfolios of a backtest: the strategy, the baselines and the yardsticks, by name.

Every portfolio is a policy of :mod:`python_models.decision.policies` (the strategy is the
daily run's own :data:`~python_models.decision.policies.STRATEGY`); they start from the same
capital and are paid and credited by the same simulator. Three kinds, reported apart:

- the **strategy**;
- **baselines** bound by the same rules (``hold_rules``, ``optimizer_persistence``,
  ``optimizer_mean30d``, ``equal_weight``, ``best_yesterday``), ranked against it, and two
  references: ``buy_and_hold`` (the strategy's first plan, never traded, ignores the rules)
  and the ``oracle`` (the optimizer fed the actual future APY: the upper bound);
- **yardsticks**, what a treasury would do instead (:mod:`python_models.decision.yardsticks`):
  not bound by the rules, not ranked with the baselines, reported first.
"""

from __future__ import annotations

from python_models.decision.policies import (
    MEAN30D,
    ORACLE,
    PERSISTENCE,
    STRATEGY,
    Benchmark,
    BestYesterday,
    BuyAndHold,
    EqualWeight,
    HoldRules,
    Optimizer,
    Policy,
    SinglePool,
)
from python_models.decision.yardsticks import (
    AAVE_V3_USDC,
    BENCHMARK_TOP5,
    CURATED_VAULT,
    SINGLE_POOLS,
    YARDSTICKS,
)

STRATEGY_NAME = STRATEGY.name
HOLD_RULES = "hold_rules"
OPTIMIZER_PERSISTENCE = "optimizer_persistence"
OPTIMIZER_MEAN30D = "optimizer_mean30d"
EQUAL_WEIGHT = "equal_weight"
BEST_YESTERDAY = "best_yesterday"
BUY_AND_HOLD = "buy_and_hold"
ORACLE_NAME = "oracle"
# The baselines bound by the same rules as the strategy, ranked against it.
RULE_OBEYING = (HOLD_RULES, OPTIMIZER_PERSISTENCE, OPTIMIZER_MEAN30D, EQUAL_WEIGHT, BEST_YESTERDAY)
BASELINES = (*RULE_OBEYING, BUY_AND_HOLD, ORACLE_NAME)
REFERENCES = YARDSTICKS
PORTFOLIOS = (STRATEGY_NAME, *REFERENCES, *BASELINES)


def default_portfolios() -> tuple[Policy, ...]:
    """Every portfolio of a plain backtest, in report order (strategy, yardsticks, baselines).

    The strategy comes first: ``buy_and_hold`` copies its first plan on the same day.
    """
    return (
        STRATEGY,
        SinglePool(AAVE_V3_USDC, key=SINGLE_POOLS[AAVE_V3_USDC]),
        Benchmark(BENCHMARK_TOP5),
        SinglePool(CURATED_VAULT, key=SINGLE_POOLS[CURATED_VAULT]),
        HoldRules(HOLD_RULES, PERSISTENCE),
        Optimizer(OPTIMIZER_PERSISTENCE, PERSISTENCE),
        Optimizer(OPTIMIZER_MEAN30D, MEAN30D),
        EqualWeight(EQUAL_WEIGHT),
        BestYesterday(BEST_YESTERDAY, PERSISTENCE),
        BuyAndHold(BUY_AND_HOLD),
        Optimizer(ORACLE_NAME, ORACLE),
    )


def named(name: str) -> Policy:
    """The default policy of the portfolio ``name``."""
    return next(policy for policy in default_portfolios() if policy.name == name)
