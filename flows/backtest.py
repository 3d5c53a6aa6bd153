"""The backtest flow: build the by-day marts of a range, then run every requested backtest.

The by-day models (``pool_eligibility_by_day`` and what it reads: groups, liquidity, the caps
and lists in force) are built for every decision date of the range in one dbt pass, with the
strategy's thresholds as vars (:func:`backtest_build`, a Prefect flow like the daily run's
stages); with ``replay`` the recorded raw data was loaded first (``yieldopt backtest --replay``:
the replay server is a test double that only the command line imports) and everything the
models read is built too. Unit tests are left out: they pin the default thresholds and a
one-day range, and belong to the project's own builds.

:func:`run_request` then reads the range's market once per build and runs the plain
backtest, the walk-forward, or each point of a ``--sweep`` grid (a point that changes a
threshold dbt reads rebuilds the by-day models).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from prefect import flow

from core import db
from core.config import StrategyConfig
from core.dbt import run_dbt
from python_models.backtest.market import MarketDays, read_market_data
from python_models.backtest.portfolios import default_portfolios
from python_models.backtest.request import BacktestRequest
from python_models.backtest.run import RunOutcome, run_backtest
from python_models.backtest.simulator import DayRecord
from python_models.backtest.sweep import (
    needs_rebuild,
    parse_sweep,
    point_config,
    point_folder,
    sweep_table,
    write_sweep,
)
from python_models.backtest.walk_forward import walk_forward

BY_DAY_MODELS = ("pool_eligibility_by_day", "exposure_caps_in_force")
# What the backtest reads besides the by-day models (histories, gas, the ETH price).
READ_MODELS = ("pool_daily_metrics", "gas_fees_daily", "gas_fees_hourly", "token_prices_daily")


def build_vars(start: dt.date, end: dt.date, config: StrategyConfig) -> dict[str, object]:
    """dbt vars: the strategy's thresholds, run_date = end, by-day range from start."""
    return {
        **config.dbt_vars(),
        "run_date": end.isoformat(),
        "range_start_date": start.isoformat(),
    }


@flow(name="backtest-build", log_prints=False)
def backtest_build(
    start: dt.date, end: dt.date, parameters: dict[str, Any], with_upstream: bool
) -> float:
    """Build the by-day marts for the range (and what they read when ``with_upstream``).

    Runs against the database in the ``PG*`` environment (``db.apply_to_environment``);
    returns dbt's seconds. A failing model or data test raises ``DbtStageError``.
    """
    selection = (
        [f"+{model}" for model in (*BY_DAY_MODELS, *READ_MODELS)]
        if with_upstream
        else [f"+{model}" for model in BY_DAY_MODELS]
    )
    result = run_dbt(
        "build",
        build_vars(start, end, StrategyConfig.model_validate(parameters)),
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


def read_market(
    info: db.PgConnection, request: BacktestRequest, config: StrategyConfig
) -> MarketDays:
    """The range's curated data from the database, as day-by-day panels."""
    with db.connect(info) as conn:
        return MarketDays(read_market_data(conn, request.start, request.end), config.holding_days)


def run_request(
    request: BacktestRequest,
    *,
    on_stage: Callable[[str], None] = lambda message: None,
    on_day: Callable[[list[DayRecord]], None] | None = None,
) -> list[RunOutcome]:
    """Build, read and run what ``request`` asks for; return every run's outcome.

    ``on_stage`` hears each stage (building, reading, simulating candidates), ``on_day``
    each simulated day.
    """
    points = parse_sweep(request.sweep, request.config) if request.sweep else [{}]
    info = db.connection_info()
    db.apply_to_environment(info)
    built: StrategyConfig | None = None
    market: MarketDays | None = None
    outcomes = []
    for point in points:
        config = point_config(request.config, point)
        if market is None or needs_rebuild(built, config):
            on_stage(f"building the by-day pool models for {request.start} → {request.end}")
            backtest_build(
                request.start,
                request.end,
                config.snapshot(),
                with_upstream=request.replay and built is None,
            )
            built = config
            market = read_market(info, request, config)
        settings = request.settings(config)
        folder = point_folder(request.output, point) if point else request.output
        portfolios = default_portfolios()
        if request.walk_forward is None:
            outcome = run_backtest(
                info, market, settings, folder, portfolios, on_day=on_day, sweep_point=point
            )
        else:
            on_stage("walk-forward: simulating every candidate choice …")
            tuned = walk_forward(market, settings, request.walk_forward, portfolios)
            outcome = run_backtest(
                info,
                market,
                settings,
                folder,
                tuned.policies,
                on_day=on_day,
                sweep_point=point,
                scored_from=tuned.scored_from,
                steps=tuned.steps,
                decided=tuned.decided,
            )
        outcomes.append(outcome)
    if request.sweep:
        write_sweep(request.output, sweep_table(points, [o.summary for o in outcomes]))
    return outcomes
