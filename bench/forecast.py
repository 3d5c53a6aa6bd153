"""Forecasting benchmark (run by hand): the daily step's speed, the backtest panels' speed, and
the shipped forecaster's skill on what the decision uses, on the recorded histories.

(a) Daily steps 10–11: APY (mean over the horizon) and TVL of 500 pools x 730 days, one run
    date, every statsmodels estimate made afresh (the in-memory estimates forgotten first).
    The histories are synthetic but made from the real ones: each pool is a real 2024–25
    history followed by its mirror image, scaled and jittered per pool, 2 % of the days
    missing.
(b) Backtest panels over the recorded year: every pool with a ``/chart`` recording (history
    from its first recorded day), decision dates 2024-06-06 … 2025-06-05: APY for the first
    horizon + TVL + gas (the recorded Etherscan daily average) cold, in this fresh process
    (each target timed); then each further horizon (the refit blocks and estimates reused).
(c) Skill, scored as the backtest scores it (``python_models.forecasting.scoring``): the
    shipped forecast, persistence and the 30-day mean against the realized mean APY of
    D … D + h − 1, pooled MAE ratio vs persistence, mean daily Spearman rank correlation,
    share of pool-days per model; over 2024-08-05 → 2025-06-05 and its two halves; on every
    recorded pool, and on the eligible pools of each decision date when ``--market-database``
    names a database the backtest's dbt build filled (read only). Then next-day TVL (every
    recorded pool) and the day's gas price, whole span, against persistence.

Usage: .venv/bin/python bench/forecast.py [--pools 500] [--horizons 1,7,14,30]
    [--market-database backtest] [--apy-candidates naive,shrink_7d,arima_011]
The last line printed is JSON: {"pools": 500, "daily_seconds": s, "panel_cold_seconds": c,
"panel_extra_horizon_seconds": [...], "apy_error_ratio": {"1": r, ...}, "tvl_error_ratio": t,
"gas_error_ratio": g}. ``--skip-skill`` stops after the timings.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import gzip
import json
import os
import time
from pathlib import Path

import numpy as np
import pandas as pd
import psycopg2

from core import db
from core.paths import RECORDINGS_DIR
from python_models.forecasting import estimation, scoring
from python_models.forecasting.panel import PanelForecaster, forecast_panel
from python_models.forecasting.pools import PoolHistory, forecast_pools
from python_models.forecasting.series import build_panel
from python_models.forecasting.targets import APY, GAS, TARGETS, TVL

CHARTS = RECORDINGS_DIR / "defillama" / "chart"
GAS_RECORDING = RECORDINGS_DIR / "etherscan" / "dailyavggasprice.json.gz"
HISTORY_DAYS = 730
RUN_DATE = dt.date(2025, 6, 6)
DAYS = pd.date_range("2024-06-06", "2025-06-05")
SCORED = ("2024-08-05", "2025-06-05")
HALVES = (("2024-08-05", "2025-01-03"), ("2025-01-04", "2025-06-05"))
# Decision date D is judged on the eligibility of D − 1 (what the daily run of D knows).
ELIGIBILITY = """
    select eligibility_date + 1 as day, pool_id
    from intermediate.int_pool_eligibility_by_day
    where is_eligible
