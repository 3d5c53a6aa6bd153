"""The daily panel (gaps, look-ahead, cleaning) and the fixed rules' no-look-ahead contract."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from python_models.forecasting import rules
from python_models.forecasting.series import build_panel, hampel_clean, trailing_median


def _history(days, values, subject="s") -> pd.DataFrame:
    return pd.DataFrame({"subject_id": subject, "day": pd.to_datetime(days), "value": values})


def test_gaps_are_carried_forward_and_not_marked_observed():
    days = ["2025-01-01", "2025-01-02", "2025-01-05", "2025-01-06"]
    history = _history(days, [1.0, 2.0, 5.0, np.nan])
    panel = build_panel(history, dt.date(2025, 1, 7), subjects=["s", "unknown"])
    assert panel.start == dt.date(2025, 1, 1)
    assert panel.values[0].tolist() == [1.0, 2.0, 2.0, 2.0, 5.0, 5.0, 5.0]
    assert panel.observed[0].tolist() == [True, True, False, False, True, False, False]
    assert np.isnan(panel.values[1]).all()


def test_rows_after_the_end_day_and_garbage_are_ignored():
    history = _history(pd.date_range("2025-01-01", periods=10), np.arange(10.0))
    assert build_panel(history, dt.date(2025, 1, 5)).values[0].tolist() == [0, 1, 2, 3, 4]
    garbage = _history(["2025-01-01"], ["not a number"])
    assert build_panel(garbage, dt.date(2025, 1, 5)).days == 0


def test_a_later_subject_is_nan_before_its_first_day():
    history = pd.concat(
        [
            _history(pd.date_range("2025-01-01", periods=5), np.arange(5.0), "early"),
            _history(pd.date_range("2025-01-03", periods=3), [7.0, 8.0, 9.0], "late"),
        ]
    )
    panel = build_panel(history, dt.date(2025, 1, 5))
    assert panel.subjects == ("early", "late")
    assert np.isnan(panel.values[1, :2]).all()
    assert panel.values[1, 2:].tolist() == [7.0, 8.0, 9.0]


def test_hampel_damps_a_spike_and_is_causal():
    values = 5 + 0.01 * np.sin(np.arange(60))
    spiked = values.copy()
    spiked[40] = 50.0
    cleaned = hampel_clean(spiked, window=14, n_sigmas=5)
    assert cleaned[40] == pytest.approx(5, abs=0.05)
    assert np.allclose(cleaned[:40], values[:40])
    changed_future = spiked.copy()
    changed_future[45:] += 100
    assert np.array_equal(hampel_clean(changed_future, 14, 5)[:45], cleaned[:45])


def test_trailing_median_is_the_rolling_median_of_the_days_before():
    rng = np.random.default_rng(0)
    values = rng.normal(size=(20, 80))
    values[:4, :30] = np.nan  # series that start later
    expected = pd.DataFrame(values.T).shift(1).rolling(14, min_periods=7).median().to_numpy().T
    np.testing.assert_array_equal(trailing_median(values, 14, 7), expected)


@pytest.mark.parametrize(
    "path",
    [
        lambda v: rules.lagged(v, 1),
        lambda v: rules.trailing_mean(v, 7),
        lambda v: rules.shrink(
            rules.lagged(v, 1),
            rules.trailing_mean(v, 7),
            *rules.forward_mean(v, np.isfinite(v), 5),
            [(10, 60, np.arange(v.shape[1] + 1) >= 64)],
            21,
        ),
    ],
    ids=["naive", "mean", "shrink"],
)
def test_rules_never_look_ahead(path):
    rng = np.random.default_rng(1)
    values = (10 + np.cumsum(rng.normal(0, 0.2, 100)))[None, :]
    tampered = values.copy()
    tampered[:, 90:] += 50
    # the forecast of origin o reads days before o: origins up to 90 are unchanged
    np.testing.assert_array_equal(path(values)[:, :91], path(tampered)[:, :91])
    assert not np.array_equal(path(values)[:, 91:], path(tampered)[:, 91:])


def test_the_outcome_is_the_mean_of_the_horizon_and_complete_only_if_observed():
    values = np.arange(10.0)[None, :]
    observed = np.ones_like(values, dtype=bool)
    observed[0, 6] = False
    outcome, complete = rules.forward_mean(values, observed, 3)
    assert outcome[0, 2] == 3.0  # mean of days 2, 3, 4
    # origins 4–6 include the unobserved day 6; from 8 on the window runs past the panel
    assert complete[0].tolist() == [1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 0]
    assert np.isnan(outcome[0, 8:]).all()


def test_shrinkage_weight_follows_the_data():
    rng = np.random.default_rng(2)
    days = 400
    reverting = 5 + rng.normal(0, 1, days)  # noise around a level: lean on the mean
    walking = 5 + np.cumsum(rng.normal(0, 0.3, days))  # a random walk: keep the last value
    values = np.stack([reverting, walking])
    outcome, complete = rules.forward_mean(values, np.ones_like(values, dtype=bool), 7)
    last, mean = rules.lagged(values, 1), rules.trailing_mean(values, 30)
    forecasts = np.arange(days + 1) >= 300
    path = rules.shrink(last, mean, outcome, complete, [(150, 294, forecasts)], 21)
    weight = (path[:, 300] - mean[:, 300]) / (last[:, 300] - mean[:, 300])
    assert weight[0] < 0.3
    assert weight[1] > 0.7
