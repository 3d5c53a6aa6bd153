"""load_report on a real database: pool labels and tokens on the plan, the ledger's flows.

The marts the report reads are created by hand with only the columns it uses, inside a
transaction that is rolled back, so the session's dbt-built tables are left as they were.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from psycopg2.extensions import connection

from core import db
from python_models.optimization.runs import ensure_schema
from python_models.reporting.chart import nav_series
from python_models.reporting.data import LedgerDay, load_report

DAY = dt.date(2025, 6, 3)
D1, D2 = DAY - dt.timedelta(days=2), DAY - dt.timedelta(days=1)

MARTS = """
drop schema if exists marts cascade;
drop schema if exists forecasts cascade;
drop schema if exists optimization cascade;
create schema marts;
create schema forecasts;
create table marts.defi_pools (pool_id text, project text, symbol text, chain text);
create table marts.pool_eligibility (
    pool_id text, eligibility_date date, tokens text[], apy_pct double precision,
    is_eligible boolean, failed_checks text[]);
create table marts.daily_ledger (
    ledger_date date, token_symbol text, start_balance numeric, net_flow numeric,
    price_usd numeric, nav_usd numeric);
create table marts.icebox_tokens (token_symbol text, reason text, added_at date, removed_at date);
create table forecasts.model_performance_metrics (
    run_date date, target text, metric text, metric_value double precision, is_selected boolean);
"""

ROWS = """
insert into marts.defi_pools values
    ('uuid-arb', 'fluid-lending', 'USDC', 'Arbitrum'),
    ('uuid-old', 'morpho-v1', 'USDC-USDC', 'Base');
insert into marts.pool_eligibility values
    ('uuid-arb', %(day)s, '{USDC}', 6.44, true, '{}'),
    ('uuid-old', %(day)s, '{USDC,USDC}', 2.1, false, '{tvl}');
insert into marts.daily_ledger values
    (%(d1)s, 'USDC', 100, 900, 1.0, 1000),
    (%(d2)s, 'USDC', 1000, 0, 1.0, 1000),
    (%(d2)s, 'ETH', 1, 0, 2000, 2000),
    (%(day)s, 'USDC', 1000, 500, 1.0, 1500),
    (%(day)s, 'ETH', 1, 0, 2100, 2100);
insert into optimization.optimization_runs (run_id, run_date, status, parameters,
    lists_snapshot, holdings_input, solver_stats, aum_usd, idle_after, started_at, finished_at,
    expected_yield_usd, gas_cost_usd, conversion_cost_usd, expected_profit_usd,
    dilution_cost_usd, unknown_liquidity_pools, liquidity_bound_positions)
values ('run-1', %(day)s, 'SUCCESS', '{}', '{}', '{}', '{}', 3600, '{"ETH": 2100, "DAI": 0}',
        now(), now(), 10, 1, 0, 9, 0.25, 7, 1);
insert into optimization.exposure_shares values
    ('run-1', %(day)s, 'protocol', 'fluid-lending', 41.7, 40),
    ('run-1', %(day)s, 'protocol', 'morpho-v1', 0, 40),
    ('run-1', %(day)s, 'chain', 'Arbitrum', 41.7, 100);
insert into optimization.daily_allocations values
    ('run-1', %(day)s, 'uuid-arb', 2, 1500, 0),
    ('run-1', %(day)s, 'uuid-gone', null, 0, 200);
insert into optimization.rebalance_plan values
    ('run-1', %(day)s, 1, 'withdraw', 'uuid-old', null, null, 200, 0.5),
    ('run-1', %(day)s, 2, 'deposit', 'uuid-arb', null, null, 1500, 0.1);
"""


@pytest.fixture
def marts(pg: db.PgConnection) -> Iterator[connection]:
    with db.connect(pg) as conn:
        with conn.cursor() as cur:
            cur.execute(MARTS)
            ensure_schema(conn)
            cur.execute(ROWS, {"day": DAY, "d1": D1, "d2": D2})
        yield conn
        conn.rollback()


def test_plan_steps_carry_the_pool_label_and_its_tokens(marts: connection) -> None:
    report = load_report(marts, DAY)
    withdraw, deposit = report.plan
    assert (withdraw.label, withdraw.tokens) == ("morpho-v1 USDC-USDC (Base)", ("USDC",))
    assert (deposit.label, deposit.tokens) == ("fluid-lending USDC (Arbitrum)", ("USDC",))
    assert [a.label for a in report.allocations] == ["fluid-lending USDC (Arbitrum)", "uuid-gone"]
    assert report.idle_usd == {"ETH": 2100.0}


def test_the_ledger_counts_opening_balances_and_transfers_as_flows(marts: connection) -> None:
    report = load_report(marts, DAY)
    assert report.ledger == [
        LedgerDay(D1, 1000.0, 1000.0),  # 100 held before the history + 900 received
        LedgerDay(D2, 3000.0, 2000.0),  # ETH's first day: its 1 ETH is money put in
        LedgerDay(DAY, 3600.0, 500.0),  # 500 USDC received; ETH up 100 USD
    ]
    assert nav_series(report.ledger).gain_usd == [0.0, 0.0, 100.0]


def test_the_run_says_what_bound_it(marts: connection) -> None:
    report = load_report(marts, DAY)
    assert [(e.dimension, e.name) for e in report.exposure] == [
        ("protocol", "fluid-lending"),
        ("protocol", "morpho-v1"),
        ("chain", "Arbitrum"),
    ]
    assert (report.dilution_cost_usd, report.unknown_liquidity_pools) == (0.25, 7)
    assert report.liquidity_bound_positions == 1