"""


def recorded_histories(folder: Path) -> pd.DataFrame:
    """Every recorded ``/chart`` response as ``subject_id, day, apy_pct, tvl_usd`` rows."""
    frames = []
    for path in sorted(folder.glob("*.json.gz")):
        with gzip.open(path, "rt") as handle:
            points = pd.DataFrame(json.load(handle)["data"])
        frames.append(
            pd.DataFrame(
                {
                    "subject_id": path.name.removesuffix(".json.gz"),
                    "day": pd.to_datetime(points["timestamp"]).dt.tz_localize(None).dt.normalize(),
                    APY: pd.to_numeric(points["apy"], errors="coerce"),
                    TVL: pd.to_numeric(points["tvlUsd"], errors="coerce"),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def recorded_gas() -> pd.DataFrame:
    """The recorded Etherscan daily average gas price as forecaster rows."""
    with gzip.open(GAS_RECORDING, "rt") as handle:
        result = pd.DataFrame(json.load(handle)["result"])
    return pd.DataFrame(
        {
            "subject_id": "ethereum",
            "day": pd.to_datetime(result["UTCDate"]),
            "value": result["avgGasPrice_Wei"].astype(float) / 1e9,
        }
    )


def synthetic_histories(real: pd.DataFrame, pools: int) -> list[PoolHistory]:
    """``pools`` histories of 730 days built from the long real ones (deterministic)."""
    rng = np.random.default_rng(20250605)
    long = [rows for _, rows in real.groupby("subject_id") if len(rows) >= 300]
    dates = pd.date_range(end=RUN_DATE - dt.timedelta(days=1), periods=HISTORY_DAYS).to_numpy()
    histories = []
    for number in range(pools):
        base = long[number % len(long)]
        values = {}
        for target in (APY, TVL):
            series = base[target].to_numpy(dtype=float)
            stretched = np.resize(np.concatenate([series, series[::-1]]), HISTORY_DAYS)
            jitter = rng.normal(0, 0.01 * (np.nanstd(series) or 1.0), HISTORY_DAYS)
            values[target] = stretched * rng.uniform(0.7, 1.3) + jitter
        keep = rng.random(HISTORY_DAYS) > 0.02
        histories.append(
            PoolHistory(
                f"synthetic-{number:03d}", dates[keep], values[APY][keep], values[TVL][keep]
            )
        )
    return histories


def rows_of(history: pd.DataFrame, target: str) -> pd.DataFrame:
    return history.rename(columns={target: "value"})[["subject_id", "day", "value"]]


def timed(task):
    started = time.perf_counter()
    result = task()
    return result, time.perf_counter() - started


def eligible_days(database: str, subjects: list[str]) -> pd.DataFrame:
    """Days x pools: eligible at the start of the decision date, from a backtest database."""
    with psycopg2.connect(db.connection_info(database).uri()) as conn, conn.cursor() as cur:
        cur.execute(ELIGIBILITY)
        rows = pd.DataFrame(cur.fetchall(), columns=["day", "pool_id"])
    rows["day"] = pd.to_datetime(rows["day"])
    marked = rows.assign(eligible=True).pivot(index="day", columns="pool_id", values="eligible")
    return marked.reindex(index=DAYS, columns=subjects).fillna(False).astype(bool)


def actual_days(rows: pd.DataFrame) -> pd.DataFrame:
    """Days x pools: each recorded value, the last one carried over gaps (as the panel)."""
    panel = build_panel(rows, dt.date(2025, 6, 30))
    calendar = pd.date_range(panel.start, periods=panel.days)
    return pd.DataFrame(panel.values.T, index=calendar, columns=list(panel.subjects))


def skill(
    forecaster: PanelForecaster, actual: pd.DataFrame, horizon: int, mask: pd.DataFrame | None
) -> list[dict[str, object]]:
    """The views' scores over the scored span and its halves (see the docstring)."""
    values, models = forecaster.frames(DAYS, horizon)
    views = {"shipped": values, **scoring.simple_views(actual)}
    outcome = scoring.realized_mean(actual, horizon)
    results = []
    for first, last in (SCORED, *HALVES):
        window = slice(pd.Timestamp(first), pd.Timestamp(last))
        scores = scoring.score_views(
            {name: view.loc[window] for name, view in views.items()},
            outcome.loc[window],
            None if mask is None else mask.loc[window],
            models.loc[window],
        )
        results.append({"from": first, "to": last, **scores})
    return results


def next_day_skill(rows: pd.DataFrame, target: str) -> dict[str, object]:
    """The shipped forecast of the day itself vs persistence, over the whole scored span."""
    forecaster = PanelForecaster(rows, target, DAYS[-1].date())
    actual = actual_days(rows).reindex(columns=list(forecaster.panel.subjects))
    values, models = forecaster.frames(DAYS, 1)
    window = slice(pd.Timestamp(SCORED[0]), pd.Timestamp(SCORED[1]))
    views = {"shipped": values, **scoring.simple_views(actual)}
    return scoring.score_views(
        {name: view.loc[window] for name, view in views.items()},
        scoring.realized_mean(actual, 1).loc[window],
        None,
        models.loc[window],
    )


