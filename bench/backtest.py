"""Backtest benchmark (run by hand): 365 trade days x 200 pools, strategy and three baselines.

The market is synthetic but shaped like the recorded one: 200 pools on Ethereum and four L2s
in six stablecoins (so plans convert tokens and pay both mainnet gas and L2 fees), log-normal
TVL (2 M – 2 B USD), APY an AR(1) around a per-pool level (2–12 %) with occasional jumps,
groups 1/2/3 in proportion 5:3:2, every pool eligible every day (so each day's problem has 200
candidates), 400 days of history before the first day, gas around 10 gwei. Everything after
the database read is timed, exactly as ``yieldopt backtest`` runs it: the forecast and cost
panels (``MarketDays``), then 365 days of the optimizer and the baselines, each day written
to the database (a throw-away ``bench_backtest_*`` database) and to the CSV files, then the
report (summary.json, report.md, nav.png). The dbt build and the read of the range are not in
the figure (on the recordings, 182 pools x 366 days: about 10 s and 0.3 s).

The machine is shared: wall-clock times are noisy; run it twice.

Usage: .venv/bin/python bench/backtest.py [--days 365] [--pools 200] [--seed 7]
The last line printed is JSON: {"days": 365, "pools": 200, "seconds": s}.
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

import numpy as np
import pandas as pd
from rich.console import Console

from core import db
from core.config import StrategyConfig
from python_models.backtest.inputs import HISTORY_DAYS_BEFORE, MarketData
from python_models.backtest.runner import run_backtest
from python_models.backtest.simulate import BacktestSettings
from python_models.backtest.trade_days import MarketDays

END = dt.date(2025, 6, 5)
TARGET_SECONDS = 300
TOKENS = ["USDC", "USDT", "DAI", "USDS", "GHO", "PYUSD"]
CHAINS = ["Ethereum", "Arbitrum", "Base", "Polygon", "Avalanche"]
PROJECTS = ["aave-v3", "compound-v3", "fluid-lending", "morpho-blue", "spark", "euler-v2"]


def synthetic_market(days: int, pools: int, seed: int) -> MarketData:
    """``pools`` eligible pools with ``days`` trade days ending on END and their history."""
    rng = np.random.default_rng(seed)
    start = END - dt.timedelta(days=days - 1)
    calendar = pd.date_range(start - dt.timedelta(days=HISTORY_DAYS_BEFORE), END, freq="D")
    ids = [f"pool-{index:04d}" for index in range(pools)]
    level = rng.uniform(2, 12, pools)
    apy = np.empty((len(calendar), pools))
    apy[0] = level
    for row in range(1, len(calendar)):
        shock = rng.normal(0, 0.25, pools) + rng.binomial(1, 0.01, pools) * rng.normal(0, 2, pools)
        apy[row] = level + 0.9 * (apy[row - 1] - level) + shock
    tvl = np.exp(rng.uniform(np.log(2e6), np.log(2e9), pools)) * np.exp(
        np.cumsum(rng.normal(0, 0.02, (len(calendar), pools)), axis=0)
    )
    history = pd.DataFrame(
        {
            "subject_id": np.tile(ids, len(calendar)),
            "day": np.repeat(calendar, pools),
            "apy_pct": np.clip(apy, 0.1, 45).ravel(),
            "tvl_usd": tvl.ravel(),
        }
    )
    information = pd.date_range(start - dt.timedelta(days=1), END - dt.timedelta(days=1))
    pool_table = pd.DataFrame(
        {
            "pool_id": ids,
            "is_eligible": True,
            "group_id": rng.choice([1, 2, 3], pools, p=[0.5, 0.3, 0.2]),
            "tokens": [[str(token)] for token in rng.choice(TOKENS, pools)],
            "chain": rng.choice(CHAINS, pools, p=[0.4, 0.15, 0.15, 0.15, 0.15]),
            "project": rng.choice(PROJECTS, pools),
        }
    )
    eligibility = pool_table.merge(pd.DataFrame({"day": information}), how="cross")
    eligibility["group_id"] = eligibility["group_id"].astype("Int64")
    gas = pd.DataFrame(
        {
            "day": calendar,
            "gas_price_gwei": np.exp(np.log(10) + rng.normal(0, 0.3, len(calendar))),
            "eth_price_usd": 3000 * np.exp(np.cumsum(rng.normal(0, 0.03, len(calendar)))),
        }
    )
    units = pd.Series(dict.fromkeys(PROJECTS, 200_000.0))
    fees = pd.Series({"Arbitrum": 0.10, "Base": 0.05, "Polygon": 0.03, "Avalanche": 0.10})
    return MarketData(start, END, eligibility, history, gas, units, fees)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--pools", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    data = synthetic_market(args.days, args.pools, args.seed)
    settings = BacktestSettings(data.start, data.end, StrategyConfig())
    info = db.connection_info(f"bench_backtest_{uuid.uuid4().hex[:8]}")
    folder = Path(tempfile.mkdtemp(prefix="bench_backtest_"))
    console = Console(stderr=True)
    try:
        started = time.perf_counter()
        market = MarketDays(data)
        panels = time.perf_counter() - started
        outcome = run_backtest(info, market, settings, folder, console)
        seconds = time.perf_counter() - started
    finally:
        db.drop_database(info)
        shutil.rmtree(folder, ignore_errors=True)
    print(f"forecast and cost panels: {panels:6.1f} s")
    print(f"simulation, writes, report: {seconds - panels:6.1f} s")
    print(
        f"strategy net APY {outcome.table.at['strategy', 'net_apy']:.2f} %, target <= {TARGET_SECONDS} s"
    )
    print(json.dumps({"days": args.days, "pools": args.pools, "seconds": round(seconds, 1)}))


if __name__ == "__main__":
    main()
