"""What the daily report says, read from the run's tables in one place.

Pools are named the same way everywhere in the report (``project symbol (chain)``, as the
allocation table of the console), so the message and the chart never show a bare pool id.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from psycopg2.extensions import connection

from python_models.optimization.runs import ensure_schema

# One label per pool for the allocation table, the plan and the chart.
POOL_LABEL_SQL = (
    "coalesce(pools.project || ' ' || pools.symbol || ' (' || pools.chain || ')', {id})"
)


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
    """One step of the plan; ``label`` and ``tokens`` name the pool and what it is paid in."""

    step_no: int
    action: str
    pool_id: str | None
    token_symbol: str | None
    to_token_symbol: str | None
    amount_usd: float
    gas_usd: float
    label: str = ""
    tokens: tuple[str, ...] = ()


@dataclass(frozen=True)
class Exposure:
    """Share of AUM in one protocol or chain, next to the cap that applied to it."""

    dimension: str
    name: str
    share_pct: float
    cap_pct: float


@dataclass(frozen=True)
class LedgerDay:
    """The treasury's NAV at the end of a day and the external flows of that day, in USD."""

    day: dt.date
    nav_usd: float
    flow_usd: float


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
    idle_usd: dict[str, float] = field(default_factory=dict)
    exposure: list[Exposure] = field(default_factory=list)
    # None when the run did not decide (failed) or predates these figures.
    dilution_cost_usd: float | None = None
    unknown_liquidity_pools: int | None = None
    liquidity_bound_positions: int | None = None
    plan: list[PlanStep] = field(default_factory=list)
    icebox_entries: list[tuple[str, str]] = field(default_factory=list)
    icebox_exits: list[str] = field(default_factory=list)
    eligible_count: int = 0
    excluded_count: int = 0
    top_reasons: list[tuple[str, int]] = field(default_factory=list)
    forecast_skill: dict[str, float] = field(default_factory=dict)
    ledger: list[LedgerDay] = field(default_factory=list)


def _rows(conn: connection, query: str, params: tuple) -> list[tuple]:
    with conn.cursor() as cur:
        cur.execute(query, params)
        return cur.fetchall()


def _allocations(conn: connection, run_id: str) -> list[Allocation]:
    return [
        Allocation(pool_id, label, group_id, float(amount), float(previous or 0), apy)
        for pool_id, label, group_id, amount, previous, apy in _rows(
            conn,
            f"""
            select allocations.pool_id, {POOL_LABEL_SQL.format(id="allocations.pool_id")},
                   allocations.group_id, allocations.allocation_usd, allocations.previous_usd,
                   eligibility.apy_pct
            from optimization.daily_allocations as allocations
            left join marts.defi_pools as pools on pools.pool_id = allocations.pool_id
            left join marts.pool_eligibility as eligibility
                on eligibility.pool_id = allocations.pool_id
                and eligibility.eligibility_date = allocations.run_date
            where allocations.run_id = %s
            order by allocations.allocation_usd desc, allocations.pool_id
            """,
            (run_id,),
        )
    ]


def _plan(conn: connection, run_id: str) -> list[PlanStep]:
    """The plan's steps with each pool's label and tokens (a deposit is paid in its tokens)."""
    return [
        PlanStep(
            step_no,
            action,
            pool_id,
            token,
            to_token,
            float(amount),
            float(gas_usd or 0),
            label or "",
            # a symbol may repeat a token (USDC-USDC): the optimizer counts it once
            tuple(dict.fromkeys(tokens or ())),
        )
        for step_no, action, pool_id, token, to_token, amount, gas_usd, label, tokens in _rows(
            conn,
            f"""
            select plan.step_no, plan.action, plan.pool_id, plan.token_symbol,
                   plan.to_token_symbol, plan.amount_usd, plan.gas_usd,
                   case when plan.pool_id is not null
                       then {POOL_LABEL_SQL.format(id="plan.pool_id")} end,
                   eligibility.tokens
            from optimization.rebalance_plan as plan
            left join marts.defi_pools as pools on pools.pool_id = plan.pool_id
            left join marts.pool_eligibility as eligibility
                on eligibility.pool_id = plan.pool_id
                and eligibility.eligibility_date = plan.run_date
            where plan.run_id = %s
            order by plan.step_no
            """,
            (run_id,),
        )
    ]


