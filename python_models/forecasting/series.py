"""Turn dated histories into the regular daily panel the forecasts work on.

A panel is subjects x calendar days. Gaps: every subject gets one value per calendar day, the
last observed value carried forward. Carrying forward is causal (interpolation would use the
value after the gap, a look-ahead) and it is exactly what persistence assumes, so a gap
neither helps nor hurts one model against another. Filled days are marked unobserved and
never scored. Before a subject's first observation its values are NaN.

Outliers: APY spikes of one or two days are common (reward programmes, oracle glitches). The
fitted models see a copy where a value far outside the trailing median ± k·MAD is replaced
by that median (a causal Hampel filter, so no look-ahead); persistence, the fixed rules and
the scoring use the raw values, so the comparison stays honest.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

# 1.4826 turns a median absolute deviation into a standard deviation for normal data.
MAD_TO_SIGMA = 1.4826


@dataclass(frozen=True)
class SeriesPanel:
    """Daily values of several subjects on one calendar (column 0 is ``start``).

    ``values`` is carried forward over gaps (NaN before a subject's first observation);
    ``observed`` marks the days with a real value.
    """

    subjects: tuple[str, ...]
    start: dt.date
    values: np.ndarray
    observed: np.ndarray

    @property
    def days(self) -> int:
        return self.values.shape[1]

    def date_at(self, position: int) -> dt.date:
        """The calendar day of a position (``days`` is the day after the last one)."""
        return self.start + dt.timedelta(days=int(position))

    def position(self, day: dt.date) -> int:
        return (day - self.start).days


def build_panel(
    history: pd.DataFrame, end: dt.date, subjects: Sequence[str] | None = None
) -> SeriesPanel:
    """``history`` (``subject_id``, ``day``, ``value``) as a panel ending on ``end`` (inclusive).

    Rows after ``end`` are ignored (no look-ahead); non-finite values count as missing;
    duplicate days keep the last row. ``subjects`` fixes the rows (a subject without history
    gets an all-NaN row); by default every subject of ``history``, sorted.
    """
    frame = pd.DataFrame(
        {
            "subject_id": history["subject_id"].astype(str).to_numpy(),
            "day": pd.to_datetime(history["day"]).dt.normalize().to_numpy(),
            "value": pd.to_numeric(history["value"], errors="coerce").to_numpy(dtype=float),
        }
    )
    frame = frame.loc[np.isfinite(frame["value"]) & (frame["day"] <= pd.Timestamp(end))]
    frame = frame.drop_duplicates(["subject_id", "day"], keep="last")
    names = tuple(sorted(frame["subject_id"].unique())) if subjects is None else tuple(subjects)
    if frame.empty:
        empty = np.empty((len(names), 0))
        return SeriesPanel(names, end + dt.timedelta(days=1), empty, empty.astype(bool))
    start = frame["day"].min()
    width = (pd.Timestamp(end) - start).days + 1
    rows = pd.Index(names).get_indexer(frame["subject_id"])
    known = rows >= 0
    columns = ((frame["day"] - start).dt.days).to_numpy()
    raw = np.full((len(names), width), np.nan)
    raw[rows[known], columns[known]] = frame["value"].to_numpy()[known]
    observed = ~np.isnan(raw)
    last = np.maximum.accumulate(np.where(observed, np.arange(width), 0), axis=1)
    values = np.take_along_axis(raw, last, axis=1)
    return SeriesPanel(names, start.date(), values, observed)


def trailing_median(values: np.ndarray, window: int, min_periods: int) -> np.ndarray:
    """Median of the ``window`` values before each column, per row (NaN skipped; NaN where
    fewer than ``min_periods`` are known). Exact: the middle of the sorted window."""
    rows, columns = values.shape
    padded = np.concatenate([np.full((rows, window), np.nan), values], axis=1)
    windows = np.sort(sliding_window_view(padded[:, :-1], window, axis=1), axis=2)
    known = np.isfinite(windows).sum(axis=2)
    low = np.take_along_axis(windows, np.maximum((known - 1) // 2, 0)[..., None], axis=2)[..., 0]
    high = np.take_along_axis(windows, np.maximum(known // 2, 0)[..., None], axis=2)[..., 0]
    median = (low + high) / 2
    return np.where(known >= min_periods, median, np.nan)[:, :columns]


def hampel_clean(values: np.ndarray, window: int, n_sigmas: float) -> np.ndarray:
    """Replace values far from the trailing median (previous ``window`` days) by that median.

    Works along the last axis (one series per row). Trailing, not centred: a value is judged
    only by the days before it, so the cleaned series at day t depends on nothing after t.
    NaN (before a series starts) is skipped by the windows.
    """
    rows = np.atleast_2d(values)
    min_periods = max(3, window // 2)
    median = trailing_median(rows, window, min_periods)
    deviation = np.abs(rows - median)
    scale = MAD_TO_SIGMA * trailing_median(deviation, window, min_periods)
    with np.errstate(invalid="ignore"):
        outlier = (scale > 0) & (deviation > n_sigmas * scale)
    cleaned = np.where(outlier, median, rows)
    return cleaned.reshape(np.shape(values))
