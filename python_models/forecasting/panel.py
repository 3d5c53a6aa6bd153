"""The shipped forecaster over many subjects and days: the backtest's and the daily run's.

:class:`PanelForecaster` holds one target's histories as a panel and the candidates' paths
(the fitted models' refit blocks computed once, whatever horizons are asked for next);
:func:`forecast_panel` is the backtest's entry point. The daily run asks the same class for
one day (``daily.py``); the forecast of a day depends only on the days before it and on the
refit calendar, so both get the same numbers (``tests/forecasting/test_panel.py``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections import OrderedDict

import numpy as np
import pandas as pd

from python_models.forecasting import rules
from python_models.forecasting.model_selection import ForecastSettings, Selection, select
from python_models.forecasting.paths import CandidatePaths
from python_models.forecasting.series import build_panel
from python_models.forecasting.targets import TARGETS, TargetSpec

# Panels kept in memory by forecast_panel (a backtest asks one target for several horizons
# and margins in a row).
CACHED_PANELS = 4


class PanelForecaster:
    """One target's forecasts for the days after a history that ends on ``end``.

    ``workers``: at most this many processes for the statsmodels estimates (None: the cores,
    fewer when there is little to fit; ``estimation.py``).
    """

    def __init__(
        self,
        history: pd.DataFrame,
        target: str,
        end: dt.date,
        settings: ForecastSettings | None = None,
        subjects: list[str] | None = None,
        spec: TargetSpec | None = None,
        workers: int | None = None,
    ) -> None:
        self.spec = spec or TARGETS[target]
        self.settings = settings or ForecastSettings()
        self.panel = build_panel(history, end, subjects)
        self._paths = CandidatePaths(self.panel, self.spec, self.settings, workers)

    def positions(self, days: pd.DatetimeIndex) -> np.ndarray:
        """Each day's position in the panel (1 … N can be forecast; others have no history)."""
        return np.asarray((days - pd.Timestamp(self.panel.start)).days, dtype=int)

    def select(
        self, days: pd.DatetimeIndex, horizon_days: int, min_improvement: float | None = None
    ) -> Selection:
        """The choice for every subject on each day that has history before it.

        Only days at positions 1 … N may be passed (:meth:`positions`).
        """
        if self.spec.only_horizon is not None and horizon_days != self.spec.only_horizon:
            raise ValueError(f"this target is forecast {self.spec.only_horizon} day ahead only")
        if horizon_days < 1:
            raise ValueError(f"horizon_days must be at least 1, not {horizon_days}")
        spec = self.spec
        if min_improvement is not None:
            spec = dataclasses.replace(spec, min_improvement=min_improvement)
        positions = self.positions(days)
        outcome = rules.forward_mean(self.panel.values, self.panel.observed, horizon_days)
        paths = self._paths.paths(horizon_days, positions, outcome)
        return select(self.panel, paths, outcome, positions, horizon_days, spec, self.settings)

    def frames(
        self, days: pd.DatetimeIndex, horizon_days: int, min_improvement: float | None = None
    ) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Days x subjects: the forecast values (NaN without history) and the chosen models."""
        subjects = list(self.panel.subjects)
        values = pd.DataFrame(np.nan, index=days, columns=subjects)
        models = pd.DataFrame("naive", index=days, columns=subjects, dtype=object)
        inside = (self.positions(days) >= 1) & (self.positions(days) <= self.panel.days)
        if inside.any() and subjects:
            chosen = self.select(days[inside], horizon_days, min_improvement)
            values.loc[days[inside]] = chosen.value.T
            models.loc[days[inside]] = chosen.models.T
        return values, models


_cache: OrderedDict[str, PanelForecaster] = OrderedDict()


def _key(history: pd.DataFrame, target: str, end: dt.date, settings: ForecastSettings) -> str:
    digest = hashlib.sha256()
    hashed = pd.util.hash_pandas_object(history[["subject_id", "day", "value"]], index=False)
    digest.update(hashed.to_numpy().tobytes())
    digest.update(f"{target}|{end}|{settings}".encode())
    return digest.hexdigest()


def forecast_panel(
    history: pd.DataFrame,
    target: str,
    days: pd.DatetimeIndex,
    horizon_days: int = 1,
    settings: ForecastSettings | None = None,
    min_improvement: float | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The shipped forecast of ``target`` for every subject of ``history`` on each of ``days``.

    ``history``: ``subject_id``, ``day``, ``value`` (gaps allowed; rows on or after a day are
    never read for it). ``target``: ``apy_pct`` (the mean over ``horizon_days`` from the
    day), ``tvl_usd`` or ``gas_price_gwei`` (the day itself: ``horizon_days`` 1).
    ``min_improvement`` replaces the target's margin over persistence. Returns two days x
    subjects frames: the values (NaN without history before the day) and the chosen models
    (``naive`` is persistence). Repeated calls on the same history reuse the fitted models.
    """
    settings = settings or ForecastSettings()
    days = pd.DatetimeIndex(days)
    if days.empty:
        return pd.DataFrame(index=days), pd.DataFrame(index=days)
    end = (days.max() - pd.Timedelta(days=1)).date()
    key = _key(history, target, end, settings)
    if key not in _cache:
        _cache[key] = PanelForecaster(history, target, end, settings)
        while len(_cache) > CACHED_PANELS:
            _cache.popitem(last=False)
    _cache.move_to_end(key)
    return _cache[key].frames(days, horizon_days, min_improvement)
