"""The backtest on the recorded data, on a real PostgreSQL, through the real ingestion and dbt.

A database of this module's own gets the recorded API responses (the replay server, as of
END) for ten recorded stablecoin pools on four chains (among them the yardsticks' Aave v3 USDC
and Steakhouse USDC on Ethereum), the by-day marts for the range, and a 41-day backtest. The
tests read what it wrote: the ``backtest`` tables and the files. Then every raw row dated
after CUT is altered and the same range is built and run again: nothing decided up to CUT
may change. Last, the command line is interrupted mid-run, and refuses a bad capital.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from core import db
from core.config import StrategyConfig
from flows.backtest import backtest_build
from ingestion.pipeline import pipelines_dir
from python_models.backtest.market import MarketDays, read_market_data
from python_models.backtest.portfolios import (
    BUY_AND_HOLD,
    PORTFOLIOS,
    REFERENCES,
    default_portfolios,
)
from python_models.backtest.portfolios import STRATEGY_NAME as STRATEGY
from python_models.backtest.run import RunOutcome, run_backtest
from python_models.backtest.simulator import Settings
from replay.backtest_data import load_recordings

START, END = dt.date(2025, 3, 1), dt.date(2025, 4, 10)
CUT = dt.date(2025, 3, 20)
POOLS = [
    "d9fa8e14-0447-4207-9ae8-7810199dfa1f",  # aave-v3 USDC Arbitrum
    "1b8b4cdb-0728-42a8-bf13-2c8fea7427ee",  # aave-v3 USDC Polygon
    "7e0661bf-8cf3-45e6-9424-31916d4c7b84",  # aave-v3 USDC Base
    "a8e3d841-2788-4647-ad54-5a36fac451b1",  # aave-v3 DAI Arbitrum
    "7372edda-f07f-4598-83e5-4edec48c4039",  # fluid-lending USDC Base
    "4c45cc9e-e1a4-43c9-8a3d-687d96abb07c",  # fluid-lending USDC Arbitrum
    "aa70268e-4b52-42bf-a116-608b370f9501",  # aave-v3 USDC Ethereum (aave_v3_usdc)
    "4e8cc592-c8d5-4824-8155-128ba521e903",  # fluid-lending USDT Ethereum
    "a44febf3-34f6-4cd5-8ab1-f246ebe49f9e",  # morpho-blue STEAKUSDC Ethereum (curated_vault)
    "468e4c2c-02df-427a-b2c7-5cea3a77014a",  # morpho-blue GTUSDCCORE Ethereum
]
CONFIG = StrategyConfig(payback_days=7, group2_max_pct=100, group3_max_pct=100)
ALTER_FUTURE = """
update raw_defillama.pool_chart set apy = apy * 3 + 1, tvl_usd = tvl_usd / 20
where chart_date > %(cut)s;
update raw_defillama.pools set apy = apy * 3 + 1, tvl_usd = tvl_usd / 20
where run_date > %(cut)s;
update raw_coinmarketcap.ohlcv_daily set close = close * 0.9, low = low * 0.8
where quote_date > %(cut)s;
update raw_etherscan.daily_avg_gas_price set avg_gas_price_wei = avg_gas_price_wei * 10
where utc_date > %(cut)s;
"""


@pytest.fixture(scope="module")
def database(pg: db.PgConnection) -> Iterator[db.PgConnection]:
    """A database of this module's own, named in the environment for dbt and the CLI."""
    info = db.connection_info(f"{pg.dbname}_backtest_{uuid.uuid4().hex[:6]}")
    saved = {key: os.environ.get(key) for key in ("PGDATABASE", "YIELDOPT_DATABASE")}
    os.environ.update({"PGDATABASE": info.dbname, "YIELDOPT_DATABASE": info.dbname})
    yield info
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    db.drop_database(info)
    shutil.rmtree(pipelines_dir(info), ignore_errors=True)


def backtest(info: db.PgConnection, folder: Path, capital: float = 1_000_000.0) -> RunOutcome:
    settings = Settings(START, END, CONFIG, capital_usd=capital)
    with db.connect(info) as conn:
        market = MarketDays(read_market_data(conn, START, END), CONFIG.holding_days)
    return run_backtest(info, market, settings, folder, default_portfolios())


def build() -> None:
    backtest_build.fn(START, END, CONFIG.snapshot(), with_upstream=True)


@pytest.fixture(scope="module")
def first_run(database: db.PgConnection, tmp_path_factory: pytest.TempPathFactory) -> RunOutcome:
    load_recordings(database, END, POOLS, since=START)
    build()
    return backtest(database, tmp_path_factory.mktemp("first"))


def query(info: db.PgConnection, statement: str, **params: object) -> pd.DataFrame:
    with db.connect(info) as conn, conn.cursor() as cur:
        cur.execute(statement, params)
        return pd.DataFrame(cur.fetchall(), columns=[c.name for c in cur.description])


