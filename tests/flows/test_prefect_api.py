"""No Prefect API, no run: the day stops before step 1 with one line that says what to do.

Each case runs ``yieldopt run`` as a user would, in a Prefect home of its own.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from core import db

# `yieldopt run` as a subprocess: end to end, whatever its fixtures say
pytestmark = pytest.mark.e2e

YIELDOPT = str(Path(sys.executable).with_name("yieldopt"))
# a recorded day no other test of the session runs, so its run record must stay empty
DAY = "2025-05-20"


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _run(env_overrides: dict[str, str], home: Path) -> subprocess.CompletedProcess[str]:
    # a user's environment: no Prefect settings but these (none left by the test session's harness)
    env = {key: value for key, value in os.environ.items() if not key.startswith("PREFECT_")}
    env.update({"PREFECT_HOME": str(home), **env_overrides})
    return subprocess.run(
        [YIELDOPT, "run", "--replay", "--date", DAY],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _refusal(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1, result.stderr
    lines = [line for line in result.stderr.splitlines() if "Prefect" in line]
    assert len(lines) == 1, result.stderr
    assert "PREFECT_API_URL" in lines[0]
    assert "Traceback" not in result.stderr
    return lines[0]


def _no_step_ran(info: db.PgConnection) -> bool:
    with db.connect(info) as conn, conn.cursor() as cur:
        cur.execute("select to_regclass('ops.step_runs')")
        if cur.fetchone()[0] is None:
            return True
        cur.execute("select count(*) from ops.step_runs where run_date = %s", (DAY,))
        return cur.fetchone()[0] == 0


def test_a_broken_prefect_api_url_is_named(pg: db.PgConnection, tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{_closed_port()}/api"
    line = _refusal(_run({"PREFECT_API_URL": url}, tmp_path))
    assert url in line
    assert _no_step_ran(pg)


@pytest.mark.parametrize(
    "overrides",
    [
        # the local server's database cannot be created
        {"PREFECT_API_DATABASE_CONNECTION_URL": "sqlite+aiosqlite:////nonexistent/dir/prefect.db"},
        # the local server does not answer within the start-up wait
        {"PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "0"},
    ],
    ids=["database", "startup"],
)
def test_a_local_server_that_does_not_come_up_stops_the_run(
    pg: db.PgConnection, tmp_path: Path, overrides: dict[str, str]
) -> None:
    line = _refusal(_run(overrides, tmp_path))
    assert "local Prefect server" in line
    assert _no_step_ran(pg)
