"""dbt test fixtures shared by the market and pools tests.

``raw_loaded`` loads the project's recordings (``recordings/``) into a database of its own on
the session's server through the real ingestion code: the replay server answers the real
HTTP calls of the dlt sources, as of ``RAW_AS_OF``. Build with ``dbt_runs.run_dbt``.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from unittest.mock import patch

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from dbt_runs import RAW_AS_OF, recorded_chart_pools, recorded_wallets

from core import db
from core.paths import RECORDINGS_DIR
from ingestion import pipeline
from replay import ReplayServer, replay_environment


@pytest.fixture(scope="session")
def dbt_target(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private dbt target folder for the session."""
    return tmp_path_factory.mktemp("dbt_target")


@pytest.fixture(scope="session")
def raw_loaded(pg: db.PgConnection) -> Iterator[db.PgConnection]:
    """A database of its own with steps 1-4 and 9 loaded from ``recordings/`` as of RAW_AS_OF
    through the replay server (every recorded pool's chart, every recorded wallet)."""
    recordings = RECORDINGS_DIR
    if not (recordings / "coinmarketcap").is_dir():
        pytest.fail(f"no recordings under {recordings}: the dbt tests replay them")
    info = db.connection_info(f"{pg.dbname}_dbt_{uuid.uuid4().hex[:6]}")
    day = RAW_AS_OF
    settings = {
        "SOURCES__ETHERSCAN__WALLETS": json.dumps(recorded_wallets(recordings)),
        "RUNTIME__LOG_LEVEL": "WARNING",
    }
    try:
        with (
            patch.dict(os.environ, settings),
            ReplayServer(recordings, as_of=day) as server,
            replay_environment(server),
        ):
            pipeline.load_pools(day, info)
            pipeline.load_prices(day, info)
            pipeline.load_gas(day, info)
            pipeline.load_wallets(day, info)
            pipeline.poll_gas_oracle(info)
            pools = recorded_chart_pools(recordings)
            if pools:
                pipeline.load_pool_history(day, info, pools)
        yield info
    finally:
        db.drop_database(info)
        shutil.rmtree(pipeline.pipelines_dir(info), ignore_errors=True)
