"""The daily flow end to end on the recordings: every step succeeds, re-running a day is
idempotent, and a bad configuration stops the run before any step."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from core import db
from flows import run_record
from yieldopt.console import attach, make_console
from yieldopt.run_day import run_daily
from yieldopt.summary import table_row_counts

DEMO_DATE = dt.date(2025, 6, 5)
SNAPSHOT_TABLES = (
    "raw_defillama.pools",
    "raw_etherscan.balances",
    "raw_etherscan.token_balances",
)
MERGED_TABLES = (
    "raw_defillama.pool_chart",
    "raw_coinmarketcap.ohlcv_daily",
    "raw_ethgastracker.gas_hourly",
    "raw_etherscan.daily_avg_gas_price",
    "raw_etherscan.transactions",
    "raw_etherscan.token_transfers",
)


def _step_statuses(info: db.PgConnection, day: dt.date) -> dict[str, str]:
    with db.connect(info) as conn, conn.cursor() as cur:
        run_record.ensure_tables(conn)
        cur.execute(
            "select step_name, status from ops.step_runs where run_date = %s order by step_no",
            (day,),
        )
        return dict(cur.fetchall())


def _snapshots(info: db.PgConnection) -> int:
    with db.connect(info) as conn, conn.cursor() as cur:
        cur.execute("select count(distinct fetched_at) from raw_defillama.pools")
        return cur.fetchone()[0]


@pytest.fixture(scope="module")
def demo_run(pg: db.PgConnection, prefect_api: None) -> dict[str, int]:
    assert run_daily(run_date=DEMO_DATE, replay=True)
    return dict(table_row_counts(pg))


def test_every_step_succeeds_on_the_recordings(pg: db.PgConnection, demo_run) -> None:
    statuses = _step_statuses(pg, DEMO_DATE)
    assert statuses and set(statuses.values()) == {"SUCCESS"}, statuses
    for table in (*MERGED_TABLES, "raw_defillama.pools"):
        assert demo_run.get(table, 0) > 0, table
    with db.connect(pg) as conn, conn.cursor() as cur:
        cur.execute("select status, attempts from ops.daily_runs where run_date = %s", (DEMO_DATE,))
        assert cur.fetchone() == ("SUCCESS", 1)


def test_rerunning_the_day_is_idempotent(pg: db.PgConnection, demo_run) -> None:
    before = dict(table_row_counts(pg))
    assert run_daily(run_date=DEMO_DATE, replay=True)
    after = dict(table_row_counts(pg))
    # the raw snapshot tables keep one snapshot per fetch; the curated layer takes the latest
    for table in SNAPSHOT_TABLES:
        assert after.pop(table) == 2 * before.pop(table), table
    assert after == before  # every other table: merged raw, curated, forecasts, optimization
    assert _snapshots(pg) == 2
    with db.connect(pg) as conn, conn.cursor() as cur:
        cur.execute("select attempts from ops.daily_runs where run_date = %s", (DEMO_DATE,))
        assert cur.fetchone()[0] == 2


def test_bad_configuration_stops_before_any_step(
    pg: db.PgConnection, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    bad = tmp_path / "strategy.yml"
    bad.write_text("parameters:\n  position_max_pct_total_assets: 250\n")
    day = dt.date(2025, 6, 1)
    attach(make_console())  # the console `yieldopt run` prints on
    assert not run_daily(run_date=day, replay=True, config_path=bad)
    assert "position_max_pct_total_assets=250" in capsys.readouterr().err
    assert _step_statuses(pg, day) == {}
