"""The market, wallet and reporting models built by dbt on the replayed recordings.

The raw tables are loaded through the real ingestion code (``raw_loaded``), dbt builds the
models with their data tests and unit tests, and the assertions read the marts as the Python
steps and the analysts do.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from dbt_runs import RAW_AS_OF, failed_nodes, run_dbt

from core import db
from python_models.forecasting import store as forecast_store
from python_models.optimization import runs as optimization_runs

MARKET_MODELS = ("+icebox_tokens", "+gas_fees_daily", "+gas_fees_hourly", "+daily_ledger")
ICEBOX_MODELS = (
    "int_token_prices_daily",
    "token_prices_daily",
    "int_icebox_signals_evaluated",
    "int_icebox_episodes",
    "icebox_tokens",
)


def _query(info: db.PgConnection, sql: str, params: tuple[Any, ...] = ()) -> list[tuple]:
    with db.connect(info) as conn, conn.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def _build(info: db.PgConnection, target: Path, run_date: dt.date, *args: str) -> None:
    outcome = run_dbt(info, ["build", *args], run_date.isoformat(), target)
    assert outcome.success, failed_nodes(outcome)


@pytest.fixture(scope="module")
def market_built(raw_loaded: db.PgConnection, dbt_target: Path) -> Iterator[db.PgConnection]:
    """Seeds, staging and the market/wallet marts as of RAW_AS_OF, tests included."""
    _build(
        raw_loaded,
        dbt_target,
        RAW_AS_OF,
        "--select",
        *MARKET_MODELS,
        "--exclude",
        "source:forecasts",
    )
    yield raw_loaded


def test_usdc_enters_the_icebox_on_the_svb_depeg_and_leaves_days_later(
    market_built: db.PgConnection,
) -> None:
    rows = _query(
        market_built,
        """
        select added_at, removed_at, signal, reason
        from marts.icebox_tokens
        where token_symbol = 'USDC' and added_at between '2023-03-01' and '2023-03-31'
        """,
    )
    assert len(rows) == 1, rows
    added_at, removed_at, signal, reason = rows[0]
    assert added_at == dt.date(2023, 3, 11)
    assert removed_at is not None
    assert dt.date(2023, 3, 12) <= removed_at <= dt.date(2023, 3, 25)
    assert signal == "L"
    assert "0.877" in reason


def test_icebox_of_a_past_day_is_the_same_when_rerun(
    market_built: db.PgConnection, dbt_target: Path
) -> None:
    """Episodes come from prices <= run_date only: rebuilding for an earlier day gives the
    episodes that were known then (later exits are still open)."""
    past = dt.date(2023, 3, 13)
    now = _query(market_built, "select * from marts.icebox_tokens order by 1, 2")
    try:
        # cautious: the tests that also read marts left at RAW_AS_OF stay out of this build
        _build(
            market_built,
            dbt_target,
            past,
            "--select",
            *ICEBOX_MODELS,
            "--indirect-selection",
            "cautious",
        )
        then = _query(market_built, "select * from marts.icebox_tokens order by 1, 2")
    finally:
        _build(market_built, dbt_target, RAW_AS_OF, "--select", *ICEBOX_MODELS)
    assert ("USDC", dt.date(2023, 3, 11)) in {(row[0], row[1]) for row in then}
    known_then = {(row[0], row[1]) for row in now if row[1] <= past}
    assert {(row[0], row[1]) for row in then} == known_then
    usdc_then = next(row for row in then if row[0] == "USDC" and row[1] == dt.date(2023, 3, 11))
    assert usdc_then[2] is None, "the exit after 2023-03-13 must not be known on 2023-03-13"
    assert _query(market_built, "select * from marts.icebox_tokens order by 1, 2") == now


def test_token_prices_have_no_future_rows_and_consistent_returns(
    market_built: db.PgConnection,
) -> None:
    (latest,) = _query(market_built, "select max(price_date) from marts.token_prices_daily")[0]
    assert latest is not None and latest <= RAW_AS_OF
    mismatches = _query(
        market_built,
        """
        select today.token_symbol, today.price_date
        from marts.token_prices_daily as today
        join marts.token_prices_daily as yesterday
            on yesterday.token_symbol = today.token_symbol
            and yesterday.price_date = today.price_date - 1
        where abs(today.return_1d - (today.close_usd / yesterday.close_usd - 1)) > 1e-12
        """,
    )
    assert mismatches == []
    (with_cap,) = _query(
        market_built,
        "select count(*) from marts.token_prices_daily where price_date = %s "
        "and market_cap_usd > 0",
        (RAW_AS_OF,),
    )[0]
    assert with_cap > 0, "the run date's market caps feed the eligibility filter"


def test_gas_fees_daily_has_actual_prices_in_gwei(market_built: db.PgConnection) -> None:
    rows = _query(
        market_built,
        """
        select count(*), min(avg_gas_price_gwei), max(avg_gas_price_gwei),
               count(*) filter (where eth_price_usd is null and gas_date > %s - 30),
               max(gas_date)
        from marts.gas_fees_daily
        where avg_gas_price_gwei is not null
        """,
        (RAW_AS_OF,),
    )
    days, lowest, highest, without_eth_price, last_day = rows[0]
    assert days > 30
    # gwei, not wei: real daily averages since 2021 lie between ~0.1 and a few hundred gwei.
    assert lowest > 0.01 and highest < 2000
    assert without_eth_price == 0, "the last 30 days need an ETH price for gas in USD"
    assert last_day <= RAW_AS_OF
    (hours,) = _query(
        market_built,
        "select count(*) from marts.gas_fees_hourly where gas_hour < %s::date + 1",
        (RAW_AS_OF,),
    )[0]
    assert hours > 0


def test_daily_ledger_matches_the_balance_snapshots(market_built: db.PgConnection) -> None:
    """On the snapshot's run date the ledger's end balance is the fetched balance."""
    snapshots = _query(
        market_built,
        """
        select token_symbol, sum(balance)
        from intermediate.int_wallet_balance_snapshots_unioned
        where run_date = %s
        group by token_symbol
        """,
        (RAW_AS_OF,),
    )
    if not snapshots:
        pytest.fail("the recordings hold no wallet: nothing to check the ledger against")
    ledger = dict(
        _query(
            market_built,
            "select token_symbol, end_balance from marts.daily_ledger where ledger_date = %s",
            (RAW_AS_OF,),
        )
    )
    for token, balance in snapshots:
        assert float(ledger[token]) == pytest.approx(float(balance), rel=1e-12, abs=1e-12), token
    (nav,) = _query(
        market_built,
        "select sum(nav_usd) from marts.daily_ledger where ledger_date = %s",
        (RAW_AS_OF,),
    )[0]
    assert nav is not None and nav > 0


def test_stages_run_in_order_and_reporting_reads_the_optimizer_output(
    raw_loaded: db.PgConnection, dbt_target: Path
) -> None:
    """The flow's three stages on the same database: before_forecast, after_forecast (with
    the Python schemas present), then after_optimization over one recorded run."""
    _build(raw_loaded, dbt_target, RAW_AS_OF, "--selector", "before_forecast")
    with db.connect(raw_loaded) as conn:
        forecast_store.ensure_schema(conn)
        optimization_runs.ensure_schema(conn)
        with conn.cursor() as cur:
            cur.execute(
                """
                insert into forecasts.gas_forecasts
                    (run_date, forecast_date, gas_price_gwei, eth_price_usd, model_name)
                values (%s, %s + 1, 3.5, 2500, 'test')
                on conflict (run_date) do nothing
                """,
                (RAW_AS_OF, RAW_AS_OF),
            )
    _build(raw_loaded, dbt_target, RAW_AS_OF, "--selector", "after_forecast")
    (forecast,) = _query(
        raw_loaded,
        "select forecast_gas_price_gwei from marts.gas_fees_daily where gas_date = %s + 1",
        (RAW_AS_OF,),
    )[0]
    assert float(forecast) == 3.5
    pool_id = _query(raw_loaded, "select pool_id from marts.defi_pools limit 1")[0][0]
    with db.connect(raw_loaded) as conn, conn.cursor() as cur:
        cur.execute(
            """
            insert into optimization.optimization_runs
                (run_id, run_date, status, parameters, lists_snapshot, holdings_input,
                 solver_stats, aum_usd, expected_yield_usd, gas_cost_usd, conversion_cost_usd,
                 expected_profit_usd, started_at, finished_at)
            values ('test-run', %s, 'SUCCESS', '{"horizon_days": 30}', '{}', '{}', '{}',
                    1000000, 4000, 50, 10, 3940, now() - interval '3 seconds', now())
            """,
            (RAW_AS_OF,),
        )
        cur.execute(
            """
            insert into optimization.daily_allocations
                (run_id, run_date, pool_id, group_id, allocation_usd, previous_usd)
            values ('test-run', %s, %s, 1, 250000, 0)
            """,
            (RAW_AS_OF, pool_id),
        )
    _build(raw_loaded, dbt_target, RAW_AS_OF, "--selector", "after_optimization")
    report = _query(
        raw_loaded,
        "select change_kind, share_of_aum_pct, project from marts.allocation_report "
        "where run_id = 'test-run'",
    )
    assert [(kind, float(share)) for kind, share, _ in report] == [("opened", 25.0)]
    assert report[0][2] is not None
    summary = _query(
        raw_loaded,
        "select pools_held, idle_usd, expected_net_apy_pct from "
        "marts.optimization_run_summary where run_id = 'test-run'",
    )
    pools_held, idle, net_apy = summary[0]
    assert pools_held == 1 and float(idle) == 750000
    assert float(net_apy) == pytest.approx(100 * 3940 / 1e6 * 365 / 30)


def test_selectors_place_models_in_their_stage(raw_loaded: db.PgConnection, dbt_target: Path):
    def members(selector: str) -> set[str]:
        outcome = run_dbt(
            raw_loaded,
            ["ls", "--selector", selector, "--resource-type", "model", "--output", "name"],
            RAW_AS_OF.isoformat(),
            dbt_target,
        )
        assert outcome.success
        return set(outcome.result)

    before, histories, after_forecast, after_optimization = (
        members("before_forecast"),
        members("histories"),
        members("after_forecast"),
        members("after_optimization"),
    )
    assert {"icebox_tokens", "token_prices_daily", "gas_fees_daily", "daily_ledger"} <= before
    assert {"allocation_report", "optimization_run_summary"}.isdisjoint(before)
    assert {"pool_daily_metrics", "pool_groups", "pool_eligibility"} <= histories < before
    assert {"icebox_tokens", "token_prices_daily", "daily_ledger"}.isdisjoint(histories)
    assert "gas_fees_daily" in after_forecast and "pool_daily_summary" in after_forecast
    assert "pool_daily_summary" not in before
    assert {"allocation_report", "optimization_run_summary", "daily_ledger"} <= after_optimization
    assert "allocation_report" not in after_forecast
