"""The daily flow: the 15 steps of the product brief, in order, from one table of steps.

:data:`STEPS` says, once, each step's number, name, function and retry policy; it drives the
Prefect tasks, the run record (``ops.step_runs``), the progress lines and the alert. The first
failing step stops the day with its reason, so nothing downstream decides on stale or partial
data. The step functions themselves are in :mod:`flows.steps`.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.objects import State
from prefect.states import Failed

from core import db
from core.config import StrategyConfig
from flows import run_record, steps
from flows.steps import DayContext, StepFailed
from ingestion.errors import IngestionError
from python_models.reporting.deliver import post_alert

# The progress lines (one per step) go to this logger; the command line prints them.
progress = logging.getLogger("yieldopt.progress")


@dataclass(frozen=True)
class RetryPolicy:
    """How Prefect retries a step: only failures that retrying can fix, with pauses."""

    retries: int = 0
    delay_seconds: tuple[int, ...] = ()


NO_RETRY = RetryPolicy()
# API fetches: the HTTP clients retry within a call; the step is retried once or twice more
# after a pause when the error says retrying can help (a timeout, 5xx, a rate limit).
FETCH_RETRY = RetryPolicy(retries=2, delay_seconds=(5, 30))


@dataclass(frozen=True)
class Step:
    """One row of the daily run: what the brief numbers it, its name, what it runs."""

    number: int
    label: str  # the brief's step numbers it covers, e.g. "5-8"
    name: str
    run: Callable[[DayContext], dict[str, int]]
    retry: RetryPolicy = NO_RETRY


STEPS: tuple[Step, ...] = (
    Step(1, "1", "fetch pools", steps.fetch_pools, FETCH_RETRY),
    Step(2, "2", "fetch ohlcv", steps.fetch_ohlcv, FETCH_RETRY),
    Step(3, "3", "fetch gas", steps.fetch_gas, FETCH_RETRY),
    Step(4, "4", "fetch wallet", steps.fetch_wallet, FETCH_RETRY),
    Step(5, "5-8", "icebox, metrics, groups, filter", steps.curate),
    Step(9, "9", "fetch history", steps.fetch_history, FETCH_RETRY),
    Step(10, "10-11", "retrain, forecast pools", steps.forecast_pools),
    Step(12, "12", "forecast gas", steps.forecast_gas),
    Step(13, "13", "optimize", steps.optimize),
    Step(14, "14", "ledger", steps.ledger),
    # Slack's client retries connection errors and rate limits itself (slack_sdk retry handlers)
    Step(15, "15", "report", steps.report),
)


def is_retryable(task: Any, task_run: Any, state: Any) -> bool:
    """Prefect's retry condition: retry only what the error itself says retrying can fix.

    Ingestion errors carry ``retryable`` (a timeout, an HTTP 5xx, a rate limit); bad data, a
    plan refusal or a bug fail at once, whatever their message says.
    """
    try:
        state.result()
    except IngestionError as error:
        return error.retryable
    except Exception:
        return False
    return False


def _task(step: Step) -> Any:
    return task(
        step.run,
        name=f"{step.label} {step.name}",
        cache_policy=NO_CACHE,
        retries=step.retry.retries,
        retry_delay_seconds=list(step.retry.delay_seconds),
        retry_condition_fn=is_retryable if step.retry.retries else None,
    )


TASKS = {step.number: _task(step) for step in STEPS}


def _run_step(ctx: DayContext, step: Step) -> None:
    """Run one step as its Prefect task; record it and say how it went; raise on failure."""
    started = time.perf_counter()
    try:
        rows = TASKS[step.number](ctx)
    except Exception as error:
        seconds = time.perf_counter() - started
        reason = (
            error.reason if isinstance(error, StepFailed) else f"{type(error).__name__}: {error}"
        )
        with db.connect(ctx.info) as conn:
            run_record.record_step(
                conn, ctx.run_date, step.number, step.name, "FAILED", {}, seconds, reason
            )
        progress.error(
            "✗ %5s %-32s failed after %5.1fs: %s", step.label, step.name, seconds, reason
        )
        raise DayStopped(step, reason) from error
    seconds = time.perf_counter() - started
    with db.connect(ctx.info) as conn:
        run_record.record_step(conn, ctx.run_date, step.number, step.name, "SUCCESS", rows, seconds)
    progress.info(
        "✓ %5s %-32s %9s rows %6.1fs", step.label, step.name, f"{sum(rows.values()):,}", seconds
    )


class DayStopped(RuntimeError):
    """The day stopped at a step; carries the step for the run record and the alert."""

    def __init__(self, step: Step, reason: str) -> None:
        super().__init__(f"step {step.label} {step.name} failed: {reason}")
        self.step = step
        self.reason = reason


@flow(name="daily", log_prints=False)
def daily_flow(run_date: dt.date, parameters: dict[str, Any]) -> dict[str, Any] | State:
    """The 15 steps for one day; a failed step ends the flow Failed, naming the step."""
    log = get_run_logger()
    config = StrategyConfig.model_validate(parameters)
    info = db.connection_info()
    ctx = DayContext(run_date=run_date, config=config, info=info)
    with db.connect(info) as conn:
        run_record.start_run(conn, run_date)
    stopped: DayStopped | None = None
    try:
        for step in STEPS:
            _run_step(ctx, step)
    except DayStopped as error:
        stopped = error
        log.error("daily run for %s stopped: %s", run_date, error)
        post_alert(run_date, f"{error.step.label} {error.step.name}", error.reason)
    with db.connect(info) as conn:
        run_record.finish_run(
            conn,
            run_date,
            stopped.step.name if stopped else None,
            stopped.reason if stopped else None,
        )
    if stopped:
        # a Failed final state: the Prefect UI, the deployment and the CLI's exit code agree
        return Failed(message=str(stopped))
    return {"status": "SUCCESS", "run_date": run_date.isoformat()}
