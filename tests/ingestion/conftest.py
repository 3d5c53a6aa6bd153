"""Ingestion test plumbing: small recordings (``recorded.py``), a replay server on them with
every source pointed at it, and a database of the module's own on the session's server (so
these rows never meet the flow tests')."""

from __future__ import annotations

import json
import shutil
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from fake_clock import FakeClock
from recorded import (
    AS_OF,
    CHARTED_POOLS,
    RESERVE_CONTRACT,
    WALLET,
    write_recordings,
)

from core import db
from core.paths import SEEDS_DIR
from ingestion.etherscan import limits
from ingestion.pipeline import pipelines_dir
from replay import ReplayServer, replay_environment


@pytest.fixture(scope="session")
def seeds_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's tracked tokens and one pool reserve contract."""
    folder = tmp_path_factory.mktemp("seeds")
    shutil.copy(SEEDS_DIR / "tracked_tokens.csv", folder / "tracked_tokens.csv")
    (folder / "pool_reserve_contracts.csv").write_text(
        f"pool_id,contract_address\n{CHARTED_POOLS[0]},{RESERVE_CONTRACT}\n"
    )
    return folder


@pytest.fixture(scope="session")
def recordings_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_recordings(tmp_path_factory.mktemp("recordings"))


@pytest.fixture(scope="module")
def ingest_db(pg: db.PgConnection) -> Iterator[db.PgConnection]:
    """A database of this module's own on the session's server, dropped afterwards."""
    info = db.connection_info(f"{pg.dbname}_ingest_{uuid.uuid4().hex[:6]}")
    yield info
    db.drop_database(info)
    shutil.rmtree(pipelines_dir(info), ignore_errors=True)


@pytest.fixture
def replay(recordings_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ReplayServer]:
    """The replay server as of AS_OF, every source pointed at it, short HTTP timeouts and
    quick retries, test keys, one wallet and one pool reserve contract configured."""
    monkeypatch.setenv("ETHERSCAN_API_KEY", "test-etherscan-key")
    monkeypatch.setenv("COINMARKETCAP_API_KEY", "test-cmc-key")
    monkeypatch.setenv("RUNTIME__REQUEST_TIMEOUT", "1")
    monkeypatch.setenv("RUNTIME__REQUEST_MAX_ATTEMPTS", "3")
    monkeypatch.setenv("RUNTIME__REQUEST_BACKOFF_FACTOR", "0.05")
    monkeypatch.setenv("SOURCES__ETHERSCAN__WALLETS", json.dumps([WALLET]))
    monkeypatch.setenv("SOURCES__ETHERSCAN__PAGE_SIZE", "4")
    monkeypatch.setenv("SOURCES__ETHERSCAN__HISTORY_START", "2025-05-01")
    monkeypatch.setenv("SOURCES__COINMARKETCAP__HISTORY_START", "2025-05-01")
    with ReplayServer(recordings_dir, as_of=AS_OF) as server, replay_environment(server):
        yield server


@pytest.fixture
def fake_clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    """The process's Etherscan rate limiter on a simulated clock (give ``.monotonic`` to the
    ReplayServer too): the limiter's real spacing of calls, without waiting for it."""
    clock = FakeClock()
    limiter = limits.RateLimiter(clock=clock.monotonic, sleep=clock.sleep)
    monkeypatch.setattr(limits, "LIMITER", limiter)
    return clock
