"""Serving the recordings by hand, for pointing a live run at them (``yieldopt replay``,
``python -m replay``)."""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from pathlib import Path

from core.paths import RECORDINGS_DIR
from replay.plans import PLANS
from replay.server import ReplayServer


def serve(
    as_of: dt.date, port: int = 0, plan: str = "unlimited", recordings: Path = RECORDINGS_DIR
) -> None:
    """Print one ``SOURCES__<NAME>__BASE_URL=<url>`` line per source a live run reads, then a
    line starting with ``serving``, and answer until interrupted."""
    with ReplayServer(recordings, as_of, port=port, plan=PLANS[plan]) as server:
        for source, url in server.base_urls.items():
            print(f"SOURCES__{source.upper()}__BASE_URL={url}", flush=True)
        print(
            f"serving the recordings as of {as_of} {server.recordings.moment:%H:%M} UTC, "
            f"plan {plan}, on {server.url}; Ctrl-C to stop",
            flush=True,
        )
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()
