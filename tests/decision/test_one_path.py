"""One decision path: on recorded days the daily flow and the backtest build the same problem.

The daily flow runs three consecutive recorded days in a database of its own (each replayed
as the APIs answered at 02:30 UTC that day; from the second day on it holds positions), and
records each day's problem (``optimization.problem_pools``, the holdings, the parameters and
the caps in force). A second database gets the recordings the way ``yieldopt backtest
--replay`` loads them (every recorded history, as of the last day) and the by-day marts of
the range; the backtest's market then gives each day's market, and the one problem builder
turns it, with the daily run's holdings, into a problem. The two must be equal: the same
pools, each fed the same forecast, TVL, gas, group, tokens, family, curator, chain and
liquidity, the same caps and parameters.
"""

from __future__ import annotations

import datetime as dt

import pytest
from databases import own_database

from core import db
from core.config import load_config, parse_config
from flows.backtest import backtest_build
from python_models.backtest.market import MarketDays, read_market_data
from python_models.decision.problem import build_problem
from python_models.optimization.problem import Problem
from replay.backtest_data import load_recordings
from yieldopt.run_day import run_daily

DAYS = [dt.date(2025, 6, 3), dt.date(2025, 6, 4), dt.date(2025, 6, 5)]
POOL_QUERY = """
select pool_id, is_eligible, group_id, apy_pct, tvl_usd, gas_usd, tokens, protocol, curator,
       chain, available_liquidity_usd
from optimization.problem_pools
where run_date = %s
order by pool_id
"""


def recorded_problem(conn: object, day: dt.date) -> Problem:
    """The problem the daily run of ``day`` solved, read back from its run record."""
    with conn.cursor() as cur:  # type: ignore[attr-defined]
        cur.execute(
            "select parameters, holdings_input, lists_snapshot from optimization.optimization_runs "
            "where run_date = %s",
            (day,),
        )
        parameters, holdings, lists = cur.fetchone()
        cur.execute(POOL_QUERY, (day,))
        pools = [
            {
                "pool_id": pool_id,
                "eligible": eligible,
                "group": group,
                "apy": apy,
                "tvl_usd": tvl,
                "gas_usd": gas,
                "tokens": list(tokens),
                "protocol": protocol,
                "curator": curator,
                "chain": chain,
                "available_liquidity_usd": liquidity,
            }
            for pool_id, eligible, group, apy, tvl, gas, tokens, protocol, curator, chain, liquidity in (
                cur.fetchall()
            )
        ]
    caps = {f"{dimension}_caps": names for dimension, names in lists["exposure_caps"].items()}
    return Problem.model_validate(
        {
            "parameters": parse_config(parameters),
            "pools": pools,
            "holdings": holdings,
            **{key: names for key, names in caps.items() if names},
        }
    )


@pytest.fixture(scope="module")
def daily_problems(pg: db.PgConnection, prefect_api: None) -> dict[dt.date, Problem]:
    """Each day's problem as the daily flow recorded it, in a database of its own."""
    with own_database(pg, "daily") as info:
        for day in DAYS:
            assert run_daily(run_date=day, replay=True), f"the daily run of {day} failed"
        with db.connect(info) as conn:
            return {day: recorded_problem(conn, day) for day in DAYS}


def test_the_backtest_builds_the_daily_runs_problem_on_each_recorded_day(
    pg: db.PgConnection, daily_problems: dict[dt.date, Problem]
) -> None:
    config = load_config()
    with own_database(pg, "backtest") as info:
        load_recordings(info, DAYS[-1], since=DAYS[0])
        backtest_build.fn(DAYS[0], DAYS[-1], config.snapshot(), with_upstream=True)
        with db.connect(info) as conn:
            market = MarketDays(read_market_data(conn, DAYS[0], DAYS[-1]), config.holding_days)
    held_days = 0
    for day in DAYS:
        daily = daily_problems[day]
        held_days += bool(daily.holdings.current_allocations)
        rebuilt = build_problem(market.day(day), daily.holdings, config)
        assert {p.pool_id for p in rebuilt.pools} == {p.pool_id for p in daily.pools}, day
        ours = {pool.pool_id: pool for pool in rebuilt.pools}
        for pool in daily.pools:
            theirs = ours[pool.pool_id].model_dump()
            for field, value in pool.model_dump().items():
                if isinstance(value, float):
                    assert theirs[field] == pytest.approx(value, rel=1e-9, abs=1e-9), (
                        day,
                        pool.pool_id,
                        field,
                    )
                else:
                    assert theirs[field] == value, (day, pool.pool_id, field)
        assert rebuilt.parameters == daily.parameters
        assert (rebuilt.protocol_caps, rebuilt.curator_caps) == (
            daily.protocol_caps,
            daily.curator_caps,
        )
        assert (rebuilt.chain_caps, rebuilt.token_caps) == (daily.chain_caps, daily.token_caps)
    assert held_days >= 1  # at least one day decided with positions held