def print_skill(name: str, horizon: int, results: list[dict[str, object]]) -> None:
    for result in results:
        views = result["views"]
        line = " | ".join(
            f"{view} {scores['error_ratio']:.3f} ρ {scores['rank_correlation']:.3f}"
            for view, scores in views.items()
        )
        shares = ", ".join(f"{m} {s:.0f}%" for m, s in result["model_share_pct"].items())
        print(
            f"  {name} h={horizon:2d} {result['from']}→{result['to']} "
            f"({result['pool_days']} pool-days): {line}; chose {shares}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pools", type=int, default=500)
    parser.add_argument("--horizons", default="1,7,14,30")
    parser.add_argument("--market-database", help="a backtest database, for eligibility")
    parser.add_argument("--apy-candidates", help="try another APY candidate set (comma list)")
    parser.add_argument("--skip-skill", action="store_true", help="timings only")
    args = parser.parse_args()
    horizons = [int(value) for value in args.horizons.split(",")]
    real = recorded_histories(CHARTS)
    gas = recorded_gas()
    load_before = os.getloadavg()[0]

    # (b) first, in a fresh process: the backtest's cold start
    parts = {}
    for target, rows, horizon in (
        (APY, rows_of(real, APY), horizons[0]),
        (TVL, rows_of(real, TVL), 1),
        (GAS, gas, 1),
    ):
        parts[target] = timed(lambda r=rows, t=target, h=horizon: forecast_panel(r, t, DAYS, h))[1]
    cold = sum(parts.values())
    extra = [
        timed(lambda h=h: forecast_panel(rows_of(real, APY), APY, DAYS, h))[1] for h in horizons[1:]
    ]
    _, warm = timed(lambda: forecast_panel(rows_of(real, APY), APY, DAYS, horizons[0]))
    print(
        f"(b) panels, {real['subject_id'].nunique()} recorded pools x {len(DAYS)} days: "
        f"APY h={horizons[0]} + TVL + gas {cold:.1f} s cold "
        f"({', '.join(f'{t} {s:.1f} s' for t, s in parts.items())}); further horizons "
        f"{', '.join(f'h={h} {s:.1f} s' for h, s in zip(horizons[1:], extra, strict=True))}; "
        f"h={horizons[0]} again {warm:.2f} s (cached); load average {os.getloadavg()[0]:.2f}"
    )

    # (a) the daily step at 500 pools
    synthetic = synthetic_histories(real, args.pools)
    daily = {}
    for horizon in (1, 7):
        estimation.clear()
        forecasts, daily[horizon] = timed(lambda h=horizon: forecast_pools(synthetic, RUN_DATE, h))
        chosen = pd.Series([f"{f.target}:{f.model_name}" for f in forecasts]).value_counts()
        print(
            f"(a) daily, {args.pools} pools x {HISTORY_DAYS} days, APY h={horizon} + TVL: "
            f"{daily[horizon]:.1f} s; {chosen.to_dict()}"
        )
    print(f"load average before {load_before:.2f}, after {os.getloadavg()[0]:.2f}")
    timings = {
        "pools": args.pools,
        "daily_seconds": round(daily[1], 1),
        "panel_cold_seconds": round(cold, 1),
        "panel_extra_horizon_seconds": [round(s, 1) for s in extra],
    }
    if args.skip_skill:
        print(json.dumps(timings))
        return

    # (c) skill
    spec = TARGETS[APY]
    if args.apy_candidates:
        spec = dataclasses.replace(spec, candidates=tuple(args.apy_candidates.split(",")))
    rows = rows_of(real, APY)
    forecaster = PanelForecaster(rows, APY, DAYS[-1].date(), spec=spec)
    actual = actual_days(rows).reindex(columns=list(forecaster.panel.subjects))
    mask = None
    if args.market_database:
        mask = eligible_days(args.market_database, list(forecaster.panel.subjects))
    ratios = {}
    print(f"(c) skill on the realized mean APY, candidates {', '.join(spec.candidates)}")
    for horizon in horizons:
        results = skill(forecaster, actual, horizon, None)
        print_skill("all pools", horizon, results)
        ratios[str(horizon)] = round(results[0]["views"]["shipped"]["error_ratio"], 4)
        if mask is not None:
            print_skill("eligible ", horizon, skill(forecaster, actual, horizon, mask))
    others = {}
    for target, rows in ((TVL, rows_of(real, TVL)), (GAS, gas)):
        result = next_day_skill(rows, target)
        views = result["views"]
        shares = ", ".join(f"{m} {s:.0f}%" for m, s in result["model_share_pct"].items())
        print(
            f"  {target} next day {SCORED[0]}→{SCORED[1]} ({result['pool_days']} days): "
            f"shipped {views['shipped']['error_ratio']:.3f}, mean30d "
            f"{views['mean30d']['error_ratio']:.3f}; chose {shares}"
        )
        others[target] = round(views["shipped"]["error_ratio"], 4)
    print(
        json.dumps(
            {
                **timings,
                "apy_error_ratio": ratios,
                "tvl_error_ratio": others[TVL],
                "gas_error_ratio": others[GAS],
            }
        )
    )


if __name__ == "__main__":
    main()
