"""What the daily report says, read from the run's tables in one place."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from psycopg2.extensions import connection


@dataclass
class Allocation:
    pool_id: str
    label: str
    group_id: int | None
    allocation_usd: float
    previous_usd: float
    apy_pct: float | None


@dataclass
class PlanStep:
    step_no: int
    action: str
    pool_id: str | None
    token_symbol: str | None
    to_token_symbol: str | None
    amount_usd: float
    gas_usd: float


@dataclass
class DailyReport:
    """Everything the message and the chart show for one run date."""

    run_date: dt.date
    status: str
    error: str | None = None
    aum_usd: float = 0.0
    expected_yield_usd: float = 0.0
    expected_profit_usd: float = 0.0
    gas_cost_usd: float = 0.0
    conversion_cost_usd: float = 0.0
    allocations: list[Allocation] = field(default_factory=list)
    plan: list[PlanStep] = field(default_factory=list)
    icebox_entries: list[tuple[str, str]] = field(default_factory=list)
    icebox_exits: list[str] = field(default_factory=list)
    eligible_count: int = 0
    excluded_count: int = 0
    top_reasons: list[tuple[str, int]] = field(default_factory=list)
    forecast_skill: dict[str, float] = field(default_factory=dict)
    nav_history: list[tuple[dt.date, float]] = field(default_factory=list)


def _rows(conn: connection, query: str, params: tuple) -> list[tuple]:
    with conn.cursor() as cur:
        cur.execute(query, params)
        return cur.fetchall()


def load_report(conn: connection, run_date: dt.date) -> DailyReport:
    """Read the run, its allocation and plan, and the day's context from the marts."""
    runs = _rows(
        conn,
        """
        select run_id, status, error, aum_usd, expected_yield_usd, expected_profit_usd,
               gas_cost_usd, conversion_cost_usd
        from optimization.optimization_runs
        where run_date = %s
        order by finished_at desc nulls last
        limit 1
        """,
        (run_date,),
    )
    if not runs:
        return DailyReport(run_date=run_date, status="MISSING", error="no optimization run")
    run_id, status, error, aum, exp_yield, exp_profit, gas, conversion = runs[0]
    report = DailyReport(
        run_date=run_date,
        status=status,
        error=error,
        aum_usd=float(aum or 0),
        expected_yield_usd=float(exp_yield or 0),
        expected_profit_usd=float(exp_profit or 0),
        gas_cost_usd=float(gas or 0),
        conversion_cost_usd=float(conversion or 0),
    )
    report.allocations = [
        Allocation(pool_id, label, group_id, float(amount), float(previous or 0), apy)
        for pool_id, label, group_id, amount, previous, apy in _rows(
            conn,
            """
            select allocations.pool_id,
                   coalesce(pools.project || ' ' || pools.symbol || ' (' || pools.chain || ')',
                            allocations.pool_id),
                   allocations.group_id, allocations.allocation_usd, allocations.previous_usd,
                   eligibility.apy_pct
            from optimization.daily_allocations as allocations
            left join marts.defi_pools as pools on pools.pool_id = allocations.pool_id
            left join marts.pool_eligibility as eligibility
                on eligibility.pool_id = allocations.pool_id
                and eligibility.eligibility_date = allocations.run_date
            where allocations.run_id = %s
            order by allocations.allocation_usd desc
            """,
            (run_id,),
        )
    ]
    report.plan = [
        PlanStep(step_no, action, pool_id, token, to_token, float(amount), float(gas_usd or 0))
        for step_no, action, pool_id, token, to_token, amount, gas_usd in _rows(
            conn,
            """
            select step_no, action, pool_id, token_symbol, to_token_symbol, amount_usd, gas_usd
            from optimization.rebalance_plan
            where run_id = %s
            order by step_no
            """,
            (run_id,),
        )
    ]
    report.icebox_entries = [
        (token, reason)
        for token, reason in _rows(
            conn,
            "select token_symbol, reason from marts.icebox_tokens where added_at = %s",
            (run_date,),
        )
    ]
    report.icebox_exits = [
        token
        for (token,) in _rows(
            conn, "select token_symbol from marts.icebox_tokens where removed_at = %s", (run_date,)
        )
    ]
    counts = _rows(
        conn,
        """
        select count(*) filter (where is_eligible), count(*) filter (where not is_eligible)
        from marts.pool_eligibility
        where eligibility_date = %s
        """,
        (run_date,),
    )
    report.eligible_count, report.excluded_count = (int(value or 0) for value in counts[0])
    report.top_reasons = [
        (check, int(total))
        for check, total in _rows(
            conn,
            """
            select failed_check, count(*) as total
            from marts.pool_eligibility, unnest(failed_checks) as failed_check
            where eligibility_date = %s
            group by failed_check
            order by total desc, failed_check
            limit 5
            """,
            (run_date,),
        )
    ]
    report.forecast_skill = {
        target: float(mase)
        for target, mase in _rows(
            conn,
            """
            select target, avg(metric_value)
            from forecasts.model_performance_metrics
            where run_date = %s and metric = 'mase' and is_selected
            group by target
            order by target
            """,
            (run_date,),
        )
    }
    report.nav_history = [
        (day, float(nav))
        for day, nav in _rows(
            conn,
            """
            select ledger_date, sum(nav_usd)
            from marts.daily_ledger
            where ledger_date <= %s
            group by ledger_date
            order by ledger_date
            """,
            (run_date,),
        )
    ]
    return report
