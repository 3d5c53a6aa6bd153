"""What each of the daily run's steps does: one plain function per step, run by the flow.

Every function takes the day's :class:`DayContext` and returns the rows it wrote (name →
count) for the run record. A step that cannot go on raises :class:`StepFailed` with a reason
an analyst can act on; any other exception is recorded with its type and message.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from core import db
from core.config import StrategyConfig
from core.dbt import run_dbt
from ingestion import pipeline
from python_models.decision.daily_inputs import day_market, holdings_for, lists_snapshot
from python_models.decision.explain import explain_holds, limit_prices
from python_models.decision.policies import STRATEGY
from python_models.forecasting.daily import forecast_gas as forecast_gas_price
from python_models.forecasting.daily import retrain_and_forecast_pools
from python_models.optimization.runs import record_run
from python_models.pool_selection import eligible_pools, history_candidates
from python_models.reporting.data import load_report
from python_models.reporting.deliver import deliver_report

logger = logging.getLogger(__name__)

# The gas APIs must have answered for the day before the run date (Etherscan's daily average
# for a day appears once it has ended) or the run stops instead of pricing gas on old data.
GAS_MAX_AGE_DAYS = 1


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
    """A step could not go on; ``reason`` is what the run record and the alert say."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


Rows = dict[str, int]


def fetch_pools(ctx: DayContext) -> Rows:
    """Step 1: the day's DeFiLlama ``/pools`` snapshot."""
    return pipeline.load_pools(ctx.run_date, ctx.info).rows


def fetch_ohlcv(ctx: DayContext) -> Rows:
    """Step 2: daily prices and market caps of the tracked tokens."""
    return pipeline.load_prices(ctx.run_date, ctx.info).rows


def fetch_gas(ctx: DayContext) -> Rows:
    """Step 3: gas history; refuse to go on when the APIs had nothing since the day before."""
    rows = pipeline.load_gas(ctx.run_date, ctx.info).rows
    needed = ctx.run_date - dt.timedelta(days=GAS_MAX_AGE_DAYS)
    latest = pipeline.latest_gas_day(ctx.info)
    if latest is None or latest < needed:
        raise StepFailed(
            f"gas data is stale: the latest observation is {latest or 'missing'}, the run for "
            f"{ctx.run_date} needs {needed} or later; refusing to allocate on old gas prices"
        )
    return rows


def fetch_wallet(ctx: DayContext) -> Rows:
    """Step 4: balances and transactions of the configured wallets."""
    return pipeline.load_wallets(ctx.run_date, ctx.info).rows


def curate(ctx: DayContext) -> Rows:
    """Steps 5–8: icebox, pool metrics, groups and eligibility (dbt ``before_forecast``)."""
    return run_dbt("build", ctx.dbt_vars, "--selector", "before_forecast").rows


def fetch_history(ctx: DayContext) -> Rows:
    """Step 9: full ``/chart`` histories of the usable pools, then the models they feed."""
    with db.connect(ctx.info) as conn:
        pools = history_candidates(conn, ctx.run_date)
    if not pools:
        raise StepFailed(f"no pool passes the filters on {ctx.run_date}")
    rows = pipeline.load_pool_history(ctx.run_date, ctx.info, list(pools), labels=pools).rows
    rows["pools_selected"] = len(pools)
    rows.update(run_dbt("build", ctx.dbt_vars, "--selector", "histories").rows)
    return rows


def forecast_pools(ctx: DayContext) -> Rows:
    """Steps 10–11: retrain the APY and TVL models and forecast every eligible pool."""
    with db.connect(ctx.info) as conn:
        pool_ids = eligible_pools(conn, ctx.run_date)
        if not pool_ids:
            raise StepFailed(f"no eligible pool on {ctx.run_date}")
        summary = retrain_and_forecast_pools(
            conn, ctx.run_date, pool_ids, horizon_days=ctx.config.holding_days
        )
    return {**summary.rows, "pools": summary.pools}


def forecast_gas(ctx: DayContext) -> Rows:
    """Step 12: the day's gas price, then the gas cost per pool (dbt ``after_forecast``)."""
    with db.connect(ctx.info) as conn:
        summary = forecast_gas_price(conn, ctx.run_date)
    if summary.gas_price_gwei is None:
        raise StepFailed(
            f"no gas price for {ctx.run_date}: {summary.fallback_reason or 'no gas history'}"
        )
    return {
        **summary.rows,
        **run_dbt("build", ctx.dbt_vars, "--selector", "after_forecast").rows,
    }


def optimize(ctx: DayContext) -> Rows:
    """Step 13: the day's market from the marts, the strategy's decision (the same policy the
    backtest replays), recorded even when it failed."""
    with db.connect(ctx.info) as conn:
        market = day_market(conn, ctx.run_date)
        decision = STRATEGY.decide(market, holdings_for(conn, ctx.run_date), ctx.config)
        if decision.result is None or decision.problem is None:
            raise StepFailed(f"{decision.status}: {decision.reason}")
        result = decision.result
        record_run(
            conn,
            ctx.run_date,
            ctx.config.snapshot(),
            lists_snapshot(conn, ctx.run_date),
            decision.problem.holdings,
            result,
            problem=decision.problem,
            explanations={
                "limit_prices": [
                    price.as_dict() for price in limit_prices(decision.problem, result)
                ],
                "hold_explanations": explain_holds(decision.problem, result),
            },
        )
    if not result.succeeded:
        raise StepFailed(f"{result.status}: {result.reason} (previous allocation kept)")
    if result.idle_reason:
        logger.warning("all idle on %s: %s", ctx.run_date, result.idle_reason)
    return {
        "pools_considered": len(decision.problem.pools),
        "positions": sum(1 for usd in result.allocations.values() if usd > 0),
        "plan_steps": len(result.plan),
    }


def ledger(ctx: DayContext) -> Rows:
    """Step 14: ledger and reporting models (dbt ``after_optimization``)."""
    return run_dbt("build", ctx.dbt_vars, "--selector", "after_optimization").rows


def report(ctx: DayContext) -> Rows:
    """Step 15: the Slack message and chart (a dry run into ``reports/`` without a token)."""
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
