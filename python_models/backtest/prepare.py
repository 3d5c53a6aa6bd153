"""Get the database ready for a range: the by-day models.

With ``--replay`` the command line first loads the recorded data (``flows.backtest_data``:
the replay server is a test double, which domain code does not import). The by-day models
(``int_pool_groups_by_day``, ``int_pool_eligibility_by_day``) are then built for every
information date of the range in one dbt pass, with the strategy's thresholds as
vars; with ``--replay`` everything they read is built first. Unit tests are left out: they
pin the default thresholds and a one-day range, and belong to the project's own builds.
"""

from __future__ import annotations

import datetime as dt

from core.config import StrategyConfig
from core.dbt import run_dbt

BY_DAY_MODELS = ("int_pool_groups_by_day", "int_pool_eligibility_by_day")
# What the backtest reads besides the by-day models (histories, gas, ETH price, gas units, fees).
READ_MODELS = (
    "pool_daily_metrics",
    "gas_fees_daily",
    "gas_fees_hourly",
    "protocol_gas_units",
    "chain_tx_fee_usd",
)


def build_vars(start: dt.date, end: dt.date, config: StrategyConfig) -> dict[str, object]:
    """dbt vars: the strategy's thresholds, run_date = end, by-day range from start − 1."""
    return {
        **config.dbt_vars(),
        "run_date": end.isoformat(),
        "range_start_date": (start - dt.timedelta(days=1)).isoformat(),
    }


def build_pool_days(
    start: dt.date, end: dt.date, config: StrategyConfig, with_upstream: bool
) -> float:
    """Build the by-day models for the range (and what they read when ``with_upstream``).

    Runs against the database in the ``PG*`` environment (``db.apply_to_environment``);
    returns dbt's seconds. A failing model or data test raises ``DbtStageError``.
    """
    selection = (
        [f"+{model}" for model in (*BY_DAY_MODELS, *READ_MODELS)]
        if with_upstream
        else list(BY_DAY_MODELS)
    )
    result = run_dbt(
        "build",
        build_vars(start, end, config),
        "--select",
        *selection,
        "--exclude",
        "test_type:unit",
        "source:forecasts",
        # tests that also read models outside the selection (pool_eligibility) are left out
        "--indirect-selection",
        "cautious",
        "--quiet",
    )
    return result.seconds
