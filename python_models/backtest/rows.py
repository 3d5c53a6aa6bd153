"""The rows a backtest day produces, one shape for the database tables and the CSV files."""

from __future__ import annotations

from typing import Any

from python_models.backtest.simulate import DayRecord

NAV_COLUMNS = (
    "run_id",
    "portfolio",
    "trade_date",
    "status",
    "reason",
    "nav_usd",
    "invested_usd",
    "idle_usd",
    "yield_usd",
    "gas_usd",
    "conversion_usd",
    "traded_usd",
    "positions",
    "idle_bound",
    "ineligible_held",
)
HOLDING_COLUMNS = (
    "run_id",
    "portfolio",
    "trade_date",
    "pool_id",
    "allocation_usd",
    "apy_pct",
    "end_usd",
)
PLAN_COLUMNS = (
    "run_id",
    "portfolio",
    "trade_date",
    "step_no",
    "action",
    "pool_id",
    "token_symbol",
    "to_token_symbol",
    "amount_usd",
    "gas_usd",
    "cost_usd",
)
# the plan step's own fields, after the run, portfolio and day columns
PLAN_STEP_FIELDS = set(PLAN_COLUMNS[3:])


def nav_row(run_id: str, record: DayRecord) -> dict[str, Any]:
    """The portfolio's day: decision, NAV at the end of the day and what the day cost."""
    return {
        "run_id": run_id,
        "portfolio": record.portfolio,
        "trade_date": record.day,
        "status": record.decision.status,
        "reason": record.decision.reason,
        "nav_usd": record.end.nav_usd,
        "invested_usd": record.end.invested_usd,
        "idle_usd": record.end.idle_usd,
        "yield_usd": record.yield_usd,
        "gas_usd": record.costs.gas_usd,
        "conversion_usd": record.costs.conversion_usd,
        "traded_usd": record.costs.traded_usd,
        "positions": len(record.held),
        "idle_bound": record.decision.idle_bound,
        "ineligible_held": record.ineligible_held,
    }


def holding_rows(run_id: str, record: DayRecord) -> list[dict[str, Any]]:
    """One row per position held over the day: after the plan, its APY, at the day's end."""
    return [
        {
            "run_id": run_id,
            "portfolio": record.portfolio,
            "trade_date": record.day,
            "pool_id": pool_id,
            "allocation_usd": usd,
            "apy_pct": record.apy_pct[pool_id],
            "end_usd": record.end.positions[pool_id],
        }
        for pool_id, usd in sorted(record.held.items())
    ]


def plan_rows(run_id: str, record: DayRecord) -> list[dict[str, Any]]:
    """The executed plan, step by step, with the gas and conversion cost each step paid."""
    return [
        {
            "run_id": run_id,
            "portfolio": record.portfolio,
            "trade_date": record.day,
            **step.model_dump(include=PLAN_STEP_FIELDS),
        }
        for step in record.decision.plan
    ]
