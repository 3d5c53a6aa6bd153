"""The refit calendar: when model parameters are re-estimated, the same for every caller.

Parameters are re-estimated on fixed calendar dates, every ``every_days`` days counted from
:data:`REFIT_EPOCH`, on the ``train_days`` before the refit date; between two refit dates only
the models' state moves on. The dates a forecast is asked for therefore never change its
value: the forecast of a day D comes from the block of refit dates that contains D, and the
daily run of D (one day) and the backtest's panel (a year of days) compute the same block.

A block is numbered by ``floor((day − epoch) / every_days)``; positions are calendar days
counted from a panel's first day.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

# A Monday, so 7- and 28-day blocks keep weekdays aligned; any fixed date would do.
REFIT_EPOCH = dt.date(2024, 1, 1)


def block_of(start: dt.date, positions: np.ndarray, every_days: int) -> np.ndarray:
    """The block number of each position of a panel whose first day is ``start``."""
    offset = (start - REFIT_EPOCH).days
    return np.floor_divide(np.asarray(positions) + offset, every_days)


def refit_position(start: dt.date, block: np.ndarray | int, every_days: int) -> np.ndarray:
    """The position (in a panel starting on ``start``) of each block's refit date."""
    return np.asarray(block) * every_days - (start - REFIT_EPOCH).days


def refit_date(day: dt.date, every_days: int) -> dt.date:
    """The refit date of the block that contains ``day`` (on or before it)."""
    block = int(block_of(day, np.array(0), every_days))
    return REFIT_EPOCH + dt.timedelta(days=block * every_days)
