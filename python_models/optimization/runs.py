"""Record an optimization run in the ``optimization`` schema (declared as dbt sources).

One run per ``run_date``: recording a day again replaces that day's run, allocation and plan
in the caller's transaction (``core.db.connect`` commits on success, rolls back on error),
so re-running a day leaves no duplicates and a failed write leaves the previous record intact. A failed or infeasible run is recorded with its reason, and its
``daily_allocations`` rows hold the allocation it kept (the previous one, unchanged);
:func:`previous_allocation` reads only successful runs, so the next day starts from the last
allocation that was actually decided. Columns as ``docs/data_contracts.md``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any

from psycopg2.extensions import connection
from psycopg2.extras import Json, execute_values

from python_models.optimization.problem import Holdings, Problem
from python_models.optimization.result import Result

SCHEMA_DDL = """
create schema if not exists optimization;

create table if not exists optimization.optimization_runs (
    run_id text primary key,
    run_date date not null unique,
    status text not null check (status in ('SUCCESS', 'FAILED', 'INFEASIBLE')),
    error text,
    parameters jsonb not null,
    lists_snapshot jsonb not null,
    holdings_input jsonb not null,
    solver_stats jsonb not null,
    expected_yield_usd double precision,
    gas_cost_usd double precision,
    conversion_cost_usd double precision,
    expected_profit_usd double precision,
    aum_usd double precision not null,
    idle_after jsonb not null default '{}'::jsonb,
    started_at timestamptz not null,
    finished_at timestamptz not null
);

create table if not exists optimization.daily_allocations (
    run_id text not null references optimization.optimization_runs (run_id) on delete cascade,
    run_date date not null,
    pool_id text not null,
    group_id integer check (group_id in (1, 2, 3)),
    allocation_usd double precision not null check (allocation_usd >= 0),
    previous_usd double precision not null check (previous_usd >= 0),
    primary key (run_date, pool_id)
);

-- Exposure, liquidity and dilution figures (issue 14), added to tables that may predate them.
alter table optimization.optimization_runs
    add column if not exists dilution_cost_usd double precision,
    add column if not exists unknown_liquidity_pools integer,
    add column if not exists liquidity_bound_positions integer;

alter table optimization.daily_allocations
    add column if not exists protocol text,
    add column if not exists chain text,
    add column if not exists liquidity_cap_usd double precision,
    add column if not exists is_liquidity_bound boolean;

create table if not exists optimization.exposure_shares (
    run_id text not null references optimization.optimization_runs (run_id) on delete cascade,
    run_date date not null,
    dimension text not null,
    name text not null,
    share_pct double precision not null,
    cap_pct double precision not null,
    primary key (run_date, dimension, name)
);

-- Why a solved day stayed idle, what each limit cost, why positions were kept.
alter table optimization.optimization_runs
    add column if not exists idle_reason text,
    add column if not exists limit_prices jsonb,
    add column if not exists hold_explanations jsonb;

alter table optimization.daily_allocations
    add column if not exists curator text;

-- The day's problem as the optimizer saw it: every pool it was given, with what it was fed.
create table if not exists optimization.problem_pools (
    run_id text not null references optimization.optimization_runs (run_id) on delete cascade,
    run_date date not null,
    pool_id text not null,
    is_eligible boolean not null,
    group_id integer,
    apy_pct double precision not null,
    tvl_usd double precision not null,
    gas_usd double precision not null,
    tokens text[] not null,
    protocol text,
    curator text,
    chain text,
    available_liquidity_usd double precision,
    primary key (run_date, pool_id)
);

-- Curator and token exposure (issue 17/18) joined protocol family and chain.
alter table optimization.exposure_shares
    drop constraint if exists exposure_shares_dimension_check;
alter table optimization.exposure_shares
    add constraint exposure_shares_dimension_check
    check (dimension in ('protocol', 'curator', 'chain', 'token'));

