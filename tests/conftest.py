"""Test-session plumbing: the test tiers, and one fresh database per pytest session.

Tiers: every test is marked ``unit``, ``db`` or ``e2e`` from the fixtures it uses
(``FIXTURE_TIERS``), so ``pytest -m unit`` (``make test-fast``) is the loop to run while
editing and ``make test`` still runs all three. A test whose cost no fixture shows (a
subprocess of the command line, say) carries its tier as an explicit marker, which wins.

The embedded PostgreSQL under ``.yieldopt/pgdata`` is started if needed (or the external
server named by ``PGHOST``); a throw-away database ``yieldopt_test_<random>`` is created,
exported through the ``PG*`` variables for everything the tests start, and dropped at the end.
"""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from core import db

sys.path.insert(0, str(Path(__file__).parent))

from fake_slack import FAKE_SLACK_TOKEN, FakeSlack

TIERS = ("unit", "db", "e2e")  # cheapest first: a test takes the costliest tier of its fixtures
# A unit test that takes minutes is hung or belongs in another tier (pytest-timeout; the other
# tiers keep pyproject.toml's `timeout`, sized for whole runs on a shared two-core machine).
UNIT_TIMEOUT_SECONDS = 120

# Fixture -> tier. ``item.fixturenames`` is the closure of what a test requests, and every
# database fixture (own_database, raw_loaded, ingest_db, marts, the modules' ``database`` and
# ``conn``) is built on ``pg``, so ``pg`` alone puts them in ``db``; whole runs and servers are
# named one by one. A test using none of these is ``unit``: no database, no Prefect server, no
# subprocess (in-process loopback doubles such as the replay server and the fake Slack are
# unit: they start in milliseconds). Whole runs and processes no fixture shows (a command line
# as a subprocess, spawned workers, a simulated multi-day backtest) are marked ``e2e`` where
# they are written.
FIXTURE_TIERS = {
    "pg": "db",  # the session database; starts the embedded PostgreSQL
    "manifest": "db",  # test_layers: dbt parses the whole project (no database, ~20 s)
    "prefect_api": "e2e",  # a temporary Prefect server for real flow runs
    "prefect_server": "e2e",  # test_work_pool: a real server, deploy and a worker
    "demo_run": "e2e",  # test_daily_flow: a whole replayed day
    "killed_then_rerun": "e2e",  # test_reliability: a killed run and its rerun
    "daily_problems": "e2e",  # test_one_path: the daily flow on three recorded days
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark each test with its tier, from its fixtures unless it carries one explicitly, and
    give unit tests their lower time limit unless they carry a timeout of their own."""
    for item in items:
        if not any(item.get_closest_marker(tier) for tier in TIERS):
            used = [FIXTURE_TIERS[name] for name in item.fixturenames if name in FIXTURE_TIERS]
            item.add_marker(getattr(pytest.mark, max(used, key=TIERS.index, default="unit")))
        if item.get_closest_marker("unit") and not item.get_closest_marker("timeout"):
            item.add_marker(pytest.mark.timeout(UNIT_TIMEOUT_SECONDS))


@pytest.fixture(scope="session")
def pg() -> Iterator[db.PgConnection]:
    """The session's fresh database; its ``PG*`` variables are exported for subprocesses."""
    name = f"yieldopt_test_{uuid.uuid4().hex[:10]}"
    saved = {key: os.environ.get(key) for key in ("PGHOST", "PGPORT", "PGUSER", "PGDATABASE")}
    info = db.connection_info(name)
    db.apply_to_environment(info)
    os.environ["YIELDOPT_DATABASE"] = name
    yield info
    db.drop_database(info)
    os.environ.pop("YIELDOPT_DATABASE", None)
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture
def fake_slack(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> FakeSlack:
    """A fake Slack API on loopback; the report's environment points at it."""
    fake = FakeSlack(httpserver, valid_token=FAKE_SLACK_TOKEN)
    fake.install()
    monkeypatch.setenv("SLACK_BOT_TOKEN", FAKE_SLACK_TOKEN)
    monkeypatch.setenv("SLACK_CHANNEL", "#treasury")
    monkeypatch.setenv("SLACK_API_BASE_URL", fake.base_url)
    return fake


@pytest.fixture(scope="session")
def prefect_api() -> Iterator[None]:
    """A temporary Prefect API for the tests that run real flows, once per session."""
    # Imported here, not at the top: it loads Prefect's server (seconds), which the unit tier
    # (`make test-fast`) never starts.
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield
