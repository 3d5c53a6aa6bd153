"""``python -m replay --as-of 2025-06-05``: serve the recordings by hand."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import threading
from pathlib import Path

from core.paths import RECORDINGS_DIR
from replay.server import ReplayServer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--as-of", type=dt.date.fromisoformat, required=True, help="YYYY-MM-DD")
    parser.add_argument("--recordings", type=Path, default=RECORDINGS_DIR)
    parser.add_argument("--port", type=int, default=0, help="0: a free port")
    args = parser.parse_args()
    with ReplayServer(args.recordings, args.as_of, port=args.port) as server:
        for source, url in server.base_urls.items():
            print(f"SOURCES__{source.upper()}__BASE_URL={url}")
        print("serving; Ctrl-C to stop")
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    main()
