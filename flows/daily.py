"""The daily flow: the 15 steps of PRODUCT.md, in order, as Prefect tasks.

The flow is thin: each step calls a plain function from ``ingestion/``, ``python_models/`` or
runs a named dbt stage. Every step's outcome (rows, seconds, error) lands in the run record
(``ops.step_runs``); the first failing step stops the day with its reason, so nothing
downstream ever decides on stale or partial data.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.objects import State
from prefect.states import Failed
from rich.console import Console

from core import db
from core.config import ConfigError, StrategyConfig, load_config
from core.dbt import DbtStageResult, run_dbt
from core.paths import RECORDINGS_DIR
from flows import run_record
from flows.summary import print_allocation, print_table_summary

console = Console(stderr=True)
logger = logging.getLogger(__name__)

# Transient failures (network, rate limits) are retried by the HTTP clients themselves and
# once more here with a pause; logic errors fail at once because retrying cannot fix them.
TRANSIENT_RETRIES = 2
TRANSIENT_DELAY_SECONDS = [5, 30]
TRANSIENT_MARKERS = ("timed out", "timeout", "HTTP 5", "HTTP 429", "Connection", "connection")


def is_transient(task: Any, task_run: Any, state: Any) -> bool:
    """Retry a fetch only when the API was down or slow, never on bad data or a bug."""
    try:
        state.result()
    except Exception as error:
        return any(marker in str(error) for marker in TRANSIENT_MARKERS)
    return False


def fetch_task(name: str) -> Callable[[Callable[..., Any]], Any]:
    """A Prefect task for an API fetch: retried with backoff on transient failures only."""
    return task(
        name=name,
        cache_policy=NO_CACHE,
        retries=TRANSIENT_RETRIES,
        retry_delay_seconds=TRANSIENT_DELAY_SECONDS,
        retry_condition_fn=is_transient,
    )


# The gas APIs must have answered for the day before the run date (Etherscan's daily average
# for a day appears once it has ended) or the run stops instead of pricing gas on old data.
GAS_MAX_AGE_DAYS = 1

# DeFiLlama refreshes its yields around 01:00 UTC; run after it has settled.
DAILY_CRON = "30 2 * * *"


@dataclass(frozen=True)
class DayContext:
    """Everything a step needs to know about the day it runs for."""

    run_date: dt.date
    config: StrategyConfig
    info: db.PgConnection

    @property
    def dbt_vars(self) -> dict[str, Any]:
        return {"run_date": self.run_date.isoformat(), **self.config.dbt_vars()}


class StepFailed(RuntimeError):
    """A step failed; carries the step's name for the run record and the alert."""

    def __init__(self, step: str, reason: str) -> None:
        super().__init__(f"step {step} failed: {reason}")
        self.step = step
        self.reason = reason


# --- steps -----------------------------------------------------------------------------


@fetch_task("1 fetch pools")
def fetch_pools(ctx: DayContext) -> dict[str, int]:
    from ingestion.pipeline import load_pools

    return load_pools(ctx.run_date, ctx.info).rows


@fetch_task("2 fetch ohlcv")
def fetch_ohlcv(ctx: DayContext) -> dict[str, int]:
    from ingestion.pipeline import load_prices

    return load_prices(ctx.run_date, ctx.info).rows


@fetch_task("3 fetch gas")
def fetch_gas(ctx: DayContext) -> dict[str, int]:
    """Load gas history; refuse to go on when the APIs had nothing since the day before."""
    from ingestion.pipeline import latest_gas_day, load_gas

    rows = load_gas(ctx.run_date, ctx.info).rows
    needed = ctx.run_date - dt.timedelta(days=GAS_MAX_AGE_DAYS)
    latest = latest_gas_day(ctx.info)
    if latest is None or latest < needed:
        raise StepFailed(
            "3 fetch gas",
            f"gas data is stale: the latest observation is {latest or 'missing'}, the run for "
            f"{ctx.run_date} needs {needed} or later; refusing to allocate on old gas prices",
        )
    return rows


@fetch_task("4 fetch wallet")
def fetch_wallet(ctx: DayContext) -> dict[str, int]:
    from ingestion.pipeline import load_wallets

    return load_wallets(ctx.run_date, ctx.info).rows


@task(cache_policy=NO_CACHE, name="5-8 curate: icebox, metrics, groups, eligibility")
def curate(ctx: DayContext) -> DbtStageResult:
    return run_dbt("build", ctx.dbt_vars, "--selector", "before_forecast")


@fetch_task("9 fetch history")
def fetch_history(ctx: DayContext) -> dict[str, int]:
    from ingestion.pipeline import load_pool_history

    pool_ids = history_candidates(ctx)
    if not pool_ids:
        raise StepFailed("9 fetch history", f"no pool passes the filters on {ctx.run_date}")
    rows = load_pool_history(ctx.run_date, ctx.info, pool_ids).rows
    rows["pools_selected"] = len(pool_ids)
    return rows


