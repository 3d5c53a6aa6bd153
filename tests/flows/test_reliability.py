"""The daily flow when things go wrong, on the recordings and a real Postgres: a run killed
mid-way completes on the next run with nothing duplicated; stale inputs stop the day before
the allocation, with a readable reason, and yesterday's allocation stays the current one.
The completed day posts its report to a fake Slack API without the token reaching any log."""

from __future__ import annotations

import datetime as dt
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fake_slack import FAKE_SLACK_TOKEN, FakeSlack
from prefect.settings import PREFECT_API_URL
from pytest_httpserver import HTTPServer

from core import db
from core.config import load_config
from core.paths import RECORDINGS_DIR
from flows.daily import daily_flow
from python_models.decision.daily_inputs import StaleInputError, build_problem
from python_models.optimization.runs import previous_holdings
from replay import ReplayServer, empty_list, replay_environment
from yieldopt.run_day import run_daily

KILLED_DAY = dt.date(2025, 6, 6)
ROOT = Path(__file__).resolve().parents[2]
YIELDOPT = str(Path(sys.executable).parent / "yieldopt")
# natural key of every table a run writes by merge, or per fetch for the snapshot tables
NATURAL_KEYS = {
    "raw_defillama.pools": "pool, fetched_at",  # one snapshot per fetch
    "raw_defillama.pool_chart": "pool, chart_date",
    "raw_coinmarketcap.ohlcv_daily": "symbol, quote_date",
    "raw_coinmarketcap.quotes_latest": "symbol, run_date",
    "raw_ethgastracker.gas_hourly": "network, period",
    "raw_etherscan.daily_avg_gas_price": "utc_date",
    "raw_etherscan.transactions": "address, hash",
    "raw_etherscan.token_transfers": "address, hash, log_index",
    "raw_etherscan.balances": "address, fetched_at",
    "forecasts.pool_forecasts": "run_date, pool_id, target",
    "optimization.daily_allocations": "run_date, pool_id",
}


def _query(info: db.PgConnection, query: str, params: tuple = ()) -> list[tuple]:
    with db.connect(info) as conn, conn.cursor() as cur:
        cur.execute(query, params)
        return cur.fetchall()


