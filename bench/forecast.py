"""Forecasting benchmark (run by hand): speed on 500 pools and honest skill on real histories.

(a) Time to forecast 500 pools × 730 days (APY and TVL, full backtest and refit) on all
    cores. The histories are synthetic but made from the real ones: each pool is a real
    2024–25 history followed by its mirror image (730 continuous days), scaled and jittered
    per pool, with 2 % of the days missing.
(b) On the real pool histories (DeFiLlama /chart histories recorded from public
    repositories, see recordings/README.md), the daily choice is replayed over each pool's
    last 90 days without look-ahead; per pool, MAE ratio vs persistence = MAE of the
    chosen models / MAE of persistence on the same days, then the mean over pools.

Usage: .venv/bin/python bench/forecast.py [--data DIR] [--pools 500] [--workers N]
The last line printed is JSON: {"pools": 500, "seconds": s, "mae_ratio_apy": a, "mae_ratio_tvl": t}.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import multiprocessing
import os
import resource
import time
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

from core.paths import RECORDINGS_DIR
from python_models.forecasting.candidates import POOL_CANDIDATES
from python_models.forecasting.model_selection import (
    ForecastSettings,
    SeriesSpec,
    rolling_evaluation,
)
from python_models.forecasting.pools import (
    POOL_TARGETS,
    PoolHistory,
    forecast_pools,
    single_threaded_blas,
)
from python_models.forecasting.series import daily_series

DEFAULT_DATA = RECORDINGS_DIR / "defillama" / "chart"
EVAL_DAYS = 90
HISTORY_DAYS = 730
RUN_DATE = dt.date(2025, 6, 5)
COLUMNS = {"apy_pct": "apy", "tvl_usd": "tvl"}


def real_histories(data_dir: Path) -> dict[str, pd.DataFrame]:
    """Every recorded ``/chart`` response (``<pool id>.json.gz``) as ``date, tvl, apy`` by pool id."""
    histories = {}
    for path in sorted(data_dir.glob("*.json.gz")):
        with gzip.open(path, "rt") as handle:
            points = pd.DataFrame(json.load(handle)["data"])
        histories[path.name.removesuffix(".json.gz")] = pd.DataFrame(
            {
                "date": pd.to_datetime(points["timestamp"]).dt.tz_localize(None).dt.normalize(),
                "tvl": points["tvlUsd"],
                "apy": points["apy"],
            }
        )
    return histories


def synthetic_histories(real: dict[str, pd.DataFrame], pools: int) -> list[PoolHistory]:
    """``pools`` histories of 730 days built from the long real ones (deterministic)."""
    rng = np.random.default_rng(20250605)
    long = [frame for frame in real.values() if len(frame) >= 300]
    dates = pd.date_range(end=RUN_DATE, periods=HISTORY_DAYS, freq="D").to_numpy()
    histories = []
    for number in range(pools):
        base = long[number % len(long)]
        values = {}
        for target, column in COLUMNS.items():
            series = base[column].to_numpy(dtype=float)
            mirrored = np.concatenate([series, series[::-1]])
            stretched = np.resize(mirrored, HISTORY_DAYS)
            jitter = rng.normal(0, 0.01 * (np.std(series) or 1.0), HISTORY_DAYS)
            values[target] = stretched * rng.uniform(0.7, 1.3) + jitter
        keep = rng.random(HISTORY_DAYS) > 0.02
        histories.append(
            PoolHistory(
                f"synthetic-{number:03d}",
                dates[keep],
                values["apy_pct"][keep],
                values["tvl_usd"][keep],
            )
        )
    return histories


def _cpu_seconds() -> float:
    """CPU time of this process and its finished workers (wall time lies on a shared box)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def evaluate(frame: pd.DataFrame, settings: ForecastSettings) -> dict[str, float | None]:
    """MAE ratio vs persistence of the chosen models over the last 90 days, per target (None: not evaluable)."""
    end = frame["date"].max().date()
    out: dict[str, float | None] = {}
    for target, column in COLUMNS.items():
        series = daily_series(frame["date"], frame[column], end)
        spec = SeriesSpec("pool", target, series, **POOL_TARGETS[target])
        evaluation = rolling_evaluation(spec, POOL_CANDIDATES, settings, EVAL_DAYS)
        out[target] = evaluation.mae_ratio if evaluation else None
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--pools", type=int, default=500)
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args()
    settings = ForecastSettings()
    real = real_histories(args.data)

    synthetic = synthetic_histories(real, args.pools)
    load_before = os.getloadavg()[0]
    cpu_before = _cpu_seconds()
    started = time.perf_counter()
    forecasts = forecast_pools(synthetic, RUN_DATE, settings, args.workers)
    seconds = time.perf_counter() - started
    cpu = _cpu_seconds() - cpu_before
    workers = args.workers or os.cpu_count() or 1
    chosen = pd.Series([f"{f.target}:{f.model_name}" for f in forecasts]).value_counts()
    print(
        f"(a) {args.pools} pools x {HISTORY_DAYS} days, {len(forecasts)} series: "
        f"{seconds:.1f} s on {workers} workers, {cpu:.1f} CPU seconds "
        f"(= {cpu / workers:.1f} s on {workers} free cores); load average before "
        f"{load_before:.2f}, after {os.getloadavg()[0]:.2f} (the machine is shared)"
    )
    print(chosen.to_string())

    names = sorted(real)
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        max_workers=args.workers, mp_context=context, initializer=single_threaded_blas
    ) as executor:
        scores = list(executor.map(partial(evaluate, settings=settings), real.values()))
    table = pd.DataFrame(scores, index=names)
    print(f"\n(b) rolling-origin evaluation over the last {EVAL_DAYS} days of real histories")
    for target in COLUMNS:
        values = table[target].dropna()
        print(
            f"  {target}: {len(values)} pools, mean MAE ratio vs persistence {values.mean():.3f}, "
            f"median {values.median():.3f}, share < 1: {(values < 1).mean():.0%}, "
            f"worst {values.max():.3f}"
        )
    result = {
        "pools": args.pools,
        "seconds": round(seconds, 1),
        "mae_ratio_apy": round(float(table["apy_pct"].mean()), 4),
        "mae_ratio_tvl": round(float(table["tvl_usd"].mean()), 4),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
