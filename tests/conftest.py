"""Test-session plumbing: one fresh database per pytest session on the embedded server.

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
from prefect.testing.utilities import prefect_test_harness
from pytest_httpserver import HTTPServer

from core import db

sys.path.insert(0, str(Path(__file__).parent))

from fake_slack import FAKE_SLACK_TOKEN, FakeSlack


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
    with prefect_test_harness(server_startup_timeout=120):
        yield
