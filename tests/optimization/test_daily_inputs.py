"""Step 13's market from the marts on a real database: family, curator, chain and withdrawable
liquidity per pool, the supply a lending market's APY is spread over, gas priced by the one
rule, the caps in force, stale inputs refused."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from psycopg2.extensions import connection

from core import db
from core.config import StrategyConfig
from python_models.decision.daily_inputs import StaleInputError, build_problem, day_market
from python_models.optimization import solve
from python_models.optimization.problem import Holdings

DAY = dt.date(2025, 6, 5)
COLUMNS = """
    eligibility_date date, pool_id text, is_eligible boolean, group_id integer, tokens text[],
    family text, curator text, chain text, apy_pct double precision, tvl_usd double precision,
    supply_per_tvl double precision, available_liquidity_usd double precision,
    deposit_gas_units integer, tx_fee_usd double precision, project text, symbol text,
    category text, is_usd_stablecoin_pool boolean, is_eligible_by_symbol boolean
"""
MARTS = f"""
drop schema if exists marts cascade;
drop schema if exists forecasts cascade;
drop schema if exists optimization cascade;
create schema marts;
create schema forecasts;
create table marts.defi_pools (pool_id text, last_seen_date date);
create table forecasts.gas_forecasts (run_date date, gas_price_gwei double precision);
create table forecasts.pool_forecasts (
    run_date date, pool_id text, target text, forecast_value double precision);
create table marts.pool_eligibility_by_day ({COLUMNS});
create table marts.exposure_caps_in_force (
    in_force_date date, dimension text, name text, max_pct double precision);
create table marts.token_prices_daily (token_symbol text, price_date date, close_usd float8);
insert into marts.defi_pools values ('aave', %(day)s), ('vault', %(day)s), ('base', %(day)s);
insert into forecasts.gas_forecasts values (%(day)s, 10.0);
insert into forecasts.pool_forecasts values
    (%(day)s, 'aave', 'apy_pct', 5.0), (%(day)s, 'aave', 'tvl_usd', 2e7),
    (%(day)s, 'vault', 'apy_pct', 6.0), (%(day)s, 'vault', 'tvl_usd', 1e7),
    (%(day)s, 'base', 'apy_pct', 4.0), (%(day)s, 'base', 'tvl_usd', 5e7);
-- aave: tvl is supply - borrows (80 M supplied, 60 M borrowed: 4 x the TVL); the vault is a
-- curated MetaMorpho vault of unknown liquidity; base is on another chain (a fixed fee)
insert into marts.pool_eligibility_by_day values
    (%(day)s, 'aave', true, 1, '{{USDC}}', 'aave', null, 'Ethereum', 4.9, 2e7, 4.0, 2e7,
     200000, null, 'aave-v3', 'USDC', 'lending', true, true),
    (%(day)s, 'vault', true, 2, '{{USDC}}', 'morpho', 'Steakhouse Financial', 'Ethereum', 6.1,
     1e7, null, null, 350000, null, 'morpho-blue', 'STEAKUSDC', 'vault', true, false),
    (%(day)s, 'base', true, 1, '{{USDC}}', 'aave', null, 'Base', 4.1, 5e7, null, null, null,
     0.02, 'aave-v3', 'USDC', 'lending', true, true),
    (%(day)s, 'gone', false, null, '{{USDT}}', 'fluid', null, 'Ethereum', 3.0, 1e6, null,
     null, 300000, null, 'fluid-lending', 'USDT', 'lending', true, true);
-- in force on the day: morpho at 10 percent (the seed names the family)
insert into marts.exposure_caps_in_force values (%(day)s, 'family', 'morpho', 10);
-- the decision prices gas with the ETH close of the day before
insert into marts.token_prices_daily values
    ('ETH', %(day)s - 1, 2500.0), ('ETH', %(day)s, 9999.0);
"""


@pytest.fixture
def marts(pg: db.PgConnection) -> Iterator[connection]:
    with db.connect(pg) as conn:
        with conn.cursor() as cur:
            cur.execute(MARTS, {"day": DAY})
        yield conn
        conn.rollback()


def test_the_market_carries_family_curator_chain_liquidity_and_priced_gas(marts) -> None:
    market = day_market(marts, DAY)
    pools = market.pools
    assert pools.loc["vault", "protocol"] == "morpho"
    assert pools.loc["vault", "curator"] == "Steakhouse Financial"
    assert market.eth_price_usd == 2500.0  # the close of D - 1, never D's
    gas = market.gas_usd
    assert gas["aave"] == pytest.approx(200_000 * 10e-9 * 2500)  # 5 USD
    assert gas["base"] == pytest.approx(0.02)
    assert market.caps["protocol"] == {"morpho": 10.0}

    problem = build_problem(
        marts, DAY, StrategyConfig(min_pools=2), Holdings(liquidity_portfolio={"USDC": 1e6})
    )
    by_id = {pool.pool_id: pool for pool in problem.pools}
    assert set(by_id) == {"aave", "vault", "base"}  # the ineligible pool is not held: left out
    # the forecast TVL scaled to the supply the APY is spread over (80 M / 20 M that day)
    assert by_id["aave"].tvl_usd == pytest.approx(8e7)
    assert by_id["aave"].available_liquidity_usd == 2e7
    assert by_id["vault"].available_liquidity_usd is None
    assert by_id["vault"].apy == 6.0  # the forecast, not the day before's actual
    assert problem.protocol_caps == {"morpho": 10.0}
    result = solve(problem)
    assert result.succeeded, result.reason
    assert result.exposure_pct["protocol"].get("morpho", 0) <= 10 + 1e-6
    assert result.exposure_pct["curator"].get("Steakhouse Financial", 0) <= 10 + 1e-6
    assert result.unknown_liquidity_pools == 2


def test_a_held_pool_no_longer_eligible_comes_to_be_withdrawn(marts) -> None:
    holdings = Holdings(current_allocations={"gone": 2e5}, liquidity_portfolio={"USDC": 8e5})
    problem = build_problem(marts, DAY, StrategyConfig(min_pools=2), holdings)
    gone = next(pool for pool in problem.pools if pool.pool_id == "gone")
    assert not gone.eligible and gone.apy == 3.0  # its last actual APY (no forecast)
    result = solve(problem)
    assert result.succeeded and "gone" not in result.allocations


def test_stale_inputs_are_refused(marts) -> None:
    with marts.cursor() as cur:
        cur.execute("delete from forecasts.pool_forecasts where pool_id = 'vault'")
    with pytest.raises(StaleInputError, match="lack a forecast"):
        build_problem(marts, DAY, StrategyConfig(), Holdings(liquidity_portfolio={"USDC": 1e6}))
    with marts.cursor() as cur:
        cur.execute("delete from forecasts.gas_forecasts")
    with pytest.raises(StaleInputError, match="no gas forecast"):
        day_market(marts, DAY)
