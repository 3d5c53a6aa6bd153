"""Daily series preparation and the candidates' no-look-ahead contract."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from statsmodels.tsa.forecasting.theta import ThetaModel

from python_models.forecasting.candidates import GAS_CANDIDATES, theta
from python_models.forecasting.series import daily_series, hampel_clean


def test_gaps_are_carried_forward_and_not_marked_observed():
    dates = ["2025-01-01", "2025-01-02", "2025-01-05", "2025-01-06"]
    series = daily_series(dates, [1.0, 2.0, 5.0, np.nan], dt.date(2025, 1, 7))
    assert series.start == dt.date(2025, 1, 1)
    assert series.values.tolist() == [1.0, 2.0, 2.0, 2.0, 5.0, 5.0, 5.0]
    assert series.observed.tolist() == [True, True, False, False, True, False, False]
    assert series.last_observed == dt.date(2025, 1, 5)


def test_rows_after_the_end_day_are_ignored():
    dates = pd.date_range("2025-01-01", periods=10, freq="D")
    series = daily_series(dates, np.arange(10.0), dt.date(2025, 1, 5))
    assert series.values.tolist() == [0.0, 1.0, 2.0, 3.0, 4.0]


def test_empty_and_garbage_histories_give_an_empty_series():
    series = daily_series(["2025-01-01"], ["not a number"], dt.date(2025, 1, 5))
    assert series.last_observed is None
    assert len(series.values) == 0


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


@pytest.mark.parametrize("candidate", GAS_CANDIDATES, ids=lambda candidate: candidate.name)
def test_candidates_never_look_ahead(candidate):
    rng = np.random.default_rng(1)
    window = 10 + np.cumsum(rng.normal(0, 0.2, 100)) + np.sin(np.arange(100) * 2 * np.pi / 7)
    fit_end = 80
    predictions = candidate.predict(window, fit_end)
    assert len(predictions) == len(window) - fit_end + 1
    tampered = window.copy()
    tampered[90:] += 50
    again = candidate.predict(tampered, fit_end)
    # forecasts of positions 80..90 use data up to 89 only
    assert np.allclose(again[:11], predictions[:11])
    assert not np.allclose(again[11:], predictions[11:])


def test_theta_with_fixed_parameters_matches_statsmodels():
    window = 3 + np.cumsum(np.random.default_rng(2).normal(0.01, 0.1, 150))
    for fit_end in (100, 150):
        expected = ThetaModel(window[:fit_end], deseasonalize=False).fit().forecast(1).iloc[0]
        assert theta(window, fit_end)[0] == pytest.approx(expected)
