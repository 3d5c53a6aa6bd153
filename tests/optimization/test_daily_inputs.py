"""The day's problem from the marts on a real database: protocol, chain and withdrawable
liquidity per pool, the supply a lending market's APY is spread over, unknown liquidity."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from psycopg2.extensions import connection

from core import db
from core.config import StrategyConfig
from python_models.optimization import solve
from python_models.decision.daily_inputs import build_problem
from python_models.optimization.problem import Holdings

DAY = dt.date(2025, 6, 5)
MARTS = """
drop schema if exists marts cascade;
drop schema if exists forecasts cascade;
drop schema if exists optimization cascade;
drop schema if exists seeds cascade;
create schema marts;
create schema forecasts;
create schema seeds;
create table seeds.exposure_caps (
    dimension text, name text, max_pct double precision, added_at date, removed_at date,
    note text);
-- in force: fluid-lending at 10 percent; ended before the day: curve-dex at 1 percent
insert into seeds.exposure_caps values
    ('protocol', 'fluid-lending', 10, %(day)s - 30, null, 'young protocol'),
    ('protocol', 'curve-dex', 1, %(day)s - 30, %(day)s, 'incident, resolved');
create table marts.defi_pools (pool_id text, last_seen_date date);
create table forecasts.gas_forecasts (run_date date, gas_price_gwei double precision);
create table forecasts.pool_forecasts (
    run_date date, pool_id text, target text, forecast_value double precision);
create table marts.pool_gas_costs (
    pool_id text, cost_date date, action text, gas_usd double precision);
create table marts.pool_eligibility (
    pool_id text, eligibility_date date, is_eligible boolean, group_id integer, tokens text[],
    apy_pct double precision, tvl_usd double precision, project text, chain text);
create table marts.pool_liquidity (
    pool_id text, liquidity_date date, total_supply_usd double precision,
    available_liquidity_usd double precision, tvl_usd double precision);
insert into marts.defi_pools values ('aave', %(day)s), ('fluid', %(day)s), ('curve', %(day)s);
insert into forecasts.gas_forecasts values (%(day)s, 3.0);
insert into forecasts.pool_forecasts values
    (%(day)s, 'aave', 'apy_pct', 5.0), (%(day)s, 'aave', 'tvl_usd', 2e7),
    (%(day)s, 'fluid', 'apy_pct', 6.0), (%(day)s, 'fluid', 'tvl_usd', 1e7),
    (%(day)s, 'curve', 'apy_pct', 4.0), (%(day)s, 'curve', 'tvl_usd', 5e7);
insert into marts.pool_gas_costs values
    ('aave', %(day)s, 'deposit', 5), ('fluid', %(day)s, 'deposit', 5),
    ('curve', %(day)s, 'deposit', 8);
insert into marts.pool_eligibility values
    ('aave', %(day)s, true, 1, '{USDC}', 5.0, 2e7, 'aave-v3', 'Ethereum'),
    ('fluid', %(day)s, true, 1, '{USDC}', 6.0, 1e7, 'fluid-lending', 'Ethereum'),
    ('curve', %(day)s, true, 1, '{USDC,USDT}', 4.0, 5e7, 'curve-dex', 'Ethereum');
-- aave: tvl is supply - borrows (80 M supplied, 60 M borrowed); fluid: tvl is the supply
insert into marts.pool_liquidity values
    ('aave', %(day)s, 8e7, 2e7, 2e7),
    ('fluid', %(day)s, 1e7, 4e6, 1e7),
    ('aave', %(day)s - 1, 1e9, 1e9, 1e9);
"""


@pytest.fixture
def marts(pg: db.PgConnection) -> Iterator[connection]:
    with db.connect(pg) as conn:
        with conn.cursor() as cur:
            cur.execute(MARTS, {"day": DAY})
        yield conn
        conn.rollback()


def test_pools_carry_protocol_chain_and_the_days_withdrawable_liquidity(marts) -> None:
    holdings = Holdings(liquidity_portfolio={"USDC": 1e6})
    problem = build_problem(marts, DAY, StrategyConfig(min_pools=2), holdings)
    pools = {pool.pool_id: pool for pool in problem.pools}
    assert (pools["aave"].protocol, pools["aave"].chain) == ("aave-v3", "Ethereum")
    assert pools["aave"].available_liquidity_usd == 2e7
    # the forecast TVL scaled to the supply the APY is spread over (80 M / 20 M that day)
    assert pools["aave"].tvl_usd == pytest.approx(8e7)
    assert pools["fluid"].tvl_usd == pytest.approx(1e7)
    assert pools["fluid"].available_liquidity_usd == 4e6
    assert pools["curve"].available_liquidity_usd is None
    assert pools["curve"].tvl_usd == pytest.approx(5e7)
    assert problem.protocol_caps == {"fluid-lending": 10.0}
    result = solve(problem)
    assert result.succeeded, result.reason
    assert result.exposure_pct["protocol"].get("fluid-lending", 0) <= 10 + 1e-6
    assert result.exposure_cap_pct["protocol"].get("fluid-lending", 10) == 10
    assert result.unknown_liquidity_pools == 1
    assert set(result.exposure_pct["protocol"]) <= {"aave-v3", "fluid-lending", "curve-dex"}
    assert max(result.exposure_pct["protocol"].values()) <= 40 + 1e-6
