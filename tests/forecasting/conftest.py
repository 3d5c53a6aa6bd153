"""Real recorded series (test data and the /chart recordings) for the forecasting tests."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pandas as pd
import pytest

from core.paths import RECORDINGS_DIR

DATA = Path(__file__).parent / "data"
POOL_FILES = {
    "aa70268e-4b52-42bf-a116-608b370f9501": "aave-v3_USDC_Ethereum.csv",
    "4438dabc-7f0c-430b-8136-2722711ae663": "fluid-lending_USDC_Ethereum.csv",
    "9674ffb3-faaf-4d93-99e7-1175ca0ad643": "morpho-blue_HYUSDC_Ethereum.csv",
}


def read_pool(pool_id: str) -> pd.DataFrame:
    """A recorded DeFiLlama history: ``date, tvl, apy, apy_base, apy_reward``."""
    return pd.read_csv(DATA / POOL_FILES[pool_id], parse_dates=["date"])


def recorded_chart(pool_id: str) -> pd.DataFrame:
    """A recorded ``/chart`` response as ``subject_id, day, apy_pct, tvl_usd`` rows."""
    path = RECORDINGS_DIR / "defillama" / "chart" / f"{pool_id}.json.gz"
    with gzip.open(path, "rt") as handle:
        points = pd.DataFrame(json.load(handle)["data"])
    return pd.DataFrame(
        {
            "subject_id": pool_id,
            "day": pd.to_datetime(points["timestamp"]).dt.tz_localize(None).dt.normalize(),
            "apy_pct": pd.to_numeric(points["apy"], errors="coerce"),
            "tvl_usd": pd.to_numeric(points["tvlUsd"], errors="coerce"),
        }
    )


def recorded_gas() -> pd.DataFrame:
    """The recorded Etherscan daily average gas price: ``gas_date, avg_gas_price_gwei``."""
    path = RECORDINGS_DIR / "etherscan" / "dailyavggasprice.json.gz"
    with gzip.open(path, "rt") as handle:
        result = pd.DataFrame(json.load(handle)["result"])
    return pd.DataFrame(
        {
            "gas_date": pd.to_datetime(result["UTCDate"]).dt.date,
            "avg_gas_price_gwei": result["avgGasPrice_Wei"].astype(float) / 1e9,
        }
    )


@pytest.fixture(scope="session")
def real_pools() -> dict[str, pd.DataFrame]:
    return {pool_id: read_pool(pool_id) for pool_id in POOL_FILES}


@pytest.fixture(scope="session")
def gas_daily() -> pd.DataFrame:
    frame = pd.read_csv(DATA / "etherscan_gas_daily.csv", parse_dates=["gas_date"])
    frame["gas_date"] = frame["gas_date"].dt.date
    return frame
