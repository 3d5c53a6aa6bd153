"""A year of days and daily compounding: one convention for the backtest's crediting, the
report's realized yield and the prices of limits, so a realized 7-day figure and a backtest's
net APY compound the same way."""

from __future__ import annotations

from typing import TypeVar

import numpy as np

DAYS_PER_YEAR = 365

Rate = TypeVar("Rate", float, np.ndarray)


def daily_rate(apy_pct: Rate) -> Rate:
    """One day's return at ``apy_pct`` % a year, compounded daily (a float or an array)."""
    return (1 + apy_pct / 100) ** (1 / DAYS_PER_YEAR) - 1