def history_candidates(ctx: DayContext) -> list[str]:
    """Pools whose full history is worth fetching on the day.

    Eligible pools, plus pools that pass every test except the ones that need history
    (a group needs 30 days): otherwise a new database could never bootstrap a history.
    """
    with db.connect(ctx.info) as conn, conn.cursor() as cur:
        cur.execute(
            """
            select pool_id
            from marts.pool_eligibility
            where eligibility_date = %s
              and (is_eligible or failed_checks <@ array['has_group']::text[])
            order by pool_id
            """,
            (ctx.run_date,),
        )
        return [row[0] for row in cur.fetchall()]


def eligible_pools(ctx: DayContext) -> list[str]:
    """The pools the optimizer may use on the day (after the histories were curated)."""
    with db.connect(ctx.info) as conn, conn.cursor() as cur:
        cur.execute(
            """
            select pool_id from marts.pool_eligibility
            where eligibility_date = %s and is_eligible
            order by pool_id
            """,
            (ctx.run_date,),
        )
        return [row[0] for row in cur.fetchall()]


@task(cache_policy=NO_CACHE, name="9b curate histories")
def curate_histories(ctx: DayContext) -> DbtStageResult:
    """Rebuild metrics, groups and eligibility now that full histories are loaded."""
    return run_dbt("build", ctx.dbt_vars, "--selector", "histories")


@task(cache_policy=NO_CACHE, name="10-11 retrain and forecast pools")
def forecast_pools(ctx: DayContext) -> dict[str, int]:
    from python_models.forecasting.daily import retrain_and_forecast_pools

    pool_ids = eligible_pools(ctx)
    if not pool_ids:
        raise StepFailed("10 forecast pools", f"no eligible pool on {ctx.run_date}")
    with db.connect(ctx.info) as conn:
        summary = retrain_and_forecast_pools(conn, ctx.run_date, pool_ids)
    return {**summary.rows, "pools": summary.pools}


@task(cache_policy=NO_CACHE, name="12 forecast gas")
def forecast_gas(ctx: DayContext) -> dict[str, int]:
    from python_models.forecasting.daily import forecast_gas as forecast_gas_price

    with db.connect(ctx.info) as conn:
        summary = forecast_gas_price(conn, ctx.run_date)
    if summary.gas_price_gwei is None:
        raise StepFailed(
            "12 forecast gas",
            f"no gas price for {ctx.run_date}: {summary.fallback_reason or 'no gas history'}",
        )
    return summary.rows


@task(cache_policy=NO_CACHE, name="12b curate forecasts")
def curate_forecasts(ctx: DayContext) -> DbtStageResult:
    return run_dbt("build", ctx.dbt_vars, "--selector", "after_forecast")


@task(cache_policy=NO_CACHE, name="13 optimize")
def optimize(ctx: DayContext) -> dict[str, int]:
    """Build the day's problem from the marts, solve it, record it (even when it fails)."""
    from python_models.optimization.daily_inputs import build_problem, lists_snapshot
    from python_models.optimization.runs import record_run
    from python_models.optimization.solver import solve

    with db.connect(ctx.info) as conn:
        problem = build_problem(conn, ctx.run_date, ctx.config)
        result = solve(problem)
        record_run(
            conn,
            ctx.run_date,
            ctx.config.snapshot(),
            lists_snapshot(conn, ctx.run_date),
            problem.holdings,
            result,
        )
    if not result.succeeded:
        raise StepFailed(
            "13 optimize",
            f"{result.status}: {result.reason} (previous allocation kept)",
        )
    return {
        "pools_considered": len(problem.pools),
        "positions": sum(1 for usd in result.allocations.values() if usd > 0),
        "plan_steps": len(result.plan),
    }


@task(cache_policy=NO_CACHE, name="14 ledger")
def ledger(ctx: DayContext) -> DbtStageResult:
    return run_dbt("build", ctx.dbt_vars, "--selector", "after_optimization")


@fetch_task("15 report")
def report(ctx: DayContext) -> dict[str, int]:
    from python_models.reporting.data import load_report
    from python_models.reporting.deliver import deliver_report

    with db.connect(ctx.info) as conn:
        daily_report = load_report(conn, ctx.run_date)
    delivery = deliver_report(daily_report)
    logger.info(
        "report %s, chart %s (%s)",
        delivery.message_path,
        delivery.chart_path,
        "posted to Slack" if delivery.posted else "dry run: no SLACK_BOT_TOKEN",
    )
    return {"slack_messages": int(delivery.posted), "allocations": len(daily_report.allocations)}


# --- the flow ----------------------------------------------------------------------------

Step = tuple[int, str, Callable[[DayContext], Any]]


