"""The run record on a real database: schema, idempotent days, previous allocation."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from core import db
from python_models.optimization import parse_problem, solve
from python_models.optimization.runs import previous_allocation, record_run

DAY = dt.date(2025, 3, 10)
LISTS = {"approved_tokens": ["USDC", "USDT"], "icebox": []}


def problem_json(min_pools: int, current: dict[str, float]) -> dict[str, Any]:
    return {
        "parameters": {
            "min_pools": min_pools,
            "position_max_pct_total_assets": 60,
            "conversion_rate": 0.0004,
        },
        "pools": [
            {
                "pool_id": "aave-usdc",
                "apy": 5.0,
                "tvl_usd": 1e9,
                "group": 1,
                "tokens": ["USDC"],
                "gas_usd": 10.0,
            },
            {
                "pool_id": "curve-usdc-usdt",
                "apy": 6.0,
                "tvl_usd": 1e9,
                "group": 2,
                "tokens": ["USDC", "USDT"],
                "gas_usd": 20.0,
            },
        ],
        "holdings": {"current_allocations": current, "liquidity_portfolio": {"USDC": 500_000}},
    }


@pytest.fixture
def conn(pg: db.PgConnection):
    with db.connect(pg) as connection:
        with connection.cursor() as cur:
            cur.execute("drop schema if exists optimization cascade")
        yield connection


def rows(conn, query: str, *params: Any) -> list[tuple]:
    with conn.cursor() as cur:
        cur.execute(query, params)
        return cur.fetchall()


def record(conn, day: dt.date, raw: dict[str, Any]) -> str:
    problem = parse_problem(raw)
    result = solve(problem)
    return record_run(conn, day, problem.parameters.snapshot(), LISTS, problem.holdings, result)


def test_success_is_recorded_with_allocation_and_plan(conn) -> None:
    run_id = record(conn, DAY, problem_json(2, {}))
    (run,) = rows(
        conn,
        "select run_id, status, error, parameters->>'min_pools', lists_snapshot, "
        "holdings_input->'liquidity_portfolio'->>'USDC', solver_stats->>'mip_gap', aum_usd, "
        "expected_profit_usd from optimization.optimization_runs",
    )
    assert run[:4] == (run_id, "SUCCESS", None, "2")
    assert run[4] == LISTS
    assert float(run[5]) == 500_000 and float(run[6]) <= 1e-6 and run[7] == 500_000
    assert run[8] > 0
    allocations = dict(
        rows(conn, "select pool_id, allocation_usd from optimization.daily_allocations")
    )
    assert set(allocations) == {"aave-usdc", "curve-usdc-usdt"}
    # group 2 is capped at group2_max_pct=50 % of AUM
    assert allocations["curve-usdc-usdt"] == pytest.approx(250_000, rel=1e-6)
    plan = rows(
        conn,
        "select step_no, action, token_symbol, to_token_symbol from "
        "optimization.rebalance_plan order by step_no",
    )
    assert [step[1] for step in plan] == ["convert", "deposit", "deposit"]
    assert plan[0][2:] == ("USDC", "USDT")
    assert previous_allocation(conn, DAY + dt.timedelta(days=1)) == pytest.approx(allocations)
    assert previous_allocation(conn, DAY) == {}


def test_rerecording_a_day_replaces_its_rows(conn) -> None:
    record(conn, DAY, problem_json(2, {}))
    second = record(conn, DAY, problem_json(1, {}))
    runs = rows(conn, "select run_id from optimization.optimization_runs")
    assert runs == [(second,)]
    for table in ("daily_allocations", "rebalance_plan"):
        assert {run_id for (run_id,) in rows(conn, f"select run_id from optimization.{table}")} == {
            second
        }


def test_infeasible_run_keeps_the_previous_allocation(conn) -> None:
    record(conn, DAY, problem_json(2, {}))
    kept = previous_allocation(conn, DAY + dt.timedelta(days=1))
    next_day = DAY + dt.timedelta(days=1)
    problem = parse_problem(problem_json(3, kept) | {"holdings": {"current_allocations": kept}})
    result = solve(problem)
    assert result.status == "infeasible"
    record_run(conn, next_day, problem.parameters.snapshot(), LISTS, problem.holdings, result)
    (run,) = rows(
        conn,
        "select status, error, expected_profit_usd from optimization.optimization_runs "
        "where run_date = %s",
        next_day,
    )
    assert run[0] == "INFEASIBLE" and "min_pools=3" in run[1] and run[2] is None
    day_rows = rows(
        conn,
        "select pool_id, allocation_usd, previous_usd from optimization.daily_allocations "
        "where run_date = %s",
        next_day,
    )
    assert {pool_id: usd for pool_id, usd, _ in day_rows} == pytest.approx(kept)
    assert all(usd == previous for _, usd, previous in day_rows)
    assert (
        rows(conn, "select * from optimization.rebalance_plan where run_date = %s", next_day) == []
    )
    # The day after still starts from the last successful allocation.
    assert previous_allocation(conn, next_day + dt.timedelta(days=1)) == pytest.approx(kept)


def test_exposure_liquidity_and_dilution_figures_are_recorded(conn) -> None:
    raw = problem_json(1, {})
    raw["parameters"] |= {
        "protocol_max_pct": 30,
        "position_max_pct_available_liquidity": 25,
        "apy_dilution": True,
    }
    raw["pools"][0] |= {"protocol": "aave-v3", "chain": "Ethereum", "tvl_usd": 2e6}
    raw["pools"][1] |= {
        "protocol": "curve-dex",
        "chain": "Ethereum",
        "available_liquidity_usd": 200_000,
    }
    raw["protocol_caps"] = {"curve-dex": 15}
    run_id = record(conn, DAY, raw)
    (run,) = rows(
        conn,
        "select dilution_cost_usd, unknown_liquidity_pools, liquidity_bound_positions "
        "from optimization.optimization_runs",
    )
    # aave-usdc: 5 % of its 2 M TVL = 100k earns 5 % × 2M / 2.1M instead of 5 %; curve: a
    # quarter of its 200k withdrawable liquidity, 50k, below its 15 % override of AUM (75k).
    given_up = 100_000 * 0.05 * 30 / 365 * (1 - 2e6 / 2.1e6) + 50_000 * 0.06 * 30 / 365 * (
        1 - 1e9 / (1e9 + 50_000)
    )
    assert run[0] == pytest.approx(given_up, rel=1e-6)
    assert run[1:] == (1, 1)
    shares = rows(
        conn,
        "select dimension, name, share_pct, cap_pct from optimization.exposure_shares "
        "where run_id = %s order by dimension, name",
        run_id,
    )
    # token exposure counts the idle tokens too: USDC idle plus the positions' USDC share
    assert shares == [
        ("chain", "Ethereum", pytest.approx(30), 100),
        ("protocol", "aave-v3", pytest.approx(20), 30),
        ("protocol", "curve-dex", pytest.approx(10), 15),
        ("token", "USDC", pytest.approx(95, abs=0.01), 100),
        ("token", "USDT", pytest.approx(5, abs=0.01), 100),
    ]
    positions = dict(
        (pool_id, (protocol, cap, bound))
        for pool_id, protocol, cap, bound in rows(
            conn,
            "select pool_id, protocol, liquidity_cap_usd, is_liquidity_bound "
            "from optimization.daily_allocations",
        )
    )
    assert positions["aave-usdc"] == ("aave-v3", None, False)
    assert positions["curve-usdc-usdt"][0] == "curve-dex"
    assert positions["curve-usdc-usdt"][1:] == (pytest.approx(50_000), True)
