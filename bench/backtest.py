"""Backtest benchmark (run by hand): walk-forward over the recorded span, 6-value horizon grid.

Reads the curated market of the range from a database that holds the recordings (load one
with ``yieldopt backtest --replay``; it is only read), then times exactly what
``yieldopt backtest --walk-forward`` does after its dbt build: the forecast and cost panels,
every candidate choice simulated over the range (two processes), the choice at each monthly
step from the trailing 60 days, the tuned strategy and every baseline day by day, each day
written to a throw-away ``bench_backtest_*`` database and to the CSV files, and the report.
The database read (about 1 s) and the dbt build (about 20 s) are not in the figure.

The machine is shared: wall-clock times are noisy; run it twice.

Usage: .venv/bin/python bench/backtest.py --market-database backtest [--start 2024-06-06]
    [--end 2025-06-05] [--horizons 1,2,3,5,7,14] [--min-edges 0] [--output DIR]
The last line printed is JSON: {"days": n, "candidates": c, "seconds": s, "walk_forward": true,
"strategy_net_apy": x}.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import tempfile
import time
import uuid
from pathlib import Path

from rich.console import Console

from core import db
from core.config import load_config
from python_models.backtest.runner import read_market, run_backtest
from python_models.backtest.simulate import BacktestSettings
from python_models.backtest.walk_forward import WalkForwardSettings, families, walk_forward

TARGET_SECONDS = 600


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--market-database", required=True, help="database with the recordings")
    parser.add_argument("--start", type=dt.date.fromisoformat, default=dt.date(2024, 6, 6))
    parser.add_argument("--end", type=dt.date.fromisoformat, default=dt.date(2025, 6, 5))
    parser.add_argument("--horizons", default="1,2,3,5,7,14")
    parser.add_argument("--min-edges", default="0")
    parser.add_argument("--output", type=Path, help="keep the report here (default: discard)")
    args = parser.parse_args()

    settings = BacktestSettings(args.start, args.end, load_config(None))
    wf = WalkForwardSettings(
        horizons=tuple(int(value) for value in args.horizons.split(",")),
        min_edges_bp=tuple(float(value) for value in args.min_edges.split(",")),
    )
    market = read_market(db.connection_info(args.market_database), settings)
    info = db.connection_info(f"bench_backtest_{uuid.uuid4().hex[:8]}")
    folder = args.output or Path(tempfile.mkdtemp(prefix="bench_backtest_"))
    console = Console(stderr=True)
    candidates = len(
        {c.key for family in families(wf, settings.config.payback_days).values() for c in family}
    )
    try:
        started = time.perf_counter()
        tuned = walk_forward(market, settings, wf)
        chosen = time.perf_counter()
        outcome = run_backtest(
            info,
            market,
            settings,
            folder,
            console,
            None,
            tuned.policies,
            tuned.scored_from,
            tuned.steps,
            decided=tuned.decided,
        )
        seconds = time.perf_counter() - started
    finally:
        db.drop_database(info)
        if args.output is None:
            shutil.rmtree(folder, ignore_errors=True)
    print(f"{candidates} candidates simulated and chosen: {chosen - started:6.1f} s")
    print(f"tuned strategy, baselines, writes, report: {seconds - (chosen - started):6.1f} s")
    net_apy = outcome.summary["strategy"]["net_apy"]
    print(
        f"strategy net APY {net_apy:.3f} % (scored from {tuned.scored_from}), target <= "
        f"{TARGET_SECONDS} s"
    )
    print(
        json.dumps(
            {
                "days": settings.days,
                "candidates": candidates,
                "seconds": round(seconds, 1),
                "walk_forward": True,
                "strategy_net_apy": round(net_apy, 4),
            }
        )
    )


if __name__ == "__main__":
    main()
