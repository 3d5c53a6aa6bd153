"""Every candidate's forecast path over a panel, the fitted models' refit blocks cached.

A path has one column per origin o = 0 … N: the forecast, from the days before o, of the
mean of days o … o + h − 1. The fixed rules (``rules.py``, named ``naive``, ``mean_<k>d``,
``shrink_<k>d``) read a fixed number of days before o. A fitted model's forecast of o comes
from the refit block containing o: its parameters were estimated by statsmodels on the
``train_days`` before the block's refit date (``estimation.py``, ``linear_models.py``) and
its state was filtered with them from the start of those days up to o − 1 (``refits.py``).
Each block is computed once per panel, for every subject at once (one row per subject and
block), and kept: several horizons reuse it, since the models' parameters and states do not
depend on the horizon (only the closed-form horizon mean does). A model is estimated only on
the rows with at least its ``min_train`` known training days.

The fitted models see the series on their target's scale (log for gas), divided by the
median absolute value of the block's training days, and Hampel-cleaned within the block
where the target asks for it; these rows, and so the estimates, are the same whichever days
a panel is asked for.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from python_models.forecasting import estimation, rules
from python_models.forecasting.linear_models import (
    ARIMA_011,
    ARIMA_110,
    DAMPED_HOLT,
    SEASONAL_ETS,
    SES,
    LinearModel,
    horizon_factor,
)
from python_models.forecasting.model_selection import ForecastSettings
from python_models.forecasting.refits import REFIT_EPOCH, block_of, refit_position
from python_models.forecasting.series import SeriesPanel, hampel_clean
from python_models.forecasting.targets import TargetSpec

MODELS: dict[str, LinearModel] = {
    model.name: model for model in (SES, DAMPED_HOLT, ARIMA_110, SEASONAL_ETS)
}
# A target with ``full_fits`` (one series: gas) estimates ARIMA(0,1,1) by exact maximum
# likelihood instead of the least-squares smoothing weight.
FULL_FITS: dict[str, LinearModel] = {**MODELS, ARIMA_011.name: ARIMA_011}
# Shrinkage needs this many training origins in a block to estimate its weight.
MIN_SHRINK_ORIGINS = 21


def needed_blocks(
    start: int, positions: np.ndarray, horizon_days: int, settings: ForecastSettings
) -> np.ndarray:
    """Blocks whose forecasts the choice at ``positions`` reads (backtest window and day).

    ``start`` is the panel's first day as an offset from the refit epoch (``refits.py``).
    """
    lowest = positions - horizon_days - settings.backtest_days + 1
    every = settings.refit_every_days
    first = np.floor_divide(lowest + start, every)
    last = np.floor_divide(positions + start, every)
    return np.unique(
        np.concatenate([np.arange(a, b + 1) for a, b in zip(first, last, strict=True)])
    )


class CandidatePaths:
    """The candidates of one target over one panel; fitted blocks are computed once."""

    def __init__(
        self,
        panel: SeriesPanel,
        spec: TargetSpec,
        settings: ForecastSettings,
        workers: int | None = None,
    ) -> None:
        self.panel = panel
        self.spec = spec
        self.settings = settings
        self.workers = workers
        self._offset = (panel.start - REFIT_EPOCH).days
        shape = (len(panel.subjects), panel.days + 1)
        models = FULL_FITS if spec.full_fits else MODELS
        self._models = {name: models[name] for name in spec.candidates if name in MODELS}
        self._states = {
            name: tuple(np.full(shape, np.nan) for _ in range(3)) for name in self._models
        }
        self._fitted_blocks: set[int] = set()

    def _origin_blocks(self) -> np.ndarray:
        """The block of every origin 0 … N."""
        return block_of(
            self.panel.start, np.arange(self.panel.days + 1), self.settings.refit_every_days
        )

    def paths(
        self, horizon_days: int, positions: np.ndarray, outcome: tuple[np.ndarray, np.ndarray]
    ) -> dict[str, np.ndarray]:
        """Each candidate's path on the raw scale; correct at the origins ``positions`` reads.

        ``outcome``: the realized horizon means and where they were fully observed
        (``rules.forward_mean``), which the shrinkage weights are fitted on.
        """
        blocks = needed_blocks(self._offset, positions, horizon_days, self.settings)
        if self._models:
            self._fit([block for block in blocks if block not in self._fitted_blocks])
        training = self._shrink_training(blocks, horizon_days)
        inputs = RuleInputs(self.panel.values, horizon_days, *outcome, training)
        return {
            name: self._model_path(name, horizon_days) if name in MODELS else rule(name)[0](inputs)
            for name in self.spec.candidates
        }

    def _model_path(self, name: str, horizon_days: int) -> np.ndarray:
        level, trend, phi = self._states[name]
        with np.errstate(invalid="ignore", over="ignore"):
            path = level + trend * horizon_factor(phi, horizon_days)
            return np.exp(path) if self.spec.log else path

    def _shrink_training(
        self, blocks: np.ndarray, horizon_days: int
    ) -> list[tuple[int, int, np.ndarray]]:
        """Per block: the training origins of its weight and the origins it forecasts."""
        every, train = self.settings.refit_every_days, self.settings.train_days
        origins = self._origin_blocks()
        limit = self.panel.days + 1
        training = []
        for block in blocks:
            refit = int(refit_position(self.panel.start, block, every))
            first = int(np.clip(refit - train, 0, limit))
            stop = int(np.clip(refit - horizon_days + 1, 0, limit))
            training.append((first, stop, origins == block))
        return training

    def _fit(self, blocks: list[int]) -> None:
        """Estimate and filter every fitted model on ``blocks`` for every subject."""
        if not blocks:
            return
        settings = self.settings
        every, train = settings.refit_every_days, settings.train_days
        width = train + every - 1
        refits = refit_position(self.panel.start, np.array(blocks), every)
        columns = (refits - train)[:, None] + np.arange(width)[None, :]
        subjects = len(self.panel.subjects)
        padded = np.concatenate([self.panel.values, np.full((subjects, 1), np.nan)], axis=1)
        inside = (columns >= 0) & (columns < self.panel.days)
        index = np.where(inside, columns, self.panel.days)
        rows = padded[:, index].reshape(subjects * len(blocks), width)  # subject-major
        if self.spec.log:
            with np.errstate(invalid="ignore", divide="ignore"):
                rows = np.where(rows > 0, np.log(rows), np.nan)
        known = np.isfinite(rows[:, :train]).sum(axis=1)
        keep = np.flatnonzero(known >= min(model.min_train for model in self._models.values()))
        self._fitted_blocks.update(blocks)
        if keep.size == 0:
            return
        data = rows[keep]
        with np.errstate(all="ignore"):
            scale = np.nanmedian(np.abs(data[:, :train]), axis=1)
        scale = np.where(np.isfinite(scale) & (scale > 0), scale, 1.0)[:, None]
        data = data / scale
        if self.spec.clean_outliers:
            data = hampel_clean(data, settings.hampel_window, settings.hampel_sigmas)
        subject_of, block_at = np.divmod(keep, len(blocks))
        origin = refits[block_at][:, None] + np.arange(every)[None, :]
        valid = (origin >= 0) & (origin <= self.panel.days)
        target_rows = np.broadcast_to(subject_of[:, None], origin.shape)[valid]
        target_columns = origin[valid]
        enough = {name: known[keep] >= model.min_train for name, model in self._models.items()}
        estimates = estimation.estimate(
            [(model, data[enough[name], :train]) for name, model in self._models.items()],
            self.workers,
        )
        window = slice(train - 1, train - 1 + every)
        for (name, model), fitted in zip(self._models.items(), estimates, strict=True):
            params = np.full((len(data), model.parameters), np.nan)
            params[enough[name]] = fitted
            usable = np.isfinite(params).all(axis=1)
            level, trend, phi = (np.full((len(data), every), np.nan) for _ in range(3))
            if usable.any():
                with np.errstate(all="ignore"):
                    states = model.apply(data[usable], params[usable])
                level[usable] = states.level[:, window] * scale[usable]
                trend[usable] = states.trend[:, window] * scale[usable]
                phi[usable] = states.phi[:, None]
            for array, part in zip(self._states[name], (level, trend, phi), strict=True):
                array[target_rows, target_columns] = part[valid]


@dataclass(frozen=True)
class RuleInputs:
    """What a fixed rule may read: the panel's values, the horizon, the realized horizon
    means with where they were fully observed, and the shrinkage blocks."""

    values: np.ndarray
    horizon_days: int
    outcome: np.ndarray
    complete: np.ndarray
    training: list[tuple[int, int, np.ndarray]]


RULE_PATTERN = re.compile(r"naive|(mean|shrink)_(\d+)d")


def rule(name: str) -> tuple[Callable[[RuleInputs], np.ndarray], int]:
    """A fixed rule by name and the days before its origin it reads.

    ``naive``: the last value; ``mean_<k>d``: the trailing k-day mean; ``shrink_<k>d``: the
    last value shrunk toward the k-day mean, its weight fitted per refit block.
    """
    match = RULE_PATTERN.fullmatch(name)
    if match is None:
        raise ValueError(f"unknown candidate {name!r}")
    if name == "naive":
        return (lambda inputs: rules.lagged(inputs.values, 1)), 1
    days = int(match[2])
    if match[1] == "mean":
        return (lambda inputs: rules.trailing_mean(inputs.values, days)), days

    def shrunk(inputs: RuleInputs) -> np.ndarray:
        return rules.shrink(
            rules.lagged(inputs.values, 1),
            rules.trailing_mean(inputs.values, days),
            inputs.outcome,
            inputs.complete,
            inputs.training,
            MIN_SHRINK_ORIGINS,
        )

    return shrunk, days


def lookback_days(spec: TargetSpec, horizon_days: int, settings: ForecastSettings) -> int:
    """How many days before a decision day its forecast reads (bar the value carried in).

    The earliest scored origin is ``horizon + backtest`` days back; its refit block starts up
    to ``refit_every`` days earlier and trains on ``train_days`` before that, where the rules
    (and the shrinkage weights) read up to their longest window further back. A forecast
    also reads the last observation before these days (carried forward into them).
    """
    longest = max(rule(name)[1] for name in spec.candidates if name not in MODELS)
    return (
        horizon_days
        + settings.backtest_days
        + settings.refit_every_days
        + settings.train_days
        + longest
    )
