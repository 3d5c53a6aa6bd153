"""Small hand-made market data for the backtest tests that need no database.

Six stablecoin pools on two chains with smooth, distinct APY paths (so forecasts and choices
move from day to day), steady TVL, all eligible and grouped, a gas price around 10 gwei.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from python_models.backtest.inputs import HISTORY_DAYS_BEFORE, MarketData

POOLS = {
    # pool_id: (chain, project, tokens, group, base APY %)
    "arb-usdc": ("Arbitrum", "aave-v3", ["USDC"], 1, 4.0),
    "arb-usdt": ("Arbitrum", "aave-v3", ["USDT"], 1, 4.5),
    "arb-dai": ("Arbitrum", "aave-v3", ["DAI"], 2, 5.0),
    "eth-usdc": ("Ethereum", "aave-v3", ["USDC"], 1, 5.5),
    "eth-usdt": ("Ethereum", "aave-v3", ["USDT"], 2, 6.0),
    "eth-dai": ("Ethereum", "aave-v3", ["DAI"], 3, 6.5),
}


def market_data(start: dt.date, end: dt.date) -> MarketData:
    """Histories from HISTORY_DAYS_BEFORE days before ``start`` to ``end``, eligibility for
    the information dates ``start`` − 1 … ``end`` − 1."""
    days = pd.date_range(start - dt.timedelta(days=HISTORY_DAYS_BEFORE), end, freq="D")
    phase = np.arange(len(days))
    history = pd.concat(
        pd.DataFrame(
            {
                "subject_id": pool_id,
                "day": days,
                "apy_pct": base + 1.5 * np.sin(phase / (6 + number) + number),
                "tvl_usd": 40e6 + 5e6 * np.cos(phase / 11 + number),
            }
        )
        for number, (pool_id, (_, _, _, _, base)) in enumerate(POOLS.items())
    )
    information = pd.date_range(start - dt.timedelta(days=1), end - dt.timedelta(days=1))
    eligibility = pd.DataFrame(
        [
            {
                "day": day,
                "pool_id": pool_id,
                "is_eligible": True,
                "group_id": group,
                "tokens": tokens,
                "chain": chain,
                "project": project,
            }
            for day in information
            for pool_id, (chain, project, tokens, group, _) in POOLS.items()
        ]
    )
    eligibility["group_id"] = eligibility["group_id"].astype("Int64")
    gas = pd.DataFrame(
        {
            "day": days,
            "gas_price_gwei": 10 + 3 * np.sin(phase / 5),
            "eth_price_usd": 3000.0,
        }
    )
    return MarketData(
        start,
        end,
        eligibility,
        history.reset_index(drop=True),
        gas,
        pd.Series({"aave-v3": 200_000.0}),
        pd.Series({"Arbitrum": 0.10}),
    )
