"""One whole live day on the free price path: ``yieldopt run --date D`` as a subprocess,
without ``--replay``, its base URLs pointed at the replay server acting as a free Etherscan
key with no CoinMarketCap key; the 15 steps complete and token_prices_daily has every
tracked token from DeFiLlama's coins API. (Five such days per plan: bench/live_days.py.)"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from core import db
from core.paths import PROJECT_ROOT, RECORDINGS_DIR
from ingestion.pipeline import pipelines_dir
from ingestion.seeds import tracked_tokens
from replay import ReplayServer
from replay.live import CLEARED, SCENARIOS, live_environment

# a whole day as a subprocess on a fresh database: end to end, whatever its fixtures say
pytestmark = pytest.mark.e2e

DAY = dt.date(2025, 6, 5)


def test_a_live_day_completes_on_the_free_price_path(pg: db.PgConnection) -> None:
    scenario = SCENARIOS["free"]
    info = db.connection_info(f"{pg.dbname}_liverun_{uuid.uuid4().hex[:6]}")
    base = {k: v for k, v in os.environ.items() if k not in CLEARED}
    try:
        with ReplayServer(RECORDINGS_DIR, DAY, plan=scenario.plan) as server:
            env = {**base, **live_environment(server, scenario), "YIELDOPT_DATABASE": info.dbname}
            done = subprocess.run(
                [str(Path(sys.executable).with_name("yieldopt")), "run", "--date", str(DAY)],
                env=env, cwd=PROJECT_ROOT, capture_output=True, text=True, check=False,
            )  # fmt: skip
            refused = server.etherscan_rate_refusals
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
        assert refused == 0
        with db.connect(info) as conn, conn.cursor() as cur:
            cur.execute(
                "select token_symbol, max(price_date) from marts.token_prices_daily group by 1"
            )
            latest = dict(cur.fetchall())
            cur.execute("select to_regclass('raw_coinmarketcap.ohlcv_daily') is null")
            assert cur.fetchone()[0]  # CoinMarketCap was never asked
        day_before = DAY - dt.timedelta(days=1)
        assert latest == {token.symbol: day_before for token in tracked_tokens()}
    finally:
        db.drop_database(info)
        shutil.rmtree(pipelines_dir(info), ignore_errors=True)