def decisions(info: db.PgConnection, run_id: str) -> pd.DataFrame:
    """Status, plan and positions held of every portfolio and day of a run, as text (but the
    oracle's, which sees the future by definition)."""
    return query(
        info,
        """
        select
            nav.portfolio, nav.trade_date, nav.status,
            coalesce((
                select string_agg(concat_ws(' ', step.action, step.pool_id, step.token_symbol,
                    round(step.amount_usd::numeric, 4)), '; ' order by step.step_no)
                from backtest.plan_steps as step
                where step.run_id = nav.run_id and step.portfolio = nav.portfolio
                    and step.trade_date = nav.trade_date
            ), '') as plan,
            coalesce((
                select string_agg(held.pool_id || ' ' || round(held.allocation_usd::numeric, 4),
                    '; ' order by held.pool_id)
                from backtest.daily_holdings as held
                where held.run_id = nav.run_id and held.portfolio = nav.portfolio
                    and held.trade_date = nav.trade_date
            ), '') as held
        from backtest.daily_nav as nav
        where nav.run_id = %(run_id)s and nav.portfolio <> 'oracle'  -- foresight by design
        order by nav.trade_date, nav.portfolio
        """,
        run_id=run_id,
    )


def test_every_day_of_every_portfolio_is_in_the_database_and_the_files(
    database: db.PgConnection, first_run: RunOutcome
) -> None:
    nav = query(
        database, "select * from backtest.daily_nav where run_id = %(r)s", r=first_run.run_id
    )
    assert len(nav) == 41 * len(PORTFOLIOS)
    assert set(nav["portfolio"]) == set(PORTFOLIOS)
    files = pd.read_csv(first_run.folder / "days.csv", parse_dates=["trade_date"])
    both = files.assign(trade_date=files["trade_date"].dt.date).merge(
        nav, on=["portfolio", "trade_date"], suffixes=("_file", "_db")
    )
    assert len(files) == len(both) == len(nav)
    assert both["nav_usd_file"].to_numpy() == pytest.approx(both["nav_usd_db"].to_numpy())
    run = query(database, "select * from backtest.runs where run_id = %(r)s", r=first_run.run_id)
    assert run.at[0, "status"] == "completed"
    document = json.loads((first_run.folder / "summary.json").read_text())
    assert document == run.at[0, "summary"] == first_run.summary
    assert {"strategy", "references", "baselines", "excess", "walk_forward"} <= set(document)
    assert {"equal_weight", "best_yesterday", "buy_and_hold"} <= set(document["baselines"])
    assert set(document["references"]) == set(REFERENCES)
    assert set(document["baselines"]) | set(document["references"]) == set(PORTFOLIOS) - {STRATEGY}
    assert (first_run.folder / "nav.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    report = (first_run.folder / "report.md").read_text()
    assert all(f"| {name} |" in report for name in PORTFOLIOS)
    # the first line says whether following it beat what a treasury would do instead
    assert "Following the strategy earned" in report.splitlines()[2]
    assert report.index("| aave_v3_usdc |") < report.index("| hold_rules |")
    # the strategy invested from the first day and the pools were enough for min_pools
    strategy = nav[nav["portfolio"] == STRATEGY]
    assert (strategy["positions"] >= CONFIG.min_pools).all()


def test_the_aave_yardstick_earns_the_pools_recorded_apy(
    database: db.PgConnection, first_run: RunOutcome
) -> None:
    """All capital in Aave v3 USDC from the first day: the pool's recorded daily APY
    compounded over the days, less one deposit's gas and the dilution by 1 M USD."""
    history = query(
        database,
        "select metric_date, apy_pct from marts.pool_daily_metrics "
        "where pool_id = %(p)s and metric_date between %(a)s and %(b)s order by metric_date",
        p=POOLS[6],
        a=START,
        b=END,
    )
    recorded = (
        float(((1 + history["apy_pct"].astype(float) / 100) ** (1 / 365)).prod())
        ** (365 / len(history))
        - 1
    ) * 100
    aave = first_run.summary["references"]["aave_v3_usdc"]
    assert aave["net_apy"] == pytest.approx(recorded, abs=0.05)
    assert aave["days_holding_ineligible"] == 0  # not counted for a yardstick


def test_costs_are_the_plans_and_the_nav_moves_by_yield_minus_costs(
    database: db.PgConnection, first_run: RunOutcome
) -> None:
    days = query(
        database,
        """
        select
            nav.portfolio, nav.trade_date, nav.nav_usd, nav.invested_usd, nav.yield_usd,
            nav.gas_usd, nav.conversion_usd,
            coalesce(sum(step.gas_usd), 0) as plan_gas_usd,
            coalesce(sum(step.cost_usd), 0) as plan_conversion_usd,
            (select coalesce(sum(held.end_usd), 0) from backtest.daily_holdings as held
             where held.run_id = nav.run_id and held.portfolio = nav.portfolio
                 and held.trade_date = nav.trade_date) as held_end_usd
        from backtest.daily_nav as nav
        left join backtest.plan_steps as step
            on step.run_id = nav.run_id and step.portfolio = nav.portfolio
                and step.trade_date = nav.trade_date
        where nav.run_id = %(r)s
        group by nav.run_id, nav.portfolio, nav.trade_date, nav.nav_usd, nav.invested_usd,
            nav.yield_usd, nav.gas_usd, nav.conversion_usd
        order by nav.portfolio, nav.trade_date
        """,
        r=first_run.run_id,
    ).astype({"nav_usd": float, "plan_gas_usd": float, "plan_conversion_usd": float})
    assert days["gas_usd"].to_numpy() == pytest.approx(days["plan_gas_usd"].to_numpy())
    assert days["conversion_usd"].to_numpy() == pytest.approx(
        days["plan_conversion_usd"].to_numpy()
    )
    assert days["invested_usd"].to_numpy() == pytest.approx(days["held_end_usd"].to_numpy())
    for _, rows in days.groupby("portfolio"):
        before = [1_000_000.0, *rows["nav_usd"].to_numpy()[:-1]]
        expected = before + rows["yield_usd"] - rows["gas_usd"] - rows["conversion_usd"]
        # a token a few cents short after a solve is set to zero (solver tolerance)
        assert rows["nav_usd"].to_numpy() == pytest.approx(expected.to_numpy(), abs=0.1)
    strategy = days[days["portfolio"] == STRATEGY]
    # the strategy may stay in USDC pools (no conversion); some portfolio converts
    assert strategy["gas_usd"].sum() > 0 and days["conversion_usd"].sum() > 0


def test_buy_and_hold_trades_once(database: db.PgConnection, first_run: RunOutcome) -> None:
    steps = query(
        database,
        "select distinct portfolio, trade_date from backtest.plan_steps where run_id = %(r)s",
        r=first_run.run_id,
    )
    assert list(steps[steps["portfolio"] == BUY_AND_HOLD]["trade_date"]) == [START]


def test_a_dao_treasury_is_diluted_and_capped_by_the_pools_it_joins(
    database: db.PgConnection, first_run: RunOutcome, tmp_path: Path
) -> None:
    large = backtest(database, tmp_path, capital=100_000_000.0)
    strategy, small = large.summary["strategy"], first_run.summary["strategy"]
    assert strategy["dilution_bp"] > small["dilution_bp"] > 0
    assert strategy["net_apy"] < small["net_apy"]  # the same pools pay less to a larger sum
    bound = " ".join(strategy["idle_by_bound"])
    assert "position_max_pct_pool_tvl" in bound or "position_max_pct_available_liquidity" in bound


def test_altering_the_future_changes_no_decision_up_to_it(
    database: db.PgConnection, first_run: RunOutcome, tmp_path: Path
) -> None:
    with db.connect(database) as conn, conn.cursor() as cur:
        cur.execute(ALTER_FUTURE, {"cut": CUT})
    build()
    second = backtest(database, tmp_path)
    before = decisions(database, first_run.run_id)
    after = decisions(database, second.run_id)
    # the decision of D reads data dated up to D - 1: days up to CUT + 1 cannot move
    known = before["trade_date"] <= CUT + dt.timedelta(days=1)
    pd.testing.assert_frame_equal(before[known], after[known])
    assert not before[~known].reset_index(drop=True).equals(after[~known].reset_index(drop=True))


@pytest.mark.e2e  # the command line as a subprocess, interrupted
def test_ctrl_c_leaves_the_days_done_readable(
    database: db.PgConnection, first_run: RunOutcome, tmp_path: Path
) -> None:
    command = [
        str(Path(sys.executable).with_name("yieldopt")),
        "backtest",
        *("--start", START.isoformat(), "--end", END.isoformat()),
        *("--output", str(tmp_path), "--sweep", "payback_days=7,14,30"),
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    days = tmp_path / "payback_days=7" / "days.csv"
    # a bound on the wait, not on speed: a busy machine may take minutes to reach day 5
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline and process.poll() is None:
        if days.exists() and len(days.read_text().splitlines()) > 1 + len(PORTFOLIOS) * 5:
            break
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=60) == 130
    written = pd.read_csv(days)
    count = len(PORTFOLIOS)
    assert 5 * count <= len(written) < 41 * count and len(written) % count == 0
    run = query(
        database,
        "select run_id, status, summary from backtest.runs where output_dir = %(d)s",
        d=str(days.parent),
    )
    assert run.at[0, "status"] == "interrupted"
    stored = query(
        database,
        "select count(*) as n from backtest.daily_nav where run_id = %(r)s",
        r=run.at[0, "run_id"],
    )
    assert stored.at[0, "n"] == len(written)
    assert json.loads((days.parent / "summary.json").read_text()) == run.at[0, "summary"]
    assert not (tmp_path / "payback_days=14").exists()


@pytest.mark.e2e  # the command line as a subprocess
@pytest.mark.parametrize("capital", ["0", "-5", "lots"])
def test_a_capital_that_is_not_a_positive_number_is_refused_before_anything_runs(
    database: db.PgConnection, tmp_path: Path, capital: str
) -> None:
    command = [
        str(Path(sys.executable).with_name("yieldopt")),
        "backtest",
        *("--start", START.isoformat(), "--end", END.isoformat()),
        *("--output", str(tmp_path / "out"), "--capital", capital),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert done.returncode == 2
    assert "capital" in done.stderr.lower()
    assert not (tmp_path / "out").exists()
