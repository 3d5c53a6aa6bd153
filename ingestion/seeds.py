"""The analyst seeds that drive the fetches: tracked tokens and pool reserve contracts."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from core.paths import SEEDS_DIR


@dataclass(frozen=True)
class TrackedToken:
    """A token whose prices (CoinMarketCap id) and balances (ERC-20 contract) are fetched."""

    symbol: str
    cmc_id: int
    contract_address: str | None
    decimals: int | None


def tracked_tokens(seeds_dir: Path = SEEDS_DIR) -> list[TrackedToken]:
    """Rows of ``tracked_tokens.csv``; symbols normalized like dbt's ``normalize_token_symbol``."""
    with (seeds_dir / "tracked_tokens.csv").open(newline="") as handle:
        return [
            TrackedToken(
                symbol=row["token_symbol"].strip().upper(),
                cmc_id=int(row["cmc_id"]),
                contract_address=(row.get("contract_address") or "").strip().lower() or None,
                decimals=int(row["decimals"]) if (row.get("decimals") or "").strip() else None,
            )
            for row in csv.DictReader(handle)
        ]


def pool_reserve_contracts(seeds_dir: Path = SEEDS_DIR) -> dict[str, str]:
    """``pool_id -> contract address`` from ``pool_reserve_contracts.csv`` (empty if absent)."""
    path = seeds_dir / "pool_reserve_contracts.csv"
    if not path.exists():
        return {}
    with path.open(newline="") as handle:
        return {
            row["pool_id"].strip(): row["contract_address"].strip().lower()
            for row in csv.DictReader(handle)
        }
