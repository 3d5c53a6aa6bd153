"""The yardsticks: what a treasury would do instead of following the product.

A treasury adopts the product only if following it earns more than its alternatives, at a
risk it can name. Three alternatives are measured beside every backtest and in the daily
report; they are references, not bound by the product's rules (eligibility, caps):

- ``aave_v3_usdc``: all capital in Aave v3 USDC on Ethereum, from the first day;
- ``benchmark_top5``: the five largest USD-stablecoin lending pools and vaults on Ethereum,
  chosen and weighted by their TVL on each month's first day, costs paid (the shape of the
  public vaults.fyi benchmark rate: a TVL-weighted basket of the largest vaults);
- ``curated_vault``: the largest curated USDC vault recorded, Steakhouse USDC (a MetaMorpho
  vault on Ethereum).

Pools are named as DeFiLlama lists them (project, chain, symbol), so the same definition
finds them in the daily run's marts and in the backtest's market.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

AAVE_V3_USDC = "aave_v3_usdc"
BENCHMARK_TOP5 = "benchmark_top5"
CURATED_VAULT = "curated_vault"
YARDSTICKS = (AAVE_V3_USDC, BENCHMARK_TOP5, CURATED_VAULT)


@dataclass(frozen=True)
class PoolKey:
    """A pool as DeFiLlama lists it."""

    project: str
    chain: str
    symbol: str


SINGLE_POOLS = {
    AAVE_V3_USDC: PoolKey("aave-v3", "Ethereum", "USDC"),
    CURATED_VAULT: PoolKey("morpho-blue", "Ethereum", "STEAKUSDC"),
}
BENCHMARK_SIZE = 5
BENCHMARK_CHAIN = "Ethereum"
# protocol_families.category of lending markets and of lending vaults
BENCHMARK_CATEGORIES = ("lending", "vault")


def locate(pools: pd.DataFrame, key: PoolKey) -> str | None:
    """The id of the pool ``key`` names (the largest by TVL if DeFiLlama lists several), in a
    frame indexed by pool id with ``project``, ``chain``, ``symbol`` and ``tvl_last``."""
    found = pools[
        (pools["project"] == key.project)
        & (pools["chain"] == key.chain)
        & (pools["symbol"].str.upper() == key.symbol.upper())
    ]
    if found.empty:
        return None
    return str(found["tvl_last"].fillna(0).idxmax())


def benchmark_weights(pools: pd.DataFrame) -> dict[str, float]:
    """The benchmark's basket on a day: the ``BENCHMARK_SIZE`` largest USD-stablecoin lending
    pools and vaults on Ethereum by TVL, each weighted by its TVL (columns ``chain``,
    ``category``, ``usd_stablecoin``, ``tvl_last``)."""
    eligible = pools[
        (pools["chain"] == BENCHMARK_CHAIN)
        & pools["category"].isin(BENCHMARK_CATEGORIES)
        & pools["usd_stablecoin"].fillna(False).astype(bool)
        & (pools["tvl_last"] > 0)
    ]
    largest = eligible["tvl_last"].nlargest(BENCHMARK_SIZE)
    return {str(pool): float(tvl) for pool, tvl in largest.items()}


def rebalances_on(day: pd.Timestamp | object, first_day: object) -> bool:
    """The benchmark re-chooses its basket on each month's first day (and on the first day)."""
    stamp = pd.Timestamp(day)
    return stamp == pd.Timestamp(first_day) or stamp.day == 1
