"""How much the real ingestion of a full DeFiLlama /pools snapshot costs next to a bare COPY.

Serves ``recordings/defillama/pools.json.gz`` through the replay server, times
``ingestion.pipeline.load_pools`` (HTTP, validation, dlt normalize and load) into a throw-away
database, then times a bare ``COPY ... FROM STDIN`` of exactly the rows that load wrote into an
identical empty table on the same server. Run by hand:

    .venv/bin/python bench/ingest.py [--as-of 2025-06-05] [--recordings recordings]

Prints the figures and ends with one JSON line
``{"pools": N, "seconds": s, "copy_seconds": c, "ratio": r}``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import shutil
import time
import uuid
from pathlib import Path

from core import db
from core.paths import RECORDINGS_DIR
from ingestion.pipeline import load_pools, pipelines_dir
from replay import ReplayServer, replay_environment


def copy_seconds(info: db.PgConnection) -> float:
    """Seconds for a bare COPY of the loaded snapshot into an identical empty table."""
    with db.connect(info) as conn, conn.cursor() as cur:
        buffer = io.StringIO()
        cur.copy_expert("copy raw_defillama.pools to stdout with (format csv)", buffer)
        cur.execute("create table raw_defillama.pools_copy (like raw_defillama.pools)")
        conn.commit()
        buffer.seek(0)
        started = time.perf_counter()
        cur.copy_expert("copy raw_defillama.pools_copy from stdin with (format csv)", buffer)
        conn.commit()
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date(2025, 6, 5))
    parser.add_argument("--recordings", type=Path, default=RECORDINGS_DIR)
    args = parser.parse_args()
    if not (args.recordings / "defillama" / "pools.json.gz").exists():
        raise SystemExit(f"no /pools recording under {args.recordings}/defillama/")

    info = db.connection_info(f"yieldopt_bench_ingest_{uuid.uuid4().hex[:6]}")
    try:
        with ReplayServer(args.recordings, args.as_of) as server, replay_environment(server):
            # warm the server's file cache so the figure is the pipeline's, not gzip's
            server.recordings.defillama_pools()
            started = time.perf_counter()
            result = load_pools(args.as_of, info)
            seconds = time.perf_counter() - started
        pools = result.rows["raw_defillama.pools"]
        copy = copy_seconds(info)
    finally:
        db.drop_database(info)
        shutil.rmtree(pipelines_dir(info), ignore_errors=True)
    ratio = seconds / copy
    print(f"pools loaded through dlt : {pools:,} in {seconds:.2f} s ({pools / seconds:,.0f}/s)")
    print(f"bare COPY of the same rows: {copy:.3f} s")
    print(f"ratio                     : {ratio:.1f} (target <= 3)")
    print(
        json.dumps(
            {
                "pools": pools,
                "seconds": round(seconds, 3),
                "copy_seconds": round(copy, 3),
                "ratio": round(ratio, 2),
            }
        )
    )


if __name__ == "__main__":
    main()
