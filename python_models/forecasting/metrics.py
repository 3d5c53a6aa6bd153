"""Forecast error measures, all on the target's own scale.

The selection's score is the *MAE ratio vs persistence*: the candidate's MAE divided by the
MAE of "tomorrow equals today" on exactly the days scored. Below 1 the model beat
persistence, above 1 it lost; persistence itself scores 1. It is not the textbook MASE
(which scales by the in-sample naive error); comparing on the same days is what the
selection needs. The ``forecasts`` tables keep the contract's column name ``backtest_mase``
and metric name ``'mase'`` for it (read by dbt and the Slack report).
"""

from __future__ import annotations

import numpy as np


def mae(errors: np.ndarray) -> float:
    return float(np.mean(np.abs(errors)))


def rmse(errors: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(errors))))


def smape(actuals: np.ndarray, predictions: np.ndarray) -> float:
    """Symmetric MAPE in percent (0–200); a day where both are zero counts as no error."""
    denominator = np.abs(actuals) + np.abs(predictions)
    ratios = np.divide(
        2 * np.abs(actuals - predictions),
        denominator,
        out=np.zeros_like(denominator, dtype=float),
        where=denominator > 0,
    )
    return float(100 * np.mean(ratios))


def mae_ratio_vs_persistence(model_mae: float, naive_mae: float) -> float | None:
    """Model MAE over persistence MAE on the same days; undefined when persistence was exact."""
    return model_mae / naive_mae if naive_mae > 0 else None
