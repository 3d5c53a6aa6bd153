"""DeFiLlama ``/chart/{pool}`` recordings from the three real chart sources."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from replay.builder.common import END, none_if_nan, rng_for
from replay.builder.tokens import EXTRA_ADDRESSES, TOKENS


def chart_point(
    timestamp: str,
    tvl: float,
    apy: Any,
    base: Any,
    reward: Any,
    il7d: Any = None,
    base7d: Any = None,
) -> dict[str, Any]:
    return {
        "timestamp": timestamp,
        "tvlUsd": int(np.rint(tvl)),
        "apy": none_if_nan(apy),
        "apyBase": none_if_nan(base),
        "apyReward": none_if_nan(reward),
        "il7d": none_if_nan(il7d),
        "apyBase7d": none_if_nan(base7d),
    }


def fetch_times(pool: str, dates: list[str]) -> list[str]:
    """DeFiLlama's daily snapshot time: ~23:00-23:02 UTC with varying seconds (generated)."""
    rng = rng_for("chart-times", pool)
    seconds = rng.integers(0, 150, len(dates))
    millis = rng.integers(0, 1000, len(dates))
    return [
        f"{d}T23:{s // 60:02d}:{s % 60:02d}.{m:03d}Z"
        for d, s, m in zip(dates, seconds, millis, strict=True)
    ]


def oblik_charts(data: Path) -> dict[str, dict[str, Any]]:
    """The 161 oblik/defi_analysis pools: name -> {pool, points, meta from the pool lists}."""
    base = data / "defillama_chart" / "oblik_defi_analysis"
    ids = pd.read_csv(base / "pool_name_to_id.csv")
    addresses: dict[str, str] = {}
    for listing in sorted((base / "pool_lists").glob("*.txt")):
        rows = pd.read_csv(listing)
        if "address" in rows:
            addresses |= dict(zip(rows["name"], rows["address"].str.lower(), strict=True))
    charts = {}
    for name, pool_id in zip(ids["name"], ids["pool_id"], strict=True):
        path = base / "data_defillama" / f"{name}.csv"
        if not path.exists():
            continue
        rows = pd.read_csv(path)
        times = fetch_times(pool_id, rows["date"].tolist())
        # The CSVs filled DeFiLlama's nulls with 0; a zero reward APY was a null reward.
        points = [
            chart_point(t, tvl, apy, base_apy, None if reward == 0 else reward)
            for t, tvl, apy, base_apy, reward in zip(
                times, rows["tvl"], rows["apy"], rows["apy_base"], rows["apy_reward"], strict=True
            )
        ]
        project, rest = name.split("_", 1)
        symbol, chain = rest.rsplit("_", 1)
        charts[pool_id] = {
            "project": project,
            "symbol": symbol,
            "chain": chain,
            "pool_meta": None,
            "underlying": [addresses[name]] if name in addresses else None,
            "points": points,
        }
    return charts


def uniswap_charts(data: Path) -> dict[str, dict[str, Any]]:
    """The 20 Uniswap V3 Ethereum pools of yzhou1031, keyed by their DeFiLlama id."""
    base = data / "defillama_chart" / "yzhou1031_uniswap_v3"
    top = pd.read_csv(base / "top_pools.csv")
    history = pd.read_csv(base / "pool_history.csv")
    history = history[history["date"] <= END.isoformat()]
    known = {t.symbol: t.contract for t in TOKENS} | EXTRA_ADDRESSES
    charts = {}
    for row in top.itertuples():
        rows = history[history["address"].str.lower() == row.address.lower()].sort_values("date")
        times = fetch_times(row.llama_id, rows["date"].tolist())
        points = [
            chart_point(t, tvl, apy, base_apy, None, il7d, base7d)
            for t, tvl, apy, base_apy, il7d, base7d in zip(
                times,
                rows["tvl_usd"],
                rows["apy"],
                rows["apy_base"],
                rows["il_7d"],
                rows["apy_base_7d"],
                strict=True,
            )
        ]
        tokens = [known.get(row.token0.upper()), known.get(row.token1.upper())]
        charts[row.llama_id] = {
            "project": "uniswap-v3",
            "symbol": f"{row.token0}-{row.token1}".upper(),
            "chain": "Ethereum",
            "pool_meta": f"{row.fee_tier / 10_000:g}%",
            "underlying": tokens if all(tokens) else None,
            "contract": row.address.lower(),
            "points": points,
        }
    return charts


def scrvusd_chart(data: Path) -> dict[str, dict[str, Any]]:
    """Curve's scrvUSD savings vault: the raw /chart data array, verbatim."""
    pool = "5fd328af-4203-471b-bd16-1705c726d926"
    points = json.loads(
        (data / "defillama_chart" / "newgnart_stables" / f"yield_pool_{pool}.json").read_text()
    )
    return {
        pool: {
            "project": "crvusd",
            "symbol": "SCRVUSD",
            "chain": "Ethereum",
            "pool_meta": None,
            "underlying": ["0xf939e0a03fb07f59a73314e73794be0e57ac1b4e"],
            "points": points,
        }
    }
