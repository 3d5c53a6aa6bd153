"""Step 4 spends the free key's calls only on what the wallets' transfers cannot give, and
the ledger still matches the chain to the last base unit.

- Every recorded wallet: the token transfers and transactions step 4 loads sum exactly to
  the recorded ``tokenbalance`` and ``balance`` answers (integer base units).
- The demo day (the real recordings, free plan): one ``balancemulti`` call for the ETH
  balance, ``tokenbalance`` only for WETH (wraps emit no Transfer) and for the pool
  reserves' own tokens; ``marts.daily_ledger`` built by dbt equals, token by token, what the
  replayed chain answers at the run's moment.
- ``balancemulti`` asks 20 wallets a call; transfers that sum below zero get a
  ``tokenbalance`` call and a warning instead of a wrong derived balance.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import logging
import os
import shutil
import uuid
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any
from unittest.mock import patch

import pytest
import requests
from fake_clock import FakeClock
from recorded import AS_OF, WALLET

from core import db
from core.config import StrategyConfig
from core.paths import DBT_PROJECT_DIR, PROJECT_ROOT, RECORDINGS_DIR, SEEDS_DIR
from ingestion import seeds
from ingestion.etherscan import limits
from ingestion.etherscan.balances import CALLED_TOKENS, Running, reason_to_call, running_balances
from ingestion.pipeline import load_pools, load_prices, load_wallets, pipelines_dir
from replay import ReplayServer, replay_environment
from replay.plans import PLANS

ACCOUNTS = RECORDINGS_DIR / "etherscan" / "accounts"
DEMO_DAY = dt.date(2025, 6, 5)


def recorded(relative: Path) -> Any:
    opener = gzip.open if relative.suffix == ".gz" else open
    with opener(relative, "rt", encoding="utf-8") as handle:
        return json.load(handle)


def recorded_wallets() -> list[str]:
    """Recorded accounts with a transaction list (pool reserve contracts have none)."""
    return sorted(folder.name for folder in ACCOUNTS.iterdir() if any(folder.glob("txlist.*")))


def query(info: db.PgConnection, statement: str, params: Any = None) -> list[tuple[Any, ...]]:
    with db.connect(info) as conn, conn.cursor() as cur:
        cur.execute(statement, params)
        return cur.fetchall()


@pytest.fixture
def scratch_db(pg: db.PgConnection) -> Iterator[db.PgConnection]:
    info = db.connection_info(f"{pg.dbname}_wallet_{uuid.uuid4().hex[:6]}")
    yield info
    db.drop_database(info)
    shutil.rmtree(pipelines_dir(info), ignore_errors=True)


@pytest.fixture
def recorded_wallet_env(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    wallets = recorded_wallets()
    assert wallets, "the recordings hold no wallet"
    monkeypatch.setenv("SOURCES__ETHERSCAN__WALLETS", json.dumps(wallets))
    monkeypatch.setenv("RUNTIME__LOG_LEVEL", "WARNING")
    return wallets


# Per wallet and token contract: inbound minus outbound base units of the loaded transfers.
TRANSFER_SUMS = """
select lower(address), lower(contract_address),
       sum(case when lower("to") = lower(address) then value else 0 end)
       - sum(case when lower("from") = lower(address) then value else 0 end)
from raw_etherscan.token_transfers group by 1, 2
"""
# Per wallet: ETH in minus out of successful transactions, minus the gas of every one it
# sent (a reverted one, isError 1, moves no value and still pays its gas).
ETH_SUMS = """
select lower(address),
       sum(case when is_error = 0 and lower("to") = lower(address) then value else 0 end)
       - sum(case when is_error = 0 and lower("from") = lower(address) then value else 0 end)
       - sum(case when lower("from") = lower(address) then gas_used * gas_price else 0 end)
