"""The gas of touching a pool (one deposit or one withdrawal), priced by one rule.

docs/product.md "Gas cost": on the L1 a touch costs the protocol's gas units (seed
``protocol_gas_units``, action ``deposit``) × the gas price (gwei) × 1e-9 × the ETH price
(USD); on other chains the chain's fee per transaction (seed ``chain_tx_fee_usd``). dbt says
which basis a pool has (``deposit_gas_units`` on the L1, ``tx_fee_usd`` elsewhere, from the
``l1_chain`` var); this module prices it with the day's gas forecast, for the daily run and
the backtest alike.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

GWEI_IN_ETH = 1e-9


def touch_cost_usd(
    gas_units: pd.Series,
    fee_usd: pd.Series,
    gas_price_gwei: float | None,
    eth_price_usd: float | None,
) -> pd.Series:
    """USD of one touch per pool: gas units at the day's price where the pool has units, else
    the chain's fee; NaN where neither is known (the pool then cannot be costed)."""
    price = np.nan
    if gas_price_gwei is not None and eth_price_usd is not None:
        price = gas_price_gwei * GWEI_IN_ETH * eth_price_usd
    units = pd.to_numeric(gas_units, errors="coerce")
    fees = pd.to_numeric(fee_usd, errors="coerce")
    return (units * price).where(units.notna(), fees).astype(float)
