"""The work-pool path of the README's "Scheduling" section, run for real.

A real Prefect server on a free loopback port, a process work pool, the ``daily`` deployment
of ``prefect.yaml`` deployed with ``prefect deploy``, a run triggered for a replayed day and
executed by ``prefect worker start --run-once``: the day's allocation lands in the test
database and the flow run ends Completed.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from core import db

ROOT = Path(__file__).resolve().parents[2]
PREFECT = str(Path(sys.executable).with_name("prefect"))
REPLAYED_DAY = dt.date(2025, 6, 5)
SERVER_STARTUP_SECONDS = 240
RUN_SECONDS = 900


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def prefect_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A Prefect server of its own (fresh home, SQLite) and the environment that uses it."""
    home = tmp_path_factory.mktemp("prefect_home")
    port = _free_port()
    api_url = f"http://127.0.0.1:{port}/api"
    env = {
        **os.environ,
        "PREFECT_HOME": str(home),
        "PREFECT_API_URL": api_url,
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_UI_ENABLED": "false",
        "YIELDOPT_HOME": str(ROOT),
    }
    env.pop("SLACK_BOT_TOKEN", None)
    server_env = {key: value for key, value in env.items() if key != "PREFECT_API_URL"}
    server = subprocess.Popen(
        [PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=server_env,
        cwd=home,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + SERVER_STARTUP_SECONDS
        while True:
            try:
                if httpx.get(f"{api_url}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert server.poll() is None, "prefect server start exited"
            assert time.monotonic() < deadline, "the Prefect server did not come up"
            time.sleep(0.5)
        yield env
    finally:
        server.terminate()
        server.wait(timeout=30)


def _prefect(env: dict[str, str], *args: str, timeout: float = 300) -> str:
    result = subprocess.run(
        [PREFECT, "--no-prompt", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, f"prefect {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.mark.slow
def test_worker_runs_the_daily_deployment_on_a_replayed_day(
    pg: db.PgConnection, prefect_server: dict[str, str]
) -> None:
    env = prefect_server
    _prefect(env, "work-pool", "create", "yieldopt", "--type", "process")
    _prefect(env, "deploy", "--name", "daily")
    triggered = _prefect(
        env,
        "deployment",
        "run",
        "daily-scheduled/daily",
        "--param",
        "replay=true",
        "--param",
        f"run_date={REPLAYED_DAY.isoformat()}",
    )
    _prefect(env, "worker", "start", "--pool", "yieldopt", "--run-once", timeout=RUN_SECONDS)

    flow_run_id = re.search(r"UUID: ([0-9a-f-]{36})", triggered).group(1)
    run = httpx.get(f"{env['PREFECT_API_URL']}/flow_runs/{flow_run_id}", timeout=30).json()
    assert run["state"]["type"] == "COMPLETED", run["state"]["message"]
    assert run["parameters"] == {"replay": True, "run_date": REPLAYED_DAY.isoformat()}
    with db.connect(pg) as conn, conn.cursor() as cur:
        cur.execute(
            """
            select count(*), sum(allocation_usd) from optimization.daily_allocations
            where run_date = %s and allocation_usd > 0
            """,
            (REPLAYED_DAY,),
        )
        positions, invested_usd = cur.fetchone()
        cur.execute("select status from ops.daily_runs where run_date = %s", (REPLAYED_DAY,))
        assert cur.fetchone() == ("SUCCESS",)
    assert positions >= 5 and invested_usd > 0
