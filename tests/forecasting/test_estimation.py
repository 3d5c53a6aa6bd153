"""statsmodels' estimates: one per distinct series, the same bits in any process."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pytest

from python_models.forecasting import estimation
from python_models.forecasting.linear_models import ARIMA_011, ARIMA_110, SES, LinearModel
from tests.forecasting.conftest import recorded_chart

CALLS: list[int] = []


def _counted(values: np.ndarray) -> tuple[float, ...]:
    CALLS.append(len(values))
    if len(values) < 3:
        raise ValueError("too short")
    return (float(values.mean()),)


COUNTED = LinearModel("counted", _counted, SES.apply, 1, min_train=1, seconds=0.0)


@pytest.fixture(autouse=True)
def fresh():
    estimation.clear()
    CALLS.clear()
    yield
    estimation.clear()


def test_training_values_are_the_known_days():
    row = np.array([np.nan, np.nan, 1.0, 2.0, np.nan, 3.0])
    np.testing.assert_array_equal(estimation.training_values(row), [1.0, 2.0, 3.0])


def test_each_distinct_series_is_estimated_once_and_failures_are_nan():
    rows = np.array([[1.0, 2.0, 3.0], [np.nan, 2.0, 6.0], [1.0, 2.0, 3.0]])
    (first,) = estimation.estimate([(COUNTED, rows)])
    assert CALLS == [3, 2]  # the repeated row once; [2, 6] is too short
    np.testing.assert_array_equal(first, [[2.0], [np.nan], [2.0]])
    (again,) = estimation.estimate([(COUNTED, rows[:1])], workers=1)
    assert CALLS == [3, 2]  # remembered
    assert again[0, 0] == 2.0


@pytest.mark.e2e  # spawns worker processes: cold interpreters importing the estimation
def test_workers_give_the_bits_of_this_process(monkeypatch):
    """The daily run may fit here and the backtest in workers: same values, same bits."""
    history = recorded_chart("aa70268e-4b52-42bf-a116-608b370f9501")
    apy = history["apy_pct"].to_numpy()
    tvl = history["tvl_usd"].to_numpy() / 1e6
    starts = range(0, len(apy) - 120, 7)
    rows = np.stack([apy[start : start + 120] for start in starts])
    money = np.stack([tvl[start : start + 120] for start in starts[::6]])
    jobs = [(SES, rows), (ARIMA_110, money), (ARIMA_011, np.log(rows[:3]))]
    here = estimation.estimate(jobs, workers=1)
    tasks = [
        (model.estimate, estimation.training_values(row), model.parameters, model.seconds)
        for model, block in jobs
        for row in block
    ]
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        there = pool.submit(estimation._fit_chunk, tasks).result()
    assert np.array(there).tobytes() == np.concatenate(here).tobytes()
    # shared between this process and a worker, chunk by chunk
    estimation.clear()
    monkeypatch.setattr(estimation, "_worker_count", lambda seconds, workers: 2)
    monkeypatch.setattr(estimation, "CHUNK_SECONDS", 0.01)
    shared = estimation.estimate(jobs)
    for ours, theirs in zip(here, shared, strict=True):
        assert np.isfinite(ours).all()
        assert ours.tobytes() == theirs.tobytes()
