"""Get the database ready for a range: recorded data (``--replay``) and the by-day models.

``--replay`` loads what the daily flow's fetch steps would load on the last day of the range,
through the same ingestion code against the replay server of ``recordings/``, with one
difference: the /chart history of *every* recorded pool, not only of the pools eligible on the
last day (choosing the universe by the last day's filters would pick pools by their future).

The by-day models (``int_pool_groups_by_day``, ``int_pool_eligibility_by_day``) are then built
for every information date of the range in one dbt pass, with the strategy's thresholds as
vars; with ``--replay`` everything they read is built first. Unit tests are left out: they
pin the default thresholds and a one-day range, and belong to the project's own builds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from core import db
from core.config import StrategyConfig
from core.dbt import run_dbt
from core.paths import RECORDINGS_DIR
from ingestion import pipeline
from replay import ReplayServer, replay_environment

BY_DAY_MODELS = ("int_pool_groups_by_day", "int_pool_eligibility_by_day")
# What the backtest reads besides the by-day models (gas, ETH price, gas units, chain fees).
READ_MODELS = ("gas_fees_daily", "gas_fees_hourly", "protocol_gas_units", "chain_tx_fee_usd")


def recorded_chart_pools() -> list[str]:
    """Every pool with a recorded /chart history (the file names are the pool ids)."""
    return sorted(
        path.name.split(".")[0] for path in (RECORDINGS_DIR / "defillama" / "chart").glob("*.json*")
    )


def load_recordings(
    info: db.PgConnection, as_of: dt.date, chart_pools: Sequence[str] | None = None
) -> dict[str, int]:
    """Steps 1–4 and 9 against the recorded responses as of ``as_of``; rows per raw table.

    ``chart_pools`` narrows the histories loaded (default: every recorded pool).
    """
    pools = recorded_chart_pools() if chart_pools is None else list(chart_pools)
    rows: dict[str, int] = {}
    with ReplayServer(RECORDINGS_DIR, as_of=as_of) as server, replay_environment(server):
        for load in (
            pipeline.load_pools,
            pipeline.load_prices,
            pipeline.load_gas,
            pipeline.load_wallets,
        ):
            rows.update(load(as_of, info).rows)
        rows.update(pipeline.load_pool_history(as_of, info, pools).rows)
    return rows


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