@contextmanager
def _step(ctx: DayContext, number: int, name: str) -> Iterator[dict[str, int]]:
    """Time a step, record it, print its progress line; turn any error into StepFailed."""
    rows: dict[str, int] = {}
    started = time.perf_counter()
    try:
        yield rows
    except Exception as error:
        seconds = time.perf_counter() - started
        reason = (
            error.reason if isinstance(error, StepFailed) else f"{type(error).__name__}: {error}"
        )
        with db.connect(ctx.info) as conn:
            run_record.record_step(
                conn, ctx.run_date, number, name, "FAILED", rows, seconds, reason
            )
        console.print(f"[red]✗ {number:>2} {name:<32} failed after {seconds:5.1f}s: {reason}")
        raise StepFailed(name, reason) from error
    seconds = time.perf_counter() - started
    with db.connect(ctx.info) as conn:
        run_record.record_step(conn, ctx.run_date, number, name, "SUCCESS", rows, seconds)
    total = sum(rows.values())
    console.print(f"[green]✓ {number:>2} {name:<32} {total:>9,} rows {seconds:6.1f}s")


@flow(name="daily", log_prints=False)
def daily_flow(run_date: dt.date, parameters: dict[str, Any]) -> dict[str, Any] | State:
    """The 15 steps for one day; a failed step ends the flow Failed, naming the step."""
    log = get_run_logger()
    config = StrategyConfig.model_validate(parameters)
    info = db.connection_info()
    ctx = DayContext(run_date=run_date, config=config, info=info)
    with db.connect(info) as conn:
        run_record.start_run(conn, run_date)
    failed: StepFailed | None = None
    try:
        for number, name, fn in (
            (1, "fetch pools", fetch_pools),
            (2, "fetch ohlcv", fetch_ohlcv),
            (3, "fetch gas", fetch_gas),
            (4, "fetch wallet", fetch_wallet),
        ):
            with _step(ctx, number, name) as rows:
                rows.update(fn(ctx))
        with _step(ctx, 5, "icebox, metrics, groups, filter") as rows:
            rows.update(curate(ctx).rows)
        with _step(ctx, 9, "fetch history") as rows:
            rows.update(fetch_history(ctx))
            rows.update(curate_histories(ctx).rows)
        with _step(ctx, 10, "retrain, forecast pools") as rows:
            rows.update(forecast_pools(ctx))
        with _step(ctx, 12, "forecast gas") as rows:
            rows.update(forecast_gas(ctx))
            rows.update(curate_forecasts(ctx).rows)
        with _step(ctx, 13, "optimize") as rows:
            rows.update(optimize(ctx))
        with _step(ctx, 14, "ledger") as rows:
            rows.update(ledger(ctx).rows)
        with _step(ctx, 15, "report") as rows:
            rows.update(report(ctx))
    except StepFailed as error:
        from python_models.reporting.deliver import post_alert

        failed = error
        log.error("daily run for %s stopped: %s", run_date, error)
        post_alert(run_date, error.step, error.reason)
    with db.connect(info) as conn:
        run_record.finish_run(
            conn, run_date, failed.step if failed else None, failed.reason if failed else None
        )
    if failed:
        # a Failed final state: the Prefect UI, the deployment and the CLI's exit code agree
        return Failed(message=f"step {failed.step} failed: {failed.reason}")
    return {"status": "SUCCESS", "run_date": run_date.isoformat()}


def run_daily(
    run_date: dt.date | None = None, replay: bool = False, config_path: Path | None = None
) -> bool:
    """Entry point of ``yieldopt run``: validate the configuration, then run the flow."""
    try:
        config = load_config(config_path)
    except ConfigError as error:
        console.print(f"[red]{error}")
        return False
    day = run_date or dt.datetime.now(dt.UTC).date()
    info = db.connection_info()
    db.apply_to_environment(info)
    replay_context = _replay(day) if replay else nullcontext()
    with replay_context:
        state = daily_flow(run_date=day, parameters=config.snapshot(), return_state=True)
    print_table_summary(console, info)
    if state.is_completed():
        print_allocation(console, info, day)
    return state.is_completed()


@contextmanager
def _replay(day: dt.date) -> Iterator[None]:
    """Serve the recorded responses as of ``day`` and point every source at them."""
    from replay import ReplayServer, replay_environment

    with ReplayServer(RECORDINGS_DIR, as_of=day) as server, replay_environment(server):
        console.print(f"replaying recorded API responses as of {day} from {RECORDINGS_DIR}")
        yield


@flow(name="daily-scheduled")
def scheduled_daily_flow(config_path: str | None = None) -> dict[str, Any]:
    """The deployment's entry: today's UTC date and the strategy file, validated first."""
    config = load_config(Path(config_path) if config_path else None)
    db.apply_to_environment(db.connection_info())
    return daily_flow(run_date=dt.datetime.now(dt.UTC).date(), parameters=config.snapshot())
