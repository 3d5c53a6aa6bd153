"""Small hand-made market data for the backtest tests that need no database.

Six stablecoin pools on two chains with smooth, distinct APY paths (so forecasts and choices
move from day to day), steady TVL, all eligible and grouped, a gas price around 10 gwei; plus
the two single-pool yardsticks' pools (Aave v3 USDC and Steakhouse USDC on Ethereum), which
the rules let in too. Rows are in the vocabulary of ``python_models.decision.market``.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from python_models.backtest.market import HISTORY_DAYS_BEFORE, MarketData

POOLS = {
    # pool_id: (chain, project, family, symbol, tokens, group, base APY %)
    "arb-usdc": ("Arbitrum", "aave-v3", "aave", "USDC", ["USDC"], 1, 4.0),
    "arb-usdt": ("Arbitrum", "aave-v3", "aave", "USDT", ["USDT"], 1, 4.5),
    "arb-dai": ("Arbitrum", "aave-v3", "aave", "DAI", ["DAI"], 2, 5.0),
    "eth-usdc": ("Ethereum", "aave-v3", "aave", "USDC", ["USDC"], 1, 5.5),
    "eth-usdt": ("Ethereum", "fluid-lending", "fluid", "USDT", ["USDT"], 2, 6.0),
    "eth-steak": ("Ethereum", "morpho-blue", "morpho", "STEAKUSDC", ["USDC"], 3, 6.5),
}
CATEGORY = {"aave": "lending", "fluid": "lending", "morpho": "vault"}


def pool_rows(decision_dates: pd.DatetimeIndex, history: pd.DataFrame) -> pd.DataFrame:
    """Every pool on every decision date, judged on the day before (apy/tvl of D − 1)."""
    previous = history.assign(decision_date=history["day"] + pd.Timedelta(days=1)).set_index(
        ["decision_date", "subject_id"]
    )
    rows = pd.DataFrame(
        [
            {
                "decision_date": day,
                "pool_id": pool_id,
                "eligible": True,
                "group_id": float(group),
                "tokens": tokens,
                "protocol": family,
                "curator": "Steakhouse" if family == "morpho" else None,
                "chain": chain,
                "supply_per_tvl": np.nan,
                "available_liquidity_usd": np.nan,
                "deposit_gas_units": 200_000.0 if chain == "Ethereum" else np.nan,
                "tx_fee_usd": 0.10 if chain != "Ethereum" else np.nan,
                "project": project,
                "symbol": symbol,
                "category": CATEGORY[family],
                "usd_stablecoin": True,
                "eligible_by_symbol": family != "morpho",
            }
            for day in decision_dates
            for pool_id, (chain, project, family, symbol, tokens, group, _) in POOLS.items()
        ]
    )
    known = previous.reindex(pd.MultiIndex.from_frame(rows[["decision_date", "pool_id"]]))
    rows["apy_last"] = known["apy_pct"].to_numpy()
    rows["tvl_last"] = known["tvl_usd"].to_numpy()
    return rows


def market_data(start: dt.date, end: dt.date) -> MarketData:
    """Histories from HISTORY_DAYS_BEFORE days before ``start`` to ``end``, pools of every
    decision date ``start`` … ``end``."""
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
        for number, (pool_id, (*_, base)) in enumerate(POOLS.items())
    ).reset_index(drop=True)
    return MarketData(
        start,
        end,
        pool_rows(pd.date_range(start, end), history),
        history,
        pd.Series(10 + 3 * np.sin(phase / 5), index=days),
        pd.Series(3000.0, index=days),
        pd.DataFrame(columns=["decision_date", "dimension", "name", "max_pct"]),
    )