from raw_etherscan.transactions group by 1
"""


def test_loaded_transfers_sum_to_every_recorded_balance(
    scratch_db: db.PgConnection, recorded_wallet_env: list[str], fake_clock: FakeClock
) -> None:
    """What the ledger derives (Σ in − out of the loaded tokentx values per contract; ETH:
    Σ txlist values in − out − gas paid) is exactly the recorded chain answer."""
    last = max(
        int(record["timeStamp"])
        for wallet in recorded_wallet_env
        for action in ("txlist", "tokentx")
        for record in recorded(ACCOUNTS / wallet / f"{action}.json.gz")["result"]
    )
    run_date = dt.datetime.fromtimestamp(last, dt.UTC).date()
    with (
        ReplayServer(RECORDINGS_DIR, run_date + dt.timedelta(days=1), clock=fake_clock.monotonic)
        as server,
        replay_environment(server),
    ):  # fmt: skip
        load_wallets(run_date, scratch_db)
    sums = {
        (wallet, token): int(total) for wallet, token, total in query(scratch_db, TRANSFER_SUMS)
    }
    eth = {wallet: int(total) for wallet, total in query(scratch_db, ETH_SUMS)}
    fetched = dict(query(scratch_db, "select address, balance_wei from raw_etherscan.balances"))
    tracked = [t for t in seeds.tracked_tokens() if t.contract_address]
    for wallet in recorded_wallet_env:
        for token in tracked:
            path = ACCOUNTS / wallet / "tokenbalance" / f"{token.contract_address}.json"
            chain = int(recorded(path)["result"]) if path.exists() else 0
            assert sums.get((wallet, token.contract_address), 0) == chain, token.symbol
        chain_wei = int(recorded(ACCOUNTS / wallet / "balance.json")["result"])
        assert eth[wallet] == chain_wei
        assert int(fetched[wallet]) == chain_wei  # balancemulti's answer
    assert sum(1 for value in sums.values() if value > 0) >= 4  # USDC, USDT, DAI, WETH held


@pytest.fixture(scope="module")
def demo_day(pg: db.PgConnection, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """Steps 2 and 4 (and step 1, whose /pools snapshot names the reserve pools' tokens) of
    the demo day on the real recordings served as a free Etherscan key (3 calls/s) on a
    simulated clock, then ``dbt build --select +daily_ledger``; with the chain's answers at
    the run's moment for every wallet and tracked token."""
    info = db.connection_info(f"{pg.dbname}_ledger_{uuid.uuid4().hex[:6]}")
    wallets = recorded_wallets()
    clock = FakeClock()
    settings = {
        "SOURCES__ETHERSCAN__WALLETS": json.dumps(wallets),
        "SOURCES__COINMARKETCAP__HISTORY_START": "2025-04-01",
        "RUNTIME__LOG_LEVEL": "WARNING",
    }
    plan = PLANS["free-etherscan-startup-cmc"]
    try:
        with (
            pytest.MonkeyPatch.context() as patcher,
            ReplayServer(RECORDINGS_DIR, DEMO_DAY, plan=plan, clock=clock.monotonic) as server,
            replay_environment(server),
        ):
            limiter = limits.RateLimiter(clock=clock.monotonic, sleep=clock.sleep)
            patcher.setattr(limits, "LIMITER", limiter)
            for name, value in settings.items():
                patcher.setenv(name, value)
            load_pools(DEMO_DAY, info)
            load_prices(DEMO_DAY, info)
            before = len(server.requests_to("/etherscan"))
            rows = load_wallets(DEMO_DAY, info).rows
            calls = server.requests_to("/etherscan")[before:]
            chain = _chain_answers(server, wallets)
            refused = server.etherscan_rate_refusals
        target = tmp_path_factory.mktemp("ledger_target")
        _dbt_build(info, target, "+daily_ledger")
        yield {"info": info, "rows": rows, "calls": calls, "chain": chain, "refused": refused}
    finally:
        db.drop_database(info)
        shutil.rmtree(pipelines_dir(info), ignore_errors=True)


def _chain_answers(server: ReplayServer, wallets: list[str]) -> dict[str, int]:
    """Symbol -> base units the wallets hold, as the (replayed) chain answers single calls
    of account/balance and account/tokenbalance at the run's moment."""

    def ask(**params: str) -> int:
        base = {"chainid": "1", "apikey": "ledger-test-key", "module": "account", "tag": "latest"}
        url = f"{server.base_urls['etherscan']}/v2/api"
        body = requests.get(url, params={**base, **params}, timeout=10).json()
        assert body["status"] == "1", body
        return int(body["result"])

    held: Counter[str] = Counter()
    # the server's 3 calls/s window runs on the simulated clock, which these calls do not move
    with patch.object(server, "plan", PLANS["unlimited"]):
        for wallet in wallets:
            held["ETH"] += ask(action="balance", address=wallet)
            for token in seeds.tracked_tokens():
                if token.contract_address:
                    held[token.symbol] += ask(
                        action="tokenbalance",
                        address=wallet,
                        contractaddress=token.contract_address,
                    )
    return dict(held)


def _dbt_build(info: db.PgConnection, target: Path, *selection: str) -> None:
    """``dbt build`` of ``selection`` on ``info``'s database, in a private target folder."""
    from dbt.cli.main import dbtRunner

    dbt_vars = {**StrategyConfig().dbt_vars(), "run_date": DEMO_DAY.isoformat()}
    with patch.dict(os.environ, info.libpq_env()):
        outcome = dbtRunner().invoke(
            [
                "build",
                "--select",
                *selection,
                "--exclude-resource-type",
                "unit_test",
                "--indirect-selection",
                "cautious",  # not the tests that also read marts outside the selection
                "--project-dir",
                str(DBT_PROJECT_DIR),
                "--profiles-dir",
                str(PROJECT_ROOT),
                "--target-path",
                str(target),
                "--log-path",
                str(target / "logs"),
                "--no-partial-parse",
                "--vars",
                json.dumps(dbt_vars),
            ]
        )
    if outcome.exception is not None:
        raise outcome.exception
    failed = [
        f"{r.node.name}: {r.status} {r.message or ''}"
        for r in (getattr(outcome.result, "results", None) or [])
        if str(r.status) in {"error", "fail", "warn", "runtime error"}
    ]
    assert outcome.success and not failed, failed


def test_step_4_calls_only_what_the_transfers_cannot_give(demo_day: dict) -> None:
    actions = Counter(r.params["action"] for r in demo_day["calls"])
    reserves = seeds.pool_reserve_contracts(SEEDS_DIR)
    wallet_calls = [r for r in demo_day["calls"] if r.params["address"] in recorded_wallets()]
    # ETH of every wallet in one call; of the wallet's tokens only those Transfer logs miss
    assert actions["balancemulti"] == 1 and actions["balance"] == 0
    asked = {
        r.params["contractaddress"] for r in wallet_calls if r.params["action"] == "tokenbalance"
    }
    tracked = {t.contract_address for t in seeds.tracked_tokens() if t.contract_address}
    assert asked == tracked & set(CALLED_TOKENS)  # WETH
    # the reserve contracts: their pool's own tokens (3pool 3, the Uniswap pairs 2 each)
    reserve_calls = [r for r in demo_day["calls"] if r.params.get("address") in reserves.values()]
    assert len(reserve_calls) == 3 + 2 * (len(reserves) - 1)
    assert actions == {"balancemulti": 1, "tokenbalance": 1 + len(reserve_calls), "txlist": 1,
                       "tokentx": 1}  # fmt: skip
    assert demo_day["refused"] == 0
    # what they cost at 3 calls/s: 15 calls, 14 slots of 1.1/3 s (81 calls, ~29 s, before)
    times = [r.at for r in demo_day["calls"]]
    assert times[-1] - times[0] == pytest.approx((len(times) - 1) * 1.1 / 3)
    assert demo_day["rows"]["raw_etherscan.balances"] == 1
    assert demo_day["rows"]["raw_etherscan.token_balances"] == len(asked) + len(reserve_calls)


def test_the_ledger_matches_the_chain_to_the_base_unit(demo_day: dict) -> None:
    """marts.daily_ledger on the run date, token by token, is what account/balance and
    account/tokenbalance answer at the run's moment: exact in base units, whether the
    balance was fetched (ETH, WETH) or summed from the transfers (the stablecoins)."""
    decimals = {t.symbol: t.decimals for t in seeds.tracked_tokens()}
    ledger = dict(
        query(
            demo_day["info"],
            "select token_symbol, end_balance from marts.daily_ledger where ledger_date = %s",
            (DEMO_DAY,),
        )
    )
    chain = demo_day["chain"]
    assert {"ETH", "USDC", "USDT", "DAI"} <= {symbol for symbol, units in chain.items() if units}
    for symbol, units in chain.items():
        in_ledger = Decimal(ledger.get(symbol, 0)).scaleb(decimals[symbol] or 18)
        assert in_ledger == units, symbol


def test_balancemulti_asks_twenty_wallets_a_call(
    replay: ReplayServer,
    ingest_db: db.PgConnection,
    seeds_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    fake_clock: FakeClock,
) -> None:
    others = [f"0x{n:040x}" for n in range(1, 25)]
    monkeypatch.setenv("SOURCES__ETHERSCAN__WALLETS", json.dumps([WALLET, *others]))
    before = len(replay.requests_to("/etherscan"))
    rows = load_wallets(AS_OF, ingest_db, seeds_dir).rows
    multi = [
        r.params["address"].split(",")
        for r in replay.requests_to("/etherscan")[before:]
        if r.params["action"] == "balancemulti"
    ]
    assert [len(addresses) for addresses in multi] == [20, 5]
    assert rows["raw_etherscan.balances"] == 25
    zero = query(
        ingest_db,
        "select count(*) from raw_etherscan.balances where balance_wei = 0 and address = any(%s)",
        (others,),
    )
    assert zero == [(24,)]  # Etherscan's answer for an empty account


def test_transfers_summing_below_zero_get_a_tokenbalance_call(
    replay: ReplayServer,
    ingest_db: db.PgConnection,
    seeds_dir: Path,
    fake_clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The test wallet's loaded history only sends USDC (the rest is older than what the
    recordings hold): its USDC balance is asked, with a warning; tokens it never moved and
    that Transfer logs account for are not asked."""
    caplog.set_level(logging.WARNING)
    before = len(replay.requests_to("/etherscan"))
    load_wallets(AS_OF, ingest_db, seeds_dir)
    asked = {
        r.params["contractaddress"]
        for r in replay.requests_to("/etherscan")[before:]
        if r.params["action"] == "tokenbalance" and r.params["address"] == WALLET
    }
    usdc = "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48"
    assert asked == {usdc, *CALLED_TOKENS} & {
        t.contract_address for t in seeds.tracked_tokens(seeds_dir)
    }
    assert f"USDC of {WALLET}: the summed transfers fall to -" in caplog.text


def test_a_block_is_netted_before_the_balance_is_checked() -> None:
    """Within a block Etherscan's order of logs is its own: a swap that sends before it
    receives is not a balance below zero; a block that leaves less than nothing is."""
    wallet, other, token = "0x" + "a" * 40, "0x" + "b" * 40, "0x" + "c" * 40

    def transfer(block: int, sender: str, receiver: str, value: int) -> dict[str, Any]:
        return {"blockNumber": block, "from": sender, "to": receiver, "value": value,
                "contractAddress": token}  # fmt: skip

    start = {token: Running(balance=5)}
    swap = [transfer(10, wallet, other, 8), transfer(10, other, wallet, 8)]
    assert running_balances(wallet, swap, start)[token] == Running(5, 0, None)
    assert reason_to_call(token, running_balances(wallet, swap, start)[token]) is None
    overdrawn = [*swap, transfer(11, wallet, other, 7), transfer(12, other, wallet, 9)]
    after = running_balances(wallet, overdrawn, start)[token]
    assert after == Running(7, -2, 11)
    reason, warn = reason_to_call(token, after)  # type: ignore[misc]
    assert warn and "fall to -2 at block 11" in reason
    # WETH is asked whatever its transfers say: its wraps and unwraps log no Transfer
    weth = next(c for c, why in CALLED_TOKENS.items() if why.startswith("WETH"))
    assert reason_to_call(weth, None) == (CALLED_TOKENS[weth], False)
