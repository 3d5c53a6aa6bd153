"""``python -m replay --as-of 2025-06-05 [--port P] [--plan NAME]``: serve the recordings by
hand (``yieldopt replay`` is the same); see :func:`serve`."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from core.paths import RECORDINGS_DIR
from replay.plans import PLANS
from replay.serving import serve


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
