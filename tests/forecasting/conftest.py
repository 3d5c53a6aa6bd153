"""Real recorded series and synthetic series with known structure for the forecasting tests."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from threadpoolctl import threadpool_limits

DATA = Path(__file__).parent / "data"
POOL_FILES = {
    "aa70268e-4b52-42bf-a116-608b370f9501": "aave-v3_USDC_Ethereum.csv",
    "4438dabc-7f0c-430b-8136-2722711ae663": "fluid-lending_USDC_Ethereum.csv",
    "9674ffb3-faaf-4d93-99e7-1175ca0ad643": "morpho-blue_HYUSDC_Ethereum.csv",
}


def read_pool(pool_id: str) -> pd.DataFrame:
    """A recorded DeFiLlama history: ``date, tvl, apy, apy_base, apy_reward``."""
    return pd.read_csv(DATA / POOL_FILES[pool_id], parse_dates=["date"])


@pytest.fixture(scope="session")
def real_pools() -> dict[str, pd.DataFrame]:
    return {pool_id: read_pool(pool_id) for pool_id in POOL_FILES}


@pytest.fixture(scope="session")
def gas_daily() -> pd.DataFrame:
    frame = pd.read_csv(DATA / "etherscan_gas_daily.csv", parse_dates=["gas_date"])
    frame["gas_date"] = frame["gas_date"].dt.date
    return frame


@pytest.fixture(scope="module", autouse=True)
def single_threaded_blas():
    """One BLAS thread, as in the forecast workers: same numbers, and far faster on 2 cores."""
    with threadpool_limits(limits=1):
        yield
