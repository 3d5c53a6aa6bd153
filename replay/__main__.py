"""``python -m replay --as-of 2025-06-05 [--port P] [--plan NAME]``: serve the recordings by
hand (``yieldopt replay`` is the same); see :func:`serve`."""

from __future__ import annotations

import argparse
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--as-of", type=dt.date.fromisoformat, required=True, help="YYYY-MM-DD")
    parser.add_argument("--recordings", type=Path, default=RECORDINGS_DIR)
    parser.add_argument("--port", type=int, default=0, help="0: a free port")
    parser.add_argument("--plan", choices=sorted(PLANS), default="unlimited")
    args = parser.parse_args()
    serve(args.as_of, args.port, args.plan, args.recordings)


if __name__ == "__main__":
    main()