def _exposure(conn: connection, run_id: str) -> list[Exposure]:
    """Per protocol and chain, largest share first."""
    return [
        Exposure(dimension, name, float(share), float(cap))
        for dimension, name, share, cap in _rows(
            conn,
            """
            select dimension, name, share_pct, cap_pct
            from optimization.exposure_shares
            where run_id = %s
            order by dimension desc, share_pct desc, name
            """,
            (run_id,),
        )
    ]


def _ledger(conn: connection, run_date: dt.date) -> list[LedgerDay]:
    """NAV per day and the day's external flows valued at the day's price.

    A token's balance before its first ledger day (``start_balance`` of that day: transfers
    older than the recorded history) counts as a flow into the treasury on that day, so the
    first day shows no gain. Fees the wallet paid are part of ``net_flow`` in the ledger and
    so count with the flows (a few dollars a transaction).
    """
    return [
        LedgerDay(day, float(nav), float(flow))
        for day, nav, flow in _rows(
            conn,
            """
            with ledger as (
                select *, min(ledger_date) over (partition by token_symbol) as first_date
                from marts.daily_ledger
                where ledger_date <= %s
            )
            select ledger_date,
                   coalesce(sum(nav_usd), 0),
                   coalesce(sum(
                       (net_flow + case when ledger_date = first_date then start_balance else 0 end)
                       * price_usd), 0)
            from ledger
            group by ledger_date
            order by ledger_date
            """,
            (run_date,),
        )
    ]


def _add_day_context(conn: connection, report: DailyReport) -> None:
    """Icebox changes, eligibility counts and forecast skill of the run date."""
    run_date = report.run_date
    report.icebox_entries = [
        (token, reason)
        for token, reason in _rows(
            conn,
            "select token_symbol, reason from marts.icebox_tokens where added_at = %s "
            "order by token_symbol",
            (run_date,),
        )
    ]
    report.icebox_exits = [
        token
        for (token,) in _rows(
            conn,
            "select token_symbol from marts.icebox_tokens where removed_at = %s order by 1",
            (run_date,),
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


def load_report(conn: connection, run_date: dt.date) -> DailyReport:
    """Read the run, its allocation and plan, and the day's context from the marts.

    The ``optimization`` tables are brought to the current shape first (idempotent), so a
    database recorded before a column existed reads it as empty instead of failing.
    """
    ensure_schema(conn)
    runs = _rows(
        conn,
        """
        select run_id, status, error, aum_usd, expected_yield_usd, expected_profit_usd,
               gas_cost_usd, conversion_cost_usd, idle_after, dilution_cost_usd,
               unknown_liquidity_pools, liquidity_bound_positions
        from optimization.optimization_runs
        where run_date = %s
        order by finished_at desc nulls last
        limit 1
        """,
        (run_date,),
    )
    if not runs:
        return DailyReport(run_date=run_date, status="MISSING", error="no optimization run")
    run_id, status, error, aum, exp_yield, exp_profit, gas, conversion, idle, *risk = runs[0]
    dilution, unknown_liquidity, liquidity_bound = risk
    report = DailyReport(
        run_date=run_date,
        status=status,
        error=error,
        aum_usd=float(aum or 0),
        expected_yield_usd=float(exp_yield or 0),
        expected_profit_usd=float(exp_profit or 0),
        gas_cost_usd=float(gas or 0),
        conversion_cost_usd=float(conversion or 0),
        allocations=_allocations(conn, run_id),
        idle_usd={token: float(usd) for token, usd in sorted((idle or {}).items()) if usd > 0},
        exposure=_exposure(conn, run_id),
        dilution_cost_usd=None if dilution is None else float(dilution),
        unknown_liquidity_pools=unknown_liquidity,
        liquidity_bound_positions=liquidity_bound,
        plan=_plan(conn, run_id),
        ledger=_ledger(conn, run_date),
    )
    _add_day_context(conn, report)
    return report
