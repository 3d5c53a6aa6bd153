"""A Prefect API for the run, ready before the first step, or one line that says why not.

With ``PREFECT_API_URL`` set, that server must answer its health check. Without it, Prefect
starts a temporary local server on first use, and gives it 20 seconds: on a fresh machine the
server first creates and migrates its SQLite database, which on a busy two-core machine takes
longer, and the run died before step 1. Here the migrations run in the foreground first (no
time limit: they finish or fail with their own error), then the server starts with a generous
wait, and the flow's client reuses that same server.
"""

from __future__ import annotations

import asyncio
import os

import httpx
from prefect.server.api.server import SubprocessASGIServer
from prefect.server.database import provide_database_interface
from prefect.settings import PREFECT_API_URL

# Seconds to wait for the local server once its database is migrated (it usually takes 2-5 s).
LOCAL_STARTUP_TIMEOUT = int(os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", 120))
HOW_TO_POINT = (
    "start one with `prefect server start` and set PREFECT_API_URL=http://127.0.0.1:4200/api, "
    "or point PREFECT_API_URL at a running server"
)


class PrefectUnavailable(RuntimeError):
    """No Prefect API to run the flow against; the message says what to do."""


def ensure_api() -> str:
    """The URL of a Prefect API that answers; raise :class:`PrefectUnavailable` otherwise."""
    url = PREFECT_API_URL.value()
    if url:
        _check_health(url)
        return url
    return _start_local_server()


def _check_health(url: str) -> None:
    try:
        response = httpx.get(f"{url.rstrip('/')}/health", timeout=10)
        response.raise_for_status()
    except httpx.HTTPError as error:
        raise PrefectUnavailable(
            f"the Prefect API at PREFECT_API_URL={url} does not answer "
            f"({_first_line(error)}); {HOW_TO_POINT}"
        ) from None


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    return f"{type(error).__name__}: {text.splitlines()[0]}" if text else type(error).__name__


def _start_local_server() -> str:
    try:
        asyncio.run(provide_database_interface().create_db())
    except Exception as error:
        raise PrefectUnavailable(
            f"the local Prefect server's database could not be prepared "
            f"({_first_line(error)}); {HOW_TO_POINT}"
        ) from None
    server = SubprocessASGIServer()
    try:
        server.start(timeout=LOCAL_STARTUP_TIMEOUT)
    except RuntimeError as error:
        raise PrefectUnavailable(
            f"the local Prefect server did not come up within {LOCAL_STARTUP_TIMEOUT} s "
            f"({_first_line(error)}); {HOW_TO_POINT}"
        ) from None
    return server.api_url
