"""A decision date's market: the pools as the decision sees them, the day's gas, the caps in force.

The daily run of D (02:30 UTC on D) and the backtest's trade day D decide on the same
information: the lists in force on D and market data through D − 1 (eligibility, group,
forecasts fitted on history up to D − 1, the gas forecast of D, the ETH close of D − 1, the
latest /lendBorrow snapshot). :class:`DayMarket` holds exactly that, whoever read it:
``python_models.decision.daily_inputs`` from the run date's marts, the backtest from its
panels of the recorded history.

``pools`` has one row per pool the decision may see (index ``pool_id``) and these columns:

================================  ==============================================================
``eligible``                      passes every eligibility check on D (bool)
``group_id``                      risk group 1/2/3 (NaN: none)
``tokens``                        the pool's underlying token symbols (list)
``protocol``                      protocol family, the unit of the exploit cap (``aave``)
``curator``                       the vault's curator (None: not a curated vault)
``chain``                         chain name
``apy_pct``                       the APY the decision is fed: the shipped forecast of the mean
                                  APY over the holding period, unless a view replaces it (NaN:
                                  no forecast)
``tvl_usd``                       forecast TVL as DeFiLlama quotes it (NaN: no forecast)
``apy_last`` / ``tvl_last``       the actual APY and TVL of D − 1 (persistence)
``supply_per_tvl``                total supply over ``tvl_usd`` (NaN: unknown, taken as 1)
``available_liquidity_usd``       withdrawable liquidity (NaN: unknown)
``deposit_gas_units``             gas units of a touch on the L1 (NaN elsewhere)
``tx_fee_usd``                    USD fee of a transaction on other chains (NaN on the L1)
``project`` / ``symbol``          how DeFiLlama lists the pool (the yardsticks find pools by it)
``category``                      the family's kind (``lending``, ``vault``, ``dex`` …)
``usd_stablecoin``                every underlying token is a USD stablecoin (bool)
================================  ==============================================================
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

import pandas as pd

from python_models.decision.costs import touch_cost_usd

POOL_COLUMNS = (
    "eligible",
    "group_id",
    "tokens",
    "protocol",
    "curator",
    "chain",
    "apy_pct",
    "tvl_usd",
    "apy_last",
    "tvl_last",
    "supply_per_tvl",
    "available_liquidity_usd",
    "deposit_gas_units",
    "tx_fee_usd",
    "project",
    "symbol",
    "category",
    "usd_stablecoin",
)
# The analysts' tighter caps per name, % of AUM, by dimension (seed exposure_caps).
CAP_DIMENSIONS = ("protocol", "curator", "chain", "token")


@dataclass(frozen=True)
class DayMarket:
    """What the decision of ``decision_date`` knows; see the module docstring."""

    decision_date: dt.date
    pools: pd.DataFrame
    gas_price_gwei: float | None
    eth_price_usd: float | None
    caps: dict[str, dict[str, float]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        missing = [column for column in POOL_COLUMNS if column not in self.pools.columns]
        if missing:
            raise ValueError(f"market of {self.decision_date}: pools lack {', '.join(missing)}")

    @property
    def gas_usd(self) -> pd.Series:
        """USD of one touch per pool at the day's gas price (:func:`touch_cost_usd`)."""
        return touch_cost_usd(
            self.pools["deposit_gas_units"],
            self.pools["tx_fee_usd"],
            self.gas_price_gwei,
            self.eth_price_usd,
        )

    def with_apy(self, apy: pd.Series) -> DayMarket:
        """The same day fed another APY view (persistence, a trailing mean, the oracle …)."""
        return replace(self, pools=self.pools.assign(apy_pct=apy.reindex(self.pools.index)))

    def with_pools(self, pools: pd.DataFrame) -> DayMarket:
        return replace(self, pools=pools)
