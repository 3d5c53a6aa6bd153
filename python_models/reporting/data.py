"""What the daily report says, read from the marts in one place.

The report reads marts only (the dbt exposure ``slack_daily_report`` lists them): the run
(``optimization_run_summary``), its allocation with each pool named and its exit signals
(``allocation_report``), the plan (``rebalance_plan_steps``), the exposure shares
(``allocation_exposures``), what each limit costs (``limit_prices``), the positions kept and
why (``hold_explanations``), the day's icebox, eligibility and forecast skill, the ledger,
and what following the product earned (:mod:`python_models.reporting.realized`). Pools are
named by the marts (``project symbol (chain)``, mart ``pool_labels``), so the message and the
chart never show a bare pool id.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from psycopg2.extensions import connection

from python_models.reporting.realized import Realized, load_realized


@dataclass
class Allocation:
    """One pool of the run's allocation; ``exit_reasons``: the exit signals of a pool held
    before the run (it fails ``tvl_not_collapsing`` or ``utilization_below_limit``)."""

    pool_id: str
    label: str
    group_id: int | None
    allocation_usd: float
    previous_usd: float
    apy_pct: float | None
    exit_reasons: tuple[str, ...] = ()


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
    """Share of AUM in one protocol family, curator, chain or token, next to its cap."""

    dimension: str
    name: str
    share_pct: float
    cap_pct: float


@dataclass(frozen=True)
class LimitPrice:
    """One limit of the run: its parameter and value, the loss it bounds, its price today."""

    limit: str
    value: float | None
    loss_bounded: str
    binds: bool
    cost_bp_a_year: float
    cost_usd_a_year: float


@dataclass(frozen=True)
class Hold:
    """A position (or idle money) kept though moving it would earn more before costs."""

    kept: str
    is_idle: bool
    kept_usd: float
    destinations: tuple[str, ...]
    gain_usd_a_year: float
    rule: str


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
    idle_reason: str | None = None
    exposure: list[Exposure] = field(default_factory=list)
    # None when the run did not decide (failed) or predates these figures.
    dilution_cost_usd: float | None = None
    unknown_liquidity_pools: int | None = None
    liquidity_bound_positions: int | None = None
    plan: list[PlanStep] = field(default_factory=list)
    limits: list[LimitPrice] = field(default_factory=list)
    holds: list[Hold] = field(default_factory=list)
    realized: list[Realized] = field(default_factory=list)
    icebox_entries: list[tuple[str, str]] = field(default_factory=list)
    icebox_exits: list[str] = field(default_factory=list)
    eligible_count: int = 0
    excluded_count: int = 0
    top_reasons: list[tuple[str, int]] = field(default_factory=list)
    forecast_skill: dict[str, float] = field(default_factory=dict)
    ledger: list[LedgerDay] = field(default_factory=list)

    @property
    def exits(self) -> list[Allocation]:
        """The pools held before the run that show an exit signal on the run date."""
        return [a for a in self.allocations if a.exit_reasons and a.previous_usd > 0]

    @property
    def held_before(self) -> int:
        return sum(a.previous_usd > 0 for a in self.allocations)


def _rows(conn: connection, query: str, params: tuple) -> list[tuple]:
    with conn.cursor() as cur:
        cur.execute(query, params)
        return cur.fetchall()


def _number(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]


def _allocations(conn: connection, run_id: str) -> list[Allocation]:
    return [
        Allocation(
            pool_id,
            label,
            group_id,
            float(amount),
            float(previous or 0),
            _number(apy),
            tuple(reasons or ()),
        )
        for pool_id, label, group_id, amount, previous, apy, reasons in _rows(
            conn,
            """
            select pool_id, pool_label, group_id, allocation_usd, previous_usd, apy_pct,
                   exit_reasons
            from marts.allocation_report
            where run_id = %s
            order by allocation_usd desc, pool_id
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
            tuple(tokens or ()),
        )
        for step_no, action, pool_id, token, to_token, amount, gas_usd, label, tokens in _rows(
            conn,
            """
            select step_no, action, pool_id, token_symbol, to_token_symbol, amount_usd,
                   gas_usd, pool_label, pool_tokens
            from marts.rebalance_plan_steps
            where run_id = %s
            order by step_no
            """,
            (run_id,),
        )
    ]


def _exposure(conn: connection, run_id: str) -> list[Exposure]:
    """Per dimension, largest share first."""
    return [
        Exposure(dimension, name, float(share), float(cap))
        for dimension, name, share, cap in _rows(
            conn,
            """
            select dimension, exposure_name, share_pct, cap_pct
            from marts.allocation_exposures
            where run_id = %s
            order by dimension, share_pct desc, exposure_name
            """,
            (run_id,),
        )
    ]


def _limits(conn: connection, run_id: str) -> list[LimitPrice]:
    """Every limit of the run, in the order step 13 priced them."""
    return [
        LimitPrice(limit, _number(value), loss or "", bool(binds), float(bp or 0), float(usd or 0))
        for limit, value, loss, binds, bp, usd in _rows(
            conn,
            """
            select limit_name, limit_value, loss_bounded, is_binding, cost_bp_a_year,
                   cost_usd_a_year
            from marts.limit_prices
            where run_id = %s
            order by limit_no
            """,
            (run_id,),
        )
    ]


def _holds(conn: connection, run_id: str) -> list[Hold]:
    return [
        Hold(kept, bool(idle), float(kept_usd or 0), tuple(to or ()), float(gain or 0), rule)
        for kept, idle, kept_usd, to, gain, rule in _rows(
            conn,
            """
            select kept_label, is_idle, kept_usd, destination_labels, gain_usd_a_year,
                   hold_rule
            from marts.hold_explanations
            where run_id = %s
            order by hold_no
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
        target: float(ratio)
        for target, ratio in _rows(
            conn,
            """
            select target, mean_mae_ratio
            from marts.forecast_skill
            where run_date = %s and mean_mae_ratio is not null
            order by target
            """,
            (run_date,),
        )
    }


def _summary_built(conn: connection) -> bool:
    (found,) = _rows(conn, "select to_regclass('marts.optimization_run_summary')", ())[0]
    return found is not None


def load_report(conn: connection, run_date: dt.date) -> DailyReport:
    """Read the run, its allocation, plan and explanations, and the day's context, from the
    marts (built by step 14); a run date without a run reads as ``MISSING``."""
    runs = (
        _rows(
            conn,
            """
            select run_id, status, error, aum_usd, expected_yield_usd, expected_profit_usd,
                   gas_cost_usd, conversion_cost_usd, idle_tokens_usd, idle_reason,
                   dilution_cost_usd, unknown_liquidity_pools, liquidity_bound_positions
            from marts.optimization_run_summary
            where run_date = %s
            order by finished_at desc nulls last
            limit 1
            """,
            (run_date,),
        )
        if _summary_built(conn)
        else []
    )
    if not runs:
        return DailyReport(run_date=run_date, status="MISSING", error="no optimization run")
    run_id, status, error, aum, exp_yield, exp_profit, gas, conversion, idle, *rest = runs[0]
    idle_reason, dilution, unknown_liquidity, liquidity_bound = rest
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
        idle_reason=idle_reason,
        exposure=_exposure(conn, run_id),
        dilution_cost_usd=_number(dilution),
        unknown_liquidity_pools=unknown_liquidity,
        liquidity_bound_positions=liquidity_bound,
        plan=_plan(conn, run_id),
        limits=_limits(conn, run_id),
        holds=_holds(conn, run_id),
        realized=load_realized(conn, run_date),
        ledger=_ledger(conn, run_date),
    )
    _add_day_context(conn, report)
    return report
