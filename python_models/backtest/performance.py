"""The plain figures of a portfolio's NAV path (the treasury's figures are in :mod:`.risk`).

- ``net_apy``: the NAV's growth over the days, annualized (compounded), percent; net of gas
  and conversions because the NAV is.
- ``volatility``: standard deviation of the daily NAV returns x sqrt(365), percent a year.
- ``max_drawdown``: the largest fall of the NAV from its running peak (the starting capital
  included), a positive fraction (0.02 = 2 %).
- ``gas_usd``, ``conversion_usd``: totals paid.
- ``turnover``: (deposits + withdrawals) / 2 / mean NAV: how many times the portfolio was
  replaced over the period (the first deployment of the capital counts as half a turn).
- ``days_invested`` (table only): days with at least one position.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

DAYS_PER_YEAR = 365
TABLE_KEYS = (
    "net_apy",
    "volatility",
    "max_drawdown",
    "gas_usd",
    "conversion_usd",
    "turnover",
    "days_invested",
)


def portfolio_stats(days: pd.DataFrame, capital_usd: float) -> dict[str, float]:
    """The figures of one portfolio; ``days`` has one row per trade day, in order, with
    ``nav_usd``, ``gas_usd``, ``conversion_usd``, ``traded_usd`` and ``positions``."""
    if days.empty:
        return dict.fromkeys(TABLE_KEYS, 0.0)
    nav = days["nav_usd"].to_numpy(dtype=float)
    path = np.concatenate([[capital_usd], nav])
    returns = path[1:] / path[:-1] - 1
    return {
        "net_apy": ((nav[-1] / capital_usd) ** (DAYS_PER_YEAR / len(nav)) - 1) * 100,
        "volatility": float(np.std(returns, ddof=1) * np.sqrt(DAYS_PER_YEAR) * 100)
        if len(returns) > 1
        else 0.0,
        "max_drawdown": float(np.max(1 - path / np.maximum.accumulate(path))),
        "gas_usd": float(days["gas_usd"].sum()),
        "conversion_usd": float(days["conversion_usd"].sum()),
        "turnover": float(days["traded_usd"].sum() / 2 / np.mean(nav)),
        "days_invested": float((days["positions"] > 0).sum()),
    }
