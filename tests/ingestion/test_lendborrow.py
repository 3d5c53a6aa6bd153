"""DeFiLlama /lendBorrow through dlt into raw_defillama.lend_borrow, from the recording built
of the 41 real records (replay.builder.lendborrow), served by the replay server."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import logging
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from core import db
from core.paths import RECORDINGS_DIR
from ingestion.defillama.lendborrow import LEND_BORROW_ENDPOINT, lend_borrow_rows
from ingestion.errors import IngestionError
from ingestion.pipeline import load_lend_borrow, pipelines_dir
from replay import ReplayServer, replay_environment
from replay.faults import Status

DAY = dt.date(2025, 6, 5)
RECORDING = RECORDINGS_DIR / "defillama" / "lendborrow.json.gz"


@pytest.fixture
def database(pg: db.PgConnection) -> Iterator[db.PgConnection]:
    info = db.connection_info(f"{pg.dbname}_lendborrow_{uuid.uuid4().hex[:6]}")
    yield info
    db.drop_database(info)
    shutil.rmtree(pipelines_dir(info), ignore_errors=True)


def serve(recordings: Path) -> ReplayServer:
    return ReplayServer(recordings, as_of=DAY)


def test_the_recorded_snapshot_lands_in_the_raw_table(
    database: db.PgConnection, tmp_path: Path
) -> None:
    (tmp_path / "defillama").mkdir()
    shutil.copy(RECORDING, tmp_path / "defillama" / "lendborrow.json.gz")
    recorded = json.loads(gzip.decompress(RECORDING.read_bytes()))
    with serve(tmp_path) as server, replay_environment(server):
        loaded = load_lend_borrow(DAY, database)
    assert loaded.rows == {"raw_defillama.lend_borrow": len(recorded)}
    with db.connect(database) as conn, conn.cursor() as cur:
        cur.execute(
            "select pool, total_supply_usd, total_borrow_usd, minted_coin, run_date "
            "from raw_defillama.lend_borrow order by pool"
        )
        rows = cur.fetchall()
    first = min(recorded, key=lambda r: r["pool"])
    assert rows[0][:3] == (first["pool"], first["totalSupplyUsd"], first["totalBorrowUsd"])
    assert {row[4] for row in rows} == {DAY}
    assert "GHO" in {row[3] for row in rows}  # the minted coin's record is among them
    # re-running the day replaces its rows (merged on pool + run_date); the next day adds its own
    with serve(tmp_path) as server, replay_environment(server):
        load_lend_borrow(DAY, database)
        load_lend_borrow(DAY + dt.timedelta(days=1), database)
    with db.connect(database) as conn, conn.cursor() as cur:
        cur.execute(
            "select run_date, count(*) from raw_defillama.lend_borrow group by 1 order by 1"
        )
        assert cur.fetchall() == [(DAY, len(recorded)), (DAY + dt.timedelta(days=1), len(recorded))]


def test_dlt_does_not_warn_about_the_json_text_columns(
    database: db.PgConnection, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The json columns are JSON text on purpose (``JsonTextIsIntended``): dlt's warning that
    the Arrow hints differ would print on every run. dlt's logger does not propagate, so the
    capture handler goes on it."""
    (tmp_path / "defillama").mkdir()
    shutil.copy(RECORDING, tmp_path / "defillama" / "lendborrow.json.gz")
    dlt_logger = logging.getLogger("dlt")
    dlt_logger.addHandler(caplog.handler)
    try:
        with serve(tmp_path) as server, replay_environment(server):
            load_lend_borrow(DAY, database)
    finally:
        dlt_logger.removeHandler(caplog.handler)
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert not [w for w in warnings if "when merging arrow schema" in w], warnings


def test_without_a_recording_nothing_is_written_and_the_day_goes_on(
    database: db.PgConnection,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("RUNTIME__REQUEST_MAX_ATTEMPTS", "2")
    monkeypatch.setenv("RUNTIME__REQUEST_BACKOFF_FACTOR", "0.05")
    with serve(tmp_path) as server, replay_environment(server):
        assert load_lend_borrow(DAY, database).rows == {}
        server.inject("/defillama/lendBorrow", *[Status(500)] * 5)
        assert load_lend_borrow(DAY, database).rows == {}
    assert "withdrawable liquidity unknown today" in caplog.text


def test_a_body_that_is_not_the_documented_array_is_refused() -> None:
    with pytest.raises(IngestionError, match="not a JSON array"):
        lend_borrow_rows({"status": "success", "data": []}, DAY)
    with pytest.raises(IngestionError, match="required field 'pool'") as error:
        lend_borrow_rows([{"totalSupplyUsd": 1.0}], DAY)
    assert error.value.endpoint == LEND_BORROW_ENDPOINT