create table if not exists optimization.rebalance_plan (
    run_id text not null references optimization.optimization_runs (run_id) on delete cascade,
    run_date date not null,
    step_no integer not null,
    action text not null check (action in ('withdraw', 'convert', 'deposit')),
    pool_id text,
    token_symbol text,
    to_token_symbol text,
    amount_usd double precision not null,
    gas_usd double precision not null,
    primary key (run_date, step_no)
);
"""

RUN_STATUS = {
    "optimal": "SUCCESS",
    "feasible": "SUCCESS",
    "infeasible": "INFEASIBLE",
    "failed": "FAILED",
}


def ensure_schema(conn: connection) -> None:
    """Create the ``optimization`` schema and its tables if they do not exist."""
    with conn.cursor() as cur:
        cur.execute(SCHEMA_DDL)


def _allocation_rows(
    run_id: str, run_date: dt.date, holdings: Holdings, result: Result
) -> list[tuple[Any, ...]]:
    if result.positions:
        return [
            (
                run_id,
                run_date,
                p.pool_id,
                p.group,
                p.allocation_usd,
                p.previous_usd,
                p.protocol,
                p.chain,
                p.liquidity_cap_usd,
                p.liquidity_bound,
                p.curator,
            )
            for p in result.positions
        ]
    if result.succeeded:
        return []
    # No solver answer at all: the current positions are kept as they are.
    return [
        (run_id, run_date, pool_id, None, usd, usd, None, None, None, False, None)
        for pool_id, usd in holdings.current_allocations.items()
        if usd > 0
    ]


def _exposure_rows(run_id: str, run_date: dt.date, result: Result) -> list[tuple[Any, ...]]:
    """Share of AUM per protocol and chain next to the cap that applied to it."""
    if not result.succeeded:
        return []
    return [
        (run_id, run_date, dimension, name, share, result.exposure_cap_pct[dimension][name])
        for dimension, shares in result.exposure_pct.items()
        for name, share in shares.items()
    ]


def _problem_rows(run_id: str, run_date: dt.date, problem: Problem) -> list[tuple[Any, ...]]:
    return [
        (
            run_id,
            run_date,
            pool.pool_id,
            pool.eligible,
            pool.group,
            pool.apy,
            pool.tvl_usd,
            pool.gas_usd,
            list(pool.tokens),
            pool.protocol,
            pool.curator,
            pool.chain,
            pool.available_liquidity_usd,
        )
        for pool in problem.pools
    ]


def record_run(
    conn: connection,
    run_date: dt.date,
    config_snapshot: Mapping[str, Any],
    lists_snapshot: Mapping[str, Any],
    holdings: Holdings | Mapping[str, Any],
    result: Result,
    started_at: dt.datetime | None = None,
    problem: Problem | None = None,
    explanations: Mapping[str, Any] | None = None,
) -> str:
    """Replace ``run_date``'s run, allocation and plan with this one; return the new run_id.

    ``problem`` (its pools go to ``problem_pools``) and ``explanations`` (``limit_prices`` and
    ``hold_explanations``, :mod:`python_models.decision.explain`) are recorded when given.
    """
    holdings = holdings if isinstance(holdings, Holdings) else Holdings.model_validate(holdings)
    finished_at = dt.datetime.now(dt.UTC)
    started_at = started_at or finished_at - dt.timedelta(seconds=result.solve_seconds)
    run_id = f"{run_date.isoformat()}-{uuid.uuid4().hex[:12]}"
    status = RUN_STATUS[result.status]
    money = (
        (
            result.expected_yield_usd,
            result.gas_cost_usd,
            result.conversion_cost_usd,
            result.expected_profit_usd,
        )
        if result.succeeded
        else (None, None, None, None)
    )
    ensure_schema(conn)
    with conn.cursor() as cur:
        cur.execute("delete from optimization.optimization_runs where run_date = %s", (run_date,))
        cur.execute(
            """
            insert into optimization.optimization_runs (
                run_id, run_date, status, error, parameters, lists_snapshot, holdings_input,
                solver_stats, expected_yield_usd, gas_cost_usd, conversion_cost_usd,
                expected_profit_usd, aum_usd, idle_after, started_at, finished_at,
                dilution_cost_usd, unknown_liquidity_pools, liquidity_bound_positions,
                idle_reason, limit_prices, hold_explanations)
            values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s,
                %s, %s, %s)
            """,
            (
                run_id,
                run_date,
                status,
                result.reason,
                Json(dict(config_snapshot)),
                Json(dict(lists_snapshot)),
                Json(holdings.model_dump(mode="json")),
                Json({**result.solver, "solve_seconds": result.solve_seconds}),
                *money,
                holdings.aum_usd,
                Json(result.idle if result.succeeded else holdings.liquidity_portfolio),
                started_at,
                finished_at,
                result.dilution_cost_usd if result.succeeded else None,
                result.unknown_liquidity_pools if result.succeeded else None,
                sum(p.liquidity_bound for p in result.positions) if result.succeeded else None,
                result.idle_reason,
                Json((explanations or {}).get("limit_prices", [])),
                Json((explanations or {}).get("hold_explanations", [])),
            ),
        )
        execute_values(
            cur,
            """
            insert into optimization.problem_pools (run_id, run_date, pool_id, is_eligible,
                group_id, apy_pct, tvl_usd, gas_usd, tokens, protocol, curator, chain,
                available_liquidity_usd)
            values %s
            """,
            _problem_rows(run_id, run_date, problem) if problem is not None else [],
        )
        execute_values(
            cur,
            """
            insert into optimization.daily_allocations
                (run_id, run_date, pool_id, group_id, allocation_usd, previous_usd, protocol,
                chain, liquidity_cap_usd, is_liquidity_bound, curator)
            values %s
            """,
            _allocation_rows(run_id, run_date, holdings, result),
        )
        execute_values(
            cur,
            """
            insert into optimization.exposure_shares
                (run_id, run_date, dimension, name, share_pct, cap_pct)
            values %s
            """,
            _exposure_rows(run_id, run_date, result),
        )
        execute_values(
            cur,
            """
            insert into optimization.rebalance_plan (run_id, run_date, step_no, action, pool_id,
                token_symbol, to_token_symbol, amount_usd, gas_usd)
            values %s
            """,
            [
                (
                    run_id,
                    run_date,
                    step.step_no,
                    step.action,
                    step.pool_id,
                    step.token_symbol,
                    step.to_token_symbol,
                    step.amount_usd,
                    step.gas_usd,
                )
                for step in result.plan
            ],
        )
    return run_id


def previous_allocation(conn: connection, run_date: dt.date) -> dict[str, float]:
    """USD per pool of the last successful run before ``run_date`` (empty if there is none)."""
    ensure_schema(conn)
    with conn.cursor() as cur:
        cur.execute(
            """
            with last_success as (
                select run_id
                from optimization.optimization_runs
                where status = 'SUCCESS' and run_date < %s
                order by run_date desc
                limit 1
            )
            select allocations.pool_id, allocations.allocation_usd
            from optimization.daily_allocations as allocations
            inner join last_success on last_success.run_id = allocations.run_id
            where allocations.allocation_usd > 0
            order by allocations.pool_id
            """,
            (run_date,),
        )
        return {pool_id: float(usd) for pool_id, usd in cur.fetchall()}


def previous_holdings(conn: connection, run_date: dt.date) -> Holdings | None:
    """What the last successful run before ``run_date`` left: its positions and idle tokens."""
    ensure_schema(conn)
    with conn.cursor() as cur:
        cur.execute(
            """
            select idle_after
            from optimization.optimization_runs
            where status = 'SUCCESS' and run_date < %s
            order by run_date desc
            limit 1
            """,
            (run_date,),
        )
        row = cur.fetchone()
    if row is None:
        return None
    return Holdings(
        current_allocations=previous_allocation(conn, run_date),
        liquidity_portfolio={token: usd for token, usd in row[0].items() if usd > 0},
    )