def _wait_for_step(info: db.PgConnection, day: dt.date, step_no: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _query(
            info,
            """
            select 1 from information_schema.tables
            where table_schema = 'ops' and table_name = 'step_runs'
            """,
        ) and _query(
            info,
            "select 1 from ops.step_runs where run_date = %s and step_no = %s and status = %s",
            (day, step_no, "SUCCESS"),
        ):
            return
        time.sleep(0.2)
    raise AssertionError(f"step {step_no} of {day} did not finish within {timeout}s")


def _run_failing_day(day: dt.date, as_of: dt.date, inject=None) -> bool:
    """Run ``day`` against the recordings as they were on ``as_of`` (APIs that lag)."""
    config = load_config(None)
    with ReplayServer(RECORDINGS_DIR, as_of=as_of) as server, replay_environment(server):
        if inject:
            inject(server)
        state = daily_flow(run_date=day, parameters=config.snapshot(), return_state=True)
    return state.is_completed()


def _day_record(info: db.PgConnection, day: dt.date) -> tuple:
    rows = _query(
        info, "select status, failed_step, error from ops.daily_runs where run_date = %s", (day,)
    )
    assert rows, f"no run record for {day}"
    return rows[0]


@pytest.fixture(scope="module")
def slack_server() -> Iterator[HTTPServer]:
    server = HTTPServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def killed_then_rerun(
    pg: db.PgConnection,
    prefect_api: None,
    slack_server: HTTPServer,
    request: pytest.FixtureRequest,
) -> dict:
    """Kill a run of KILLED_DAY during step 9, then run the day again with Slack configured."""
    env = {**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value()}
    env.pop("SLACK_BOT_TOKEN", None)
    process = subprocess.Popen(
        [YIELDOPT, "run", "--replay", "--date", str(KILLED_DAY)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        _wait_for_step(pg, KILLED_DAY, 5, timeout=300)
        time.sleep(1.0)  # inside step 9: chart fetch and its dbt rebuild
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    killed = _day_record(pg, KILLED_DAY)
    steps_before = _query(
        pg, "select step_no from ops.step_runs where run_date = %s order by 1", (KILLED_DAY,)
    )
    fake = FakeSlack(slack_server, valid_token=FAKE_SLACK_TOKEN)
    fake.install()
    monkeypatch = pytest.MonkeyPatch()
    request.addfinalizer(monkeypatch.undo)
    monkeypatch.setenv("SLACK_BOT_TOKEN", FAKE_SLACK_TOKEN)
    monkeypatch.setenv("SLACK_API_BASE_URL", fake.base_url)
    monkeypatch.setenv("SLACK_CHANNEL", "#treasury")
    capture = logging.getLogger()
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append
    capture.addHandler(handler)
    try:
        completed = run_daily(run_date=KILLED_DAY, replay=True)
    finally:
        capture.removeHandler(handler)
    return {
        "killed": killed,
        "steps_before": [row[0] for row in steps_before],
        "completed": completed,
        "slack": fake,
        "log": "\n".join(f"{r.name} {r.getMessage()}" for r in records),
    }


def test_killed_run_completes_on_rerun_without_duplicates(
    pg: db.PgConnection, killed_then_rerun: dict
) -> None:
    assert killed_then_rerun["killed"][0] == "RUNNING"  # killed: never closed
    assert 5 in killed_then_rerun["steps_before"] and 15 not in killed_then_rerun["steps_before"]
    assert killed_then_rerun["completed"]
    assert _day_record(pg, KILLED_DAY) == ("SUCCESS", None, None)
    statuses = _query(
        pg, "select distinct status from ops.step_runs where run_date = %s", (KILLED_DAY,)
    )
    assert statuses == [("SUCCESS",)]
    for table, key in NATURAL_KEYS.items():
        ((total, distinct),) = _query(pg, f"select count(*), count(distinct ({key})) from {table}")
        assert total == distinct > 0, table
    runs = _query(
        pg,
        "select status, count(*) from optimization.optimization_runs where run_date = %s "
        "group by 1",
        (KILLED_DAY,),
    )
    assert runs == [("SUCCESS", 1)]


def test_completed_day_posts_to_slack_without_leaking_the_token(
    killed_then_rerun: dict, capfd: pytest.CaptureFixture
) -> None:
    fake: FakeSlack = killed_then_rerun["slack"]
    assert fake.methods() == [
        "chat.postMessage",
        "files.getUploadURLExternal",
        "files.completeUploadExternal",
    ]
    message = fake.calls[0]["payload"]
    assert message["channel"] == "#treasury"
    assert str(KILLED_DAY) in message["text"]
    assert fake.uploads and fake.uploads[0].startswith(b"\x89PNG")
    assert all(call["token"] == FAKE_SLACK_TOKEN for call in fake.calls)
    assert FAKE_SLACK_TOKEN not in killed_then_rerun["log"]
    out, err = capfd.readouterr()
    assert FAKE_SLACK_TOKEN not in out + err


def test_stale_gas_stops_the_day_before_the_allocation(
    pg: db.PgConnection, killed_then_rerun: dict
) -> None:
    day = KILLED_DAY + dt.timedelta(days=3)
    # the gas APIs answer, but with nothing after KILLED_DAY: two days old on the run date
    assert not _run_failing_day(day, as_of=KILLED_DAY)
    status, failed_step, error = _day_record(pg, day)
    assert (status, failed_step) == ("FAILED", "fetch gas")
    assert "gas data is stale" in error and str(KILLED_DAY) in error
    steps = _query(
        pg, "select step_no, status from ops.step_runs where run_date = %s order by 1", (day,)
    )
    assert steps == [(1, "SUCCESS"), (2, "SUCCESS"), (3, "FAILED")]
    assert not _query(
        pg, "select 1 from optimization.optimization_runs where run_date = %s", (day,)
    )
    with db.connect(pg) as conn:
        kept = previous_holdings(conn, day + dt.timedelta(days=1))
    assert kept is not None and kept.current_allocations  # the last good allocation stands


def test_missing_pools_snapshot_stops_the_day(pg: db.PgConnection, killed_then_rerun: dict) -> None:
    day = KILLED_DAY + dt.timedelta(days=1)

    def no_pools(server: ReplayServer) -> None:
        server.inject("/defillama/pools", empty_list())

    assert not _run_failing_day(day, as_of=day, inject=no_pools)
    status, failed_step, error = _day_record(pg, day)
    assert (status, failed_step) == ("FAILED", "fetch pools")
    assert "defillama GET /pools: the response holds no pools" in error
    assert not _query(pg, "select 1 from raw_defillama.pools where run_date = %s", (day,))
    assert not _query(
        pg, "select 1 from optimization.optimization_runs where run_date = %s", (day,)
    )
    # and the optimizer's own guard refuses a day whose snapshot is missing
    with (
        db.connect(pg) as conn,
        pytest.raises(StaleInputError, match=f"no pools snapshot for {day}"),
    ):
        build_problem(conn, day, load_config(None))
