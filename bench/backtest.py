"""Backtest benchmark (run by hand): the walk-forward over the recorded span.

Reads the curated market of the range from a database that holds the recordings and its
by-day marts (load one with ``yieldopt backtest --replay``; it is only read), then times
exactly what ``yieldopt backtest --walk-forward`` does after its dbt build: the market panels
(the daily run's forecaster over the range), every candidate choice simulated over the range
(two processes), the choice at each monthly step from the trailing 60 days, the tuned
strategy, every baseline and every yardstick day by day, each day written to a throw-away
``bench_backtest_*`` database and to the CSV files, and the report. The dbt build is not in
the figure.

The machine is shared: wall-clock times are noisy; run it twice.

Usage: .venv/bin/python bench/backtest.py --market-database backtest [--start 2024-06-06]
    [--end 2025-06-05] [--capital 1000000] [--grid payback_days=1,2,3,5,7,14] [--output DIR]
The last line printed is JSON: {"days": n, "candidates": c, "capital_usd": x, "seconds": s,
"walk_forward": true, "strategy_net_apy": x, "aave_v3_usdc_net_apy": x}.
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

from core import db
from core.config import load_config
from python_models.backtest.market import MarketDays, read_market_data
from python_models.backtest.portfolios import default_portfolios
from python_models.backtest.run import run_backtest
from python_models.backtest.simulator import Settings
from python_models.backtest.sweep import parse_axes
from python_models.backtest.walk_forward import (
    DEFAULT_GRID,
    TUNED,
    WalkForwardSettings,
    walk_forward,
)

TARGET_SECONDS = 600


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--market-database", required=True, help="database with the recordings")
    parser.add_argument("--start", type=dt.date.fromisoformat, default=dt.date(2024, 6, 6))
    parser.add_argument("--end", type=dt.date.fromisoformat, default=dt.date(2025, 6, 5))
    parser.add_argument("--capital", type=float, default=1e6, help="USD, in USDC")
    parser.add_argument("--grid", action="append", help="KEY=V1,V2 (repeatable)")
    parser.add_argument("--output", type=Path, help="keep the report here (default: discard)")
    args = parser.parse_args()

    config = load_config(None)
    settings = Settings(args.start, args.end, config, args.capital)
    wf = WalkForwardSettings(
        grid=parse_axes(args.grid, config, "--grid") if args.grid else dict(DEFAULT_GRID)
    )
    info = db.connection_info(f"bench_backtest_{uuid.uuid4().hex[:8]}")
    folder = args.output or Path(tempfile.mkdtemp(prefix="bench_backtest_"))
    candidates = len(wf.choices(config.snapshot())) * len(TUNED)
    try:
        started = time.perf_counter()
        with db.connect(db.connection_info(args.market_database)) as conn:
            market = MarketDays(read_market_data(conn, args.start, args.end), config.holding_days)
        read = time.perf_counter()
        tuned = walk_forward(market, settings, wf, default_portfolios())
        chosen = time.perf_counter()
        outcome = run_backtest(
            info,
            market,
            settings,
            folder,
            tuned.policies,
            scored_from=tuned.scored_from,
            steps=tuned.steps,
            decided=tuned.decided,
        )
        seconds = time.perf_counter() - started
    finally:
        db.drop_database(info)
        if args.output is None:
            shutil.rmtree(folder, ignore_errors=True)
    summary = outcome.summary or {}
    print(f"market read and panels: {read - started:6.1f} s")
    print(
        f"{candidates} candidates simulated and chosen, solving portfolios: {chosen - read:6.1f} s"
    )
    print(f"every portfolio's days, writes, report: {seconds - (chosen - started):6.1f} s")
    net_apy = summary["strategy"]["net_apy"]
    aave = summary["references"].get("aave_v3_usdc", {}).get("net_apy")
    print(
        f"strategy net APY {net_apy:.3f} % (scored from {tuned.scored_from}); target <= "
        f"{TARGET_SECONDS} s"
    )
    print(
        json.dumps(
            {
                "days": settings.days,
                "candidates": candidates,
                "capital_usd": args.capital,
                "seconds": round(seconds, 1),
                "walk_forward": True,
                "strategy_net_apy": round(net_apy, 4),
                "aave_v3_usdc_net_apy": None if aave is None else round(aave, 4),
            }
        )
    )


if __name__ == "__main__":
    main()
