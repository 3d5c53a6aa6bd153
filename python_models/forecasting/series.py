"""Turn a dated history into the regular daily series the models need.

Gaps: the history is reindexed to one value per calendar day and missing days carry the last
observed value forward. Carrying forward is causal (interpolation would use the value after
the gap, a look-ahead in the backtest) and it is exactly what persistence assumes, so a gap
neither helps nor hurts one model against another. Filled days are never scored: only days
with a real observation count in the backtest. A series whose last observation is too old
for the forecast date is stale and falls back to persistence.

Outliers: APY spikes of one or two days are common (reward programmes, oracle glitches). The
fitted models see a copy where a value far outside the trailing median ± k·MAD is replaced
by that median (a causal Hampel filter, so no look-ahead); persistence and the scoring use
the raw values, so the comparison stays honest.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

# 1.4826 turns a median absolute deviation into a standard deviation for normal data.
MAD_TO_SIGMA = 1.4826


@dataclass(frozen=True)
class DailySeries:
    """A regular daily series ending the day before ``forecast_date``.

    ``values`` has no gaps (carried forward); ``observed`` marks the days with a real value.
    """

    start: dt.date
    values: np.ndarray
    observed: np.ndarray
    last_observed: dt.date | None

    @property
    def dates(self) -> pd.DatetimeIndex:
        return pd.date_range(self.start, periods=len(self.values), freq="D")

    def date_at(self, position: int) -> dt.date:
        """The calendar day of a position (``len`` is the forecast date)."""
        return self.start + dt.timedelta(days=position)


def daily_series(
    dates: pd.Series | np.ndarray | list, values: pd.Series | np.ndarray | list, end: dt.date
) -> DailySeries:
    """Reindex to calendar days up to ``end`` (inclusive), carrying the last value forward.

    Rows after ``end`` are ignored (no look-ahead); non-finite values count as missing;
    duplicate days keep the last row.
    """
    frame = pd.DataFrame(
        {"day": pd.to_datetime(pd.Series(dates)).dt.normalize(), "value": pd.Series(values)}
    )
    frame["value"] = pd.to_numeric(frame["value"], errors="coerce").replace(
        [np.inf, -np.inf], np.nan
    )
    frame = frame.dropna().loc[lambda f: f["day"] <= pd.Timestamp(end)]
    if frame.empty:
        return DailySeries(end + dt.timedelta(days=1), np.array([]), np.array([], bool), None)
    history = frame.drop_duplicates("day", keep="last").set_index("day")["value"].sort_index()
    calendar = pd.date_range(history.index[0], pd.Timestamp(end), freq="D")
    reindexed = history.reindex(calendar)
    return DailySeries(
        start=calendar[0].date(),
        values=reindexed.ffill().to_numpy(dtype=float),
        observed=reindexed.notna().to_numpy(),
        last_observed=history.index[-1].date(),
    )


def hampel_clean(values: np.ndarray, window: int, n_sigmas: float) -> np.ndarray:
    """Replace values far from the trailing median (previous ``window`` days) by that median.

    Trailing, not centred: a value is judged only by the days before it, so the cleaned
    series at day t depends on nothing after t.
    """
    history = pd.Series(values).shift(1).rolling(window, min_periods=max(3, window // 2))
    median = history.median().to_numpy()
    mad = (
        pd.Series(np.abs(values - median))
        .shift(1)
        .rolling(window, min_periods=max(3, window // 2))
        .median()
        .to_numpy()
    )
    scale = MAD_TO_SIGMA * mad
    outlier = (scale > 0) & (np.abs(values - median) > n_sigmas * scale)
    return np.where(outlier, median, values)
