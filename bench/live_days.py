"""Five live days per provider plan (run by hand): ``yieldopt run --date D`` without
``--replay``, the base URLs pointed at the replay server acting as the plans.

Scenarios (``replay.live.SCENARIOS``): ``startup`` (a free Etherscan key: 3 calls/s enforced,
the API Pro refusal of dailyavggasprice; a CoinMarketCap Startup key: one month of OHLCV
history) and ``free`` (the same Etherscan key, no CoinMarketCap key: prices from DeFiLlama's
coins API). Each scenario gets a fresh database; each day a server as of D (answering as at
02:30 UTC) and one ``yieldopt run`` subprocess. Then the daily prices are checked for gaps
(every tracked token, every day from the first loaded to the day before the last run) and
``yieldopt doctor`` is run against the last day's server.

Usage: .venv/bin/python bench/live_days.py [--start 2025-06-01] [--days 5] [--scenarios startup,free]
The last line printed is JSON: per scenario the exit code and seconds of each day, the price
gaps, the Etherscan calls refused for the rate, and the doctor's exit code.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from core import db
from core.paths import PROJECT_ROOT, RECORDINGS_DIR
from ingestion.coinmarketcap.settings import PLAN_HISTORY_DAYS
from ingestion.defillama_coins.settings import DEFAULT_HISTORY_DAYS
from ingestion.pipeline import pipelines_dir
from replay import ReplayServer
from replay.live import CLEARED, SCENARIOS, Scenario, live_environment, price_gaps

YIELDOPT = str(Path(sys.executable).with_name("yieldopt"))


def run_scenario(scenario: Scenario, start: dt.date, days: int) -> dict[str, Any]:
    """``days`` consecutive live runs from ``start`` in a database of their own."""
    info = db.connection_info(f"live_{scenario.name}_{uuid.uuid4().hex[:6]}")
    base = {k: v for k, v in os.environ.items() if k not in CLEARED}
    runs, refused = [], 0
    try:
        for offset in range(days):
            day = start + dt.timedelta(days=offset)
            with ReplayServer(RECORDINGS_DIR, day, plan=scenario.plan) as server:
                env = {
                    **base,
                    **live_environment(server, scenario),
                    "YIELDOPT_DATABASE": info.dbname,
                }
                began = time.monotonic()
                done = subprocess.run(
                    [YIELDOPT, "run", "--date", day.isoformat()],
                    env=env, cwd=PROJECT_ROOT, capture_output=True, text=True, check=False,
                )  # fmt: skip
                seconds = round(time.monotonic() - began, 1)
                refused += server.etherscan_rate_refusals
                if done.returncode != 0:
                    print(done.stdout[-3000:], done.stderr[-3000:], sep="\n", file=sys.stderr)
                runs.append({"date": day.isoformat(), "exit": done.returncode, "seconds": seconds})
                print(f"{scenario.name} {day}: exit {done.returncode}, {seconds} s", flush=True)
                if offset == days - 1:
                    doctor = subprocess.run(
                        [YIELDOPT, "doctor", "--date", day.isoformat()],
                        env=env, cwd=PROJECT_ROOT, capture_output=True, text=True, check=False,
                    )  # fmt: skip
                    print(doctor.stdout, flush=True)
        last = start + dt.timedelta(days=days - 2)  # the last run's day before
        first = expected_first_day(scenario, start)
        gaps = price_gaps(info, scenario, first, last)
        return {
            "days": runs,
            "completed": sum(r["exit"] == 0 for r in runs),
            "price_days": f"{first} .. {last}",
            "price_gaps": sum(gaps.values()),
            "etherscan_rate_refusals": refused,
            "doctor_exit": doctor.returncode,
        }
    finally:
        db.drop_database(info)
        shutil.rmtree(pipelines_dir(info), ignore_errors=True)


def expected_first_day(scenario: Scenario, start: dt.date) -> dt.date:
    """The first day the first run fetches: the Startup plan's month, or the free path's
    default history."""
    if scenario.free_prices:
        return start - dt.timedelta(days=DEFAULT_HISTORY_DAYS)
    return start - dt.timedelta(days=PLAN_HISTORY_DAYS["startup"] or 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--start", type=dt.date.fromisoformat, default=dt.date(2025, 6, 1))
    parser.add_argument("--days", type=int, default=5)
    parser.add_argument("--scenarios", default="startup,free")
    args = parser.parse_args()
    results = {
        name: run_scenario(SCENARIOS[name], args.start, args.days)
        for name in args.scenarios.split(",")
    }
    print(json.dumps(results))


if __name__ == "__main__":
    main()
