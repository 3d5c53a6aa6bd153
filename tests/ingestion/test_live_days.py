"""Five live days per provider plan through the ingestion steps 1-4 (where the providers
differ), against the real recordings served as the plans answer: a free Etherscan key
(3 calls/s, the API Pro refusal) with a CoinMarketCap Startup key, and with no CoinMarketCap
key (the free price path). The days include a catch-up (a day skipped, then run late) and a
rerun, and the daily prices must have every token on every day. The whole ``yieldopt run``
of such days is bench/live_days.py; one of them runs in test_live_run.py.

Etherscan's rate limiter and the server's calls-per-second window run on one simulated
clock (``fake_clock``): the limiter's real spacing, checked call by call, without the ~20 s
a scenario would wait for it at 3 calls/s.
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import uuid
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path

import pytest
from fake_clock import FakeClock, most_in_one_second

from core import db
from core.paths import RECORDINGS_DIR, SEEDS_DIR
from ingestion.pipeline import load_gas, load_pools, load_prices, load_wallets, pipelines_dir
from replay import ReplayServer
from replay.live import SCENARIOS, Scenario, live_environment, price_gaps

START = dt.date(2025, 6, 1)
# Run order: three days, a catch-up after a missed day, a rerun of it, then the last day.
RUNS = [START, START + dt.timedelta(days=1), START + dt.timedelta(days=3)]
RUNS += [START + dt.timedelta(days=2), START + dt.timedelta(days=3), START + dt.timedelta(days=4)]
TRACKED = "USDC", "DAI", "ETH", "WETH", "BTC"
# Etherscan calls of one run: step 3 dailyavggasprice (refused: API Pro) and the gas-oracle
# poll; step 4 balancemulti, WETH's tokenbalance of the wallet (its wraps emit no Transfer),
# Curve 3pool's tracked tokens (DAI, USDC), one txlist and one tokentx page.
CALLS_PER_RUN = 2 + 1 + 1 + 2 + 2


@pytest.fixture(scope="module")
def seeds_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Five tracked tokens and Curve 3pool's reserve contract."""
    folder = tmp_path_factory.mktemp("live_seeds")
    lines = (SEEDS_DIR / "tracked_tokens.csv").read_text().splitlines()
    kept = [lines[0], *(line for line in lines[1:] if line.split(",")[0] in TRACKED)]
    (folder / "tracked_tokens.csv").write_text("\n".join(kept) + "\n")
    reserves = (SEEDS_DIR / "pool_reserve_contracts.csv").read_text().splitlines()
    (folder / "pool_reserve_contracts.csv").write_text("\n".join(reserves[:2]) + "\n")
    return folder


def run_days(
    scenario: Scenario,
    info: db.PgConnection,
    seeds: Path,
    monkeypatch: pytest.MonkeyPatch,
    clock: FakeClock,
) -> list[tuple[int, list[float]]]:
    """Steps 1-4 of every run in RUNS; per run the Etherscan calls refused for the rate and
    the (simulated) times of all Etherscan calls."""
    for variable in ("COINMARKETCAP_API_KEY", "ETHERSCAN_API_KEY", "SOURCES__COINMARKETCAP__PLAN"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("RUNTIME__REQUEST_BACKOFF_FACTOR", "0.05")
    runs = []
    for day in RUNS:
        with ReplayServer(RECORDINGS_DIR, day, plan=scenario.plan, clock=clock.monotonic) as server:
            for name, value in live_environment(server, scenario).items():
                monkeypatch.setenv(name, value)
            load_pools(day, info)
            load_prices(day, info, seeds)
            load_gas(day, info)
            load_wallets(day, info, seeds)
            times = [r.at for r in server.requests_to("/etherscan")]
            runs.append((server.etherscan_rate_refusals, times))
    return runs


@pytest.fixture
def live_db(pg: db.PgConnection) -> Iterator[db.PgConnection]:
    info = db.connection_info(f"{pg.dbname}_live_{uuid.uuid4().hex[:6]}")
    yield info
    db.drop_database(info)
    shutil.rmtree(pipelines_dir(info), ignore_errors=True)


def count(info: db.PgConnection, query: str) -> int:
    with db.connect(info) as conn, conn.cursor() as cur:
        cur.execute(query)
        return cur.fetchone()[0]


@pytest.mark.parametrize("name", ["startup", "free"])
def test_five_live_days_leave_no_price_gap(
    name: str,
    live_db: db.PgConnection,
    seeds_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    fake_clock: FakeClock,
) -> None:
    scenario = SCENARIOS[name]
    caplog.set_level(logging.WARNING)
    runs = run_days(scenario, live_db, seeds_dir, monkeypatch, fake_clock)
    last_complete = RUNS[-1] - dt.timedelta(days=1)
    if scenario.free_prices:
        first = START - dt.timedelta(days=60)  # the free path's default history
        assert "prices from DeFiLlama's coins API (the free path)" in caplog.text
        assert (
            count(live_db, "select count(distinct run_date) from raw_defillama_coins.market_caps")
            == 5
        )
    else:
        first = START - dt.timedelta(days=30)  # a Startup plan's month
        latest = "select max(quote_date) from raw_coinmarketcap.ohlcv_daily"
        assert count(live_db, latest) == last_complete  # never the day in progress
        earliest = "select min(quote_date) from raw_coinmarketcap.ohlcv_daily"
        assert count(live_db, earliest) == first
    assert price_gaps(live_db, scenario, first, last_complete, TRACKED) == dict.fromkeys(TRACKED, 0)
    # the Pro refusal named the plan and the day went on with the oracle poll
    assert "your Etherscan plan does not include this API Pro endpoint" in caplog.text
    assert count(live_db, "select count(*) from raw_etherscan.gas_oracle") >= 1
    assert count(live_db, "select to_regclass('raw_etherscan.daily_avg_gas_price') is null")
    # the client-side limiter kept every run under the free plan's 3 calls/s: no call was
    # refused, none arrived closer than its 1.1/3 s slot, and each run made its calls only
    for refusals, times in runs:
        assert refusals == 0
        assert most_in_one_second(times) == 3
        assert min(b - a for a, b in pairwise(times)) == pytest.approx(1.1 / 3)
        assert len(times) == CALLS_PER_RUN
        # what the calls cost the run at 3 calls/s: ~2.6 s (11 calls, ~3.7 s, before step 4
        # derived the wallet's token balances from its transfers)
        assert times[-1] - times[0] == pytest.approx((CALLS_PER_RUN - 1) * 1.1 / 3)
    # transfers keyed on (hash, logIndex): reruns and catch-ups duplicated none
    dupes = """select count(*) from (select hash, log_index from raw_etherscan.token_transfers
               group by hash, log_index having count(*) > 1) as d"""
    assert count(live_db, dupes) == 0
