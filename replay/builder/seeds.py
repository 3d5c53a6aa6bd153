"""Pool reserve contracts (pair-ratio filter) and the two seeds the builder writes."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from replay.builder.tokens import TOKEN_BY_SYMBOL, TOKENS

# pool id, reserve contract, {token: share of TVL}. Shares are generated; 3pool's id is the
# real one of the 2023 pool list, the Uniswap V3 ids and contracts are real (top_pools.csv).
RESERVE_POOLS = (
    (
        "25171c4c-1877-449a-9f88-45a9f153ee31",
        "0xbebc44782c7db0a1a60cb6fe97d0b483032ff1c7",
        {"DAI": 0.24, "USDC": 0.31, "USDT": 0.45},
    ),
    (
        "665dc8bc-c79d-4800-97f7-304bf368e547",
        "0x88e6a0c2ddd26feeb64f039a2c41296fcb3f5640",
        {"USDC": 0.42, "WETH": 0.58},
    ),
    (
        "e737d721-f45c-40f0-9793-9f56261862b9",
        "0x3416cf6c708da44db2624d63ea0aaef7113527c6",
        {"USDC": 0.86, "USDT": 0.14},
    ),
    (
        "d59a5728-d391-4989-86f6-a94e11e0eb3b",
        "0x4585fe77225b41b697c938b018e2ac67ac5a20c0",
        {"WBTC": 0.55, "WETH": 0.45},
    ),
    (
        "fc9f488e-8183-416f-a61e-4e5c571d4395",
        "0x4e68ccd3e89f51c3074ca5072bbac773960dfa36",
        {"WETH": 0.5, "USDT": 0.5},
    ),
)


def reserve_balances(
    pools: list[dict[str, Any]], closes: dict[str, float]
) -> dict[str, dict[str, int]]:
    """contract -> {token contract: raw balance}: each token's share of the pool's last TVL."""
    tvl = {p["pool"]: p["tvlUsd"] for p in pools}
    reserves = {}
    for pool_id, contract, shares in RESERVE_POOLS:
        if pool_id not in tvl:
            raise ValueError(f"reserve pool {pool_id} is not in the /pools snapshot")
        reserves[contract] = {
            TOKEN_BY_SYMBOL[s].contract: int(
                tvl[pool_id] * share / closes[s] * 10 ** TOKEN_BY_SYMBOL[s].decimals
            )  # type: ignore[misc]
            for s, share in shares.items()
        }
    return reserves


# --- Writing --------------------------------------------------------------------------------
def write_seeds(seeds_dir: Path) -> None:
    with (seeds_dir / "tracked_tokens.csv").open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(
            ["token_symbol", "cmc_id", "is_stablecoin", "peg_usd", "contract_address", "decimals"]
        )
        for t in TOKENS:
            writer.writerow(
                [
                    t.symbol,
                    t.cmc_id,
                    str(t.is_stablecoin).lower(),
                    "1" if t.is_stablecoin else "",
                    t.contract or "",
                    t.decimals,
                ]
            )
    with (seeds_dir / "pool_reserve_contracts.csv").open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["pool_id", "contract_address"])
        writer.writerows((pool_id, contract) for pool_id, contract, _ in RESERVE_POOLS)
